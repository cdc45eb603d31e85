"""The media library in the admin: images (this module), their tags, and documents
(admin_documents.py). Staff find an image by its thumbnail, title, description or tag, set its
focal point by clicking on it, see where it is used, and are told before deleting one in use.
An image that live pages show is changed only by those who may change live pages
(library.change_live_image: Publishers); others see its form read-only."""

from django.contrib import admin
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import get_translation_fields

from editorial.language_tabs import LanguageTabsMixin

from .choosers import DocumentChooserView, ImageChooserView, image_thumbnail_url
from .models import Document, Image, Rendition, Tag
from .usage import OWN_MODELS, usages


def with_use_counts(queryset):
    """Each image with `use_count`: how many items use it, one subquery per relation that
    points at images, evaluated for the rows of the page only (no join, no GROUP BY over the
    whole library)."""
    total = Value(0)
    for relation in Image._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label == "library" and model._meta.model_name in OWN_MODELS:
            continue
        owner = getattr(model, "library_owner", None)
        counted = (
            model._default_manager.filter(**{relation.field.name: OuterRef("pk")})
            .order_by()
            .values(relation.field.name)
            .annotate(n=Count(owner or "pk", distinct=True))
            .values("n")
        )
        total = total + Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    return queryset.annotate(use_count=total)


def is_used_live(request, image):
    """Whether a live item uses the image (once per request and image)."""
    cache = request.__dict__.setdefault("_library_used_live", {})
    if image.pk not in cache:
        cache[image.pk] = any(use.is_live for use in usages(image))
    return cache[image.pk]


@admin.action(permissions=["delete"], description=_("Delete selected images"))
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, whose confirmation page also says where each image is used."""
    response = django_delete_selected(modeladmin, request, queryset)
    if isinstance(response, TemplateResponse):
        in_use = []
        for image in queryset:
            uses = usages(image)
            if uses:
                in_use.append((image, uses))
        response.context_data["images_in_use"] = in_use
    return response


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "image_count", "document_count"]
    search_fields = ["name"]
    show_full_result_count = False

    def get_queryset(self, request):
        # A subquery per count, for the page's rows only: no join of every tagged image with
        # every tagged document.
        def count(model):
            through = model.tags.through
            rows = (
                through.objects.filter(tag=OuterRef("pk"))
                .order_by()
                .values("tag")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

        return (
            super()
            .get_queryset(request)
            .annotate(image_total=count(Image), document_total=count(Document))
        )

    @admin.display(description=_("images"), ordering="image_total")
    def image_count(self, tag):
        return tag.image_total

    @admin.display(description=_("documents"), ordering="document_total")
    def document_count(self, tag):
        return tag.document_total


class UsedFilter(admin.SimpleListFilter):
    title = _("use")
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("no", _("Not used anywhere"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return with_use_counts(queryset).filter(use_count=0)
        return queryset


@admin.register(Image)
class ImageAdmin(LanguageTabsMixin, TranslationAdmin):
    list_display = ["thumbnail", "title", "tag_list", "size", "used_by", "created_at"]
    list_display_links = ["thumbnail", "title"]
    list_filter = ["tags", UsedFilter, "created_at"]
    search_fields = ["title", *get_translation_fields("alt")]
    list_per_page = 40
    # A library of 100,000 images: no second COUNT(*) of the whole table on each page.
    show_full_result_count = False
    autocomplete_fields = ["tags"]
    actions = [delete_selected]
    readonly_fields = ["focal_point_editor", "size", "uploaded_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["file", "title", "alt", "credit", "tags"]}),
        (
            _("Focal point"),
            {
                "fields": ["focal_point_editor", ("focal_x", "focal_y")],
                "description": _(
                    "The subject of the image. Each place the image is shown (a news card, the "
                    "top of a page, a link shared on social media) crops it around this point."
                ),
            },
        ),
        (_("About the file"), {"fields": ["size", "uploaded_by", "created_at", "updated_at"]}),
    ]

    class Media:
        js = ["library/focal-point.js"]
        css = {"all": ["library/library.css"]}

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "chooser/",
                site.admin_view(ImageChooserView.as_view(admin_site=site)),
                name="library_image_chooser",
            ),
            # The documents' chooser too, so that it does not wait for their admin's URLs.
            path(
                "chooser/documents/",
                site.admin_view(DocumentChooserView.as_view(admin_site=site)),
                name="library_document_chooser",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("uploaded_by")
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = with_use_counts(queryset).prefetch_related("tags")
        return queryset

    # The list's columns -------------------------------------------------------------------------

    @admin.display(description=_("image"))
    def thumbnail(self, image):
        url = image_thumbnail_url(image)
        if not url:
            return "—"
        return format_html(
            '<img src="{}" alt="" class="library-thumb" loading="lazy" decoding="async">', url
        )

    @admin.display(description=_("tags"))
    def tag_list(self, image):
        return ", ".join(tag.name for tag in image.tags.all()) or "—"

    @admin.display(description=_("size"))
    def size(self, image):
        if not image.width:
            return "—"
        return gettext("%(width)s × %(height)s px") % {
            "width": image.width,
            "height": image.height,
        }

    @admin.display(description=_("used by"))
    def used_by(self, image):
        count = getattr(image, "use_count", None)
        if count is None:
            count = len(usages(image))
        if not count:
            return gettext("not used")
        return ngettext("%(count)s item", "%(count)s items", count) % {"count": count}

    # The form ---------------------------------------------------------------------------------

    @admin.display(description=_("Set the focal point"))
    def focal_point_editor(self, image):
        # A new image (or one whose file is missing) has no picture yet: without JavaScript the
        # numbers below set the point; with it, the file chosen is shown here before saving.
        src = image.file.url if image.pk and image.file else ""
        # {x} and {y} are replaced here and, as the point moves, by focal-point.js.
        position = gettext("Focal point: {x}% across, {y}% down")
        picture_attributes = format_html(
            'src="{}" width="{}" height="{}"', src, image.width or "", image.height or ""
        )
        crops = format_html_join(
            "",
            '<figure class="focal-crop focal-crop-{}" data-ratio="{}">'
            '<div class="focal-crop-frame"><img {} alt=""></div>'
            "<figcaption>{}</figcaption></figure>",
            [
                ("card", 3 / 2, format_html('src="{}"', src) if src else "", _("News card (3:2)")),
                (
                    "header",
                    16 / 9,
                    format_html('src="{}"', src) if src else "",
                    _("Top of a page (16:9)"),
                ),
                (
                    "social",
                    1200 / 630,
                    format_html('src="{}"', src) if src else "",
                    _("Shared link (1200 × 630)"),
                ),
            ],
        )
        waiting = ""
        if not src:
            waiting = format_html(
                '<p class="focal-point-waiting">{}</p>',
                gettext(
                    "Once the image is saved, click on it here to set its focal point, or type "
                    "the two numbers below now."
                ),
            )
        return format_html(
            "{waiting}"
            '<div class="focal-point" data-focal-point data-x="{x}" data-y="{y}" '
            'data-text-position="{position}"{hidden}>'
            '<div class="focal-point-frame">'
            '<img {picture} alt="{alt}" class="focal-point-image">'
            '<button type="button" class="focal-point-marker" hidden '
            'aria-describedby="focal-point-help">'
            '<span class="visually-hidden focal-point-label">{label}</span></button>'
            "</div>"
            '<p class="help" id="focal-point-help">{help}</p>'
            '<p class="focal-point-status" role="status" aria-live="polite"></p>'
            '<div class="focal-crops" hidden><p class="focal-crops-title">{crops_title}</p>'
            "{crops}</div>"
            "</div>",
            waiting=waiting,
            x=image.focal_x,
            y=image.focal_y,
            hidden=" hidden" if not src else "",
            picture=picture_attributes if src else "",
            alt=image.alt or "",
            position=position,
            label=position.replace("{x}", str(image.focal_x)).replace("{y}", str(image.focal_y)),
            help=gettext(
                "Click on the image where its subject is, or move the point with the arrow keys "
                "(Shift moves it further). The two numbers below say where it is, and can be "
                "typed instead."
            ),
            crops_title=gettext("How the crops will look"),
            crops=crops,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    # Permissions: live pages' images are the publishers' ---------------------------------------

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if (
            allowed
            and obj is not None
            and obj.pk
            and not request.user.has_perm("library.change_live_image")
            and is_used_live(request, obj)
        ):
            return False
        return allowed

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        image = self.get_object(request, object_id)
        if image is not None:
            uses = usages(image)
            # Read once: has_change_permission asks again for the same image.
            request.__dict__.setdefault("_library_used_live", {})[image.pk] = any(
                use.is_live for use in uses
            )
            extra_context["usages"] = uses
            extra_context["live_locked"] = (
                super().has_change_permission(request, image)
                and not request.user.has_perm("library.change_live_image")
                and any(use.is_live for use in uses)
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # Deleting: say where the image is used first -----------------------------------------------

    def delete_view(self, request, object_id, extra_context=None):
        extra_context = dict(extra_context or {})
        image = self.get_object(request, object_id)
        if image is not None:
            extra_context["usages"] = usages(image)
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        """Django's list of what goes with the image, without its renditions (files the
        library makes and removes itself, which staff never see)."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        prefix = capfirst(Rendition._meta.verbose_name) + ":"

        def without_renditions(items):
            kept = []
            for item in items:
                if isinstance(item, list):
                    inner = without_renditions(item)
                    if inner:
                        kept.append(inner)
                elif not str(item).startswith(prefix):
                    kept.append(item)
            return kept

        model_count.pop(Rendition._meta.verbose_name_plural, None)
        return without_renditions(deleted), model_count, perms_needed, protected

    def delete_queryset(self, request, queryset):
        # One by one, so that each image's delete() removes its files and renditions.
        for image in queryset:
            image.delete()


# The documents' admin is its own module (helper "documents"); imported here so that the
# admin's autodiscovery, which imports library.admin, registers it.
from . import admin_documents  # noqa: E402, F401
