from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.utils import get_translation_fields

from editorial.admin import (
    MissingTranslationFilter,
    PublishingAdmin,
    StatusFilter,
    TranslationStatusMixin,
)
from editorial.compare import ReadableCompareAdmin
from editorial.language_tabs import LanguageTabsMixin
from editorial.translate import TranslateAdminMixin
from library.choosers import LibraryChoosersMixin

from .models import PageFigure, PagePoint, ProgramPage, SiteSettings
from .views import ProgramPageDetailView


@admin.register(SiteSettings)
class SiteSettingsAdmin(
    TranslateAdminMixin,
    LanguageTabsMixin,
    LibraryChoosersMixin,
    ReadableCompareAdmin,
    TranslationAdmin,
):
    fieldsets = [
        (None, {"fields": ["site_name", "short_name", "tagline", "footer_text"]}),
        (_("Search engines and sharing"), {"fields": ["share_image"]}),
    ]
    readonly_fields = ["updated_at"]

    # Every page shows them, at once (no drafts yet): publishers change them, editors look.
    def has_publish_permission(self, request):
        return request.user.has_perm("pages.publish_sitesettings")

    def has_add_permission(self, request):
        return (
            not SiteSettings.objects.exists()
            and super().has_add_permission(request)
            and self.has_publish_permission(request)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.has_publish_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and not self.has_publish_permission(request):
            self.message_user(
                request,
                _(
                    "Every page shows the site settings, so only a publisher can change them. "
                    "Ask a publisher to make the change."
                ),
                # A warning, not info: the admin draws info with the green tick of "saved".
                messages.WARNING,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

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
