from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.utils import get_translation_fields

from editorial.admin import (
    MissingTranslationFilter,
    PublishingAdmin,
    PublishingRolesAdmin,
    StatusFilter,
    TranslationStatusMixin,
)
from library.choosers import LibraryChoosersMixin

from .models import PageFigure, PagePoint, ProgramPage, SiteSettings
from .views import ProgramPageDetailView


class HomeWithDraftSettings:
    """The Preview of the site settings' form: the home page (whatever view serves it) with the
    form's settings in its header, hero and footer (SiteSettings.for_request reads
    `request._site_settings`)."""

    def __init__(self):
        self.view = resolve(reverse("home")).func.view_class()

    def setup(self, request, *args, **kwargs):
        self.request = request
        self.view.setup(request)

    def preview_relations(self, obj, related):
        self.request._site_settings = obj

    def get_context_data(self, **kwargs):
        kwargs.pop("object", None)
        return self.view.get_context_data(**kwargs)

    def get_template_names(self):
        return self.view.get_template_names()


@admin.register(SiteSettings)
class SiteSettingsAdmin(LibraryChoosersMixin, PublishingRolesAdmin, TranslationAdmin):
    """The one row every page shows, with the content's draft/publish split: its changes wait as
    a draft (editorial/drafts_admin.py) that editors submit for review and publishers publish,
    schedule or send back (editorial/moderation_admin.py). The row itself is always live."""

    fieldsets = [
        (None, {"fields": ["site_name", "short_name", "tagline", "footer_text"]}),
        (_("Search engines and sharing"), {"fields": ["share_image"]}),
    ]
    readonly_fields = ["updated_at"]
    # No "publish" box and no bulk actions: publishing is publishing the draft.
    publishing_fields = []
    actions = None

    public_view = HomeWithDraftSettings

    def has_drafts(self):
        return True

    def _unsaved_object(self, checked):
        obj, related = super()._unsaved_object(checked)
        # Shown on the home page, and live: the settings have no page or publishing of their own.
        obj.get_absolute_url = lambda: reverse("home")
        obj.is_published = True
        return obj, related

    def has_add_permission(self, request):
        return (
            not SiteSettings.objects.exists()
            and super().has_add_permission(request)
            and self.has_publish_permission(request)
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if self.keeps_draft(request, obj, form, change):
            return  # the draft, saved with save_related
        obj.save()  # the first row, or a publisher restoring a version from the history

    # Restoring a version changes the live row at once: publishers only.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.has_publish_permission(request):
            return self.restore_refused(request, object_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_publish_permission(request):
            return self.restore_refused(request, None)
        return super().recover_view(request, version_id, extra_context)

    def restore_refused(self, request, object_id):
        self.message_user(
            request,
            _(
                "Only a publisher can restore a version of the site settings: every page shows "
                "them at once. Change them in the form instead: your change waits as a draft."
            ),
            messages.ERROR,
        )
        url = reverse("admin:pages_sitesettings_changelist")
        if object_id is not None:
            url = reverse("admin:pages_sitesettings_change", args=[object_id])
        return HttpResponseRedirect(url)

    @admin.display(description=_("status"))
    def live_status(self, obj):
        if getattr(obj, "has_pending_draft", False):
            return _("Live + draft")
        return _("Live")

    def view_on_site(self, obj):
        return "/"


class PagePointInline(TranslationTabularInline):
    model = PagePoint
    extra = 1
    fields = ["text", "order"]


class PageFigureInline(TranslationTabularInline):
    model = PageFigure
    extra = 0
    fields = ["value", "label", "order"]


@admin.register(ProgramPage)
class ProgramPageAdmin(
    LibraryChoosersMixin, TranslationStatusMixin, PublishingAdmin, TranslationAdmin
):
    # The page that the Preview button shows the unsaved form in (editorial/preview.py).
    public_view = ProgramPageDetailView
    list_display = [
        "title",
        "nav_title",
        "order",
        "status_display",
        "missing_translations",
        "updated_at",
    ]
    list_editable = ["order"]
    list_filter = [StatusFilter, MissingTranslationFilter]
    translation_check_fields = ["title", "summary", "body"]
    search_fields = get_translation_fields("title", "summary", "body")
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PagePointInline, PageFigureInline]
    fieldsets = [
        (None, {"fields": ["title", "nav_title", "slug", "summary", "body"]}),
        (_("Image"), {"fields": ["image"]}),
        (_("Search engines and sharing"), {"fields": ["meta_description"]}),
        (_("Points and figures"), {"fields": ["points_intro"]}),
        (_("After the points"), {"fields": ["closing", "link_url", "link_text"]}),
        (
            _("Publishing"),
            {"fields": ["is_published", "published_at", "unpublish_at", "order"]},
        ),
    ]
