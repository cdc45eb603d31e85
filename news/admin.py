from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from modeltranslation.utils import get_translation_fields

from editorial.admin import (
    MissingTranslationFilter,
    PublishingAdmin,
    StatusFilter,
    TranslationStatusMixin,
)
from library.choosers import LibraryChoosersMixin

from .models import SEARCH_VECTORS, AlertDelivery, Article, NewsItem
from .views import NewsItemDetailView


class ArticleInline(TranslationStackedInline):
    model = Article
    extra = 0
    fields = ["title", "publication", "url", "file", "note", "order"]


@admin.register(NewsItem)
class NewsItemAdmin(
    LibraryChoosersMixin, TranslationStatusMixin, PublishingAdmin, TranslationAdmin
):
    """Each text in English, French and Khmer, one under the other (modeltranslation's
    TranslationAdmin, after PublishingAdmin so that publishing rights and history stay)."""

    # The page that the Preview button shows the unsaved form in (editorial/preview.py).
    public_view = NewsItemDetailView
    list_display = [
        "title",
        "kind",
        "status_display",
        "published_at",
        "is_members_only",
        "has_pdf",
        "missing_translations",
        "updated_at",
    ]
    list_filter = [
        StatusFilter,
        "kind",
        "is_members_only",
        MissingTranslationFilter,
        "published_at",
    ]
    translation_check_fields = ["title", "summary", "body"]
    search_fields = get_translation_fields("title", "summary", "body")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["partners"]
    inlines = [ArticleInline]
    readonly_fields = [
        "pdf_size_display",
        "pdf_fr_size_display",
        "pdf_km_size_display",
        "updated_at",
        "alerts_queued_at",
    ]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "summary", "body"]}),
        (_("Search engines and sharing"), {"fields": ["meta_description"]}),
        (
            _("Report"),
            {
                "fields": [
                    "pdf",
                    "pdf_size_display",
                    "pdf_fr",
                    "pdf_fr_size_display",
                    "pdf_km",
                    "pdf_km_size_display",
                ],
                "description": _(
                    "The report's PDF in English, and in French and Khmer when it has them: "
                    "readers are offered the PDF in their language first."
                ),
            },
        ),
        (_("Image"), {"fields": ["image"]}),
        (_("Press feature"), {"fields": ["partners"]}),
        (_("Members"), {"fields": ["is_members_only", "pdf_members_only"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "is_published",
                    "published_at",
                    "unpublish_at",
                    "updated_at",
                    "alerts_queued_at",
                ],
                "description": _(
                    "Publishing a report or press feature emails the members who asked for "
                    "alerts, once, at its publication time."
                ),
            },
        ),
    ]

    @admin.display(boolean=True, description=_("PDF"))
    def has_pdf(self, obj):
        return bool(obj.pdf)

    @admin.display(description=_("PDF size"))
    def pdf_size_display(self, obj):
        return filesizeformat(obj.pdf_size) if obj.pdf else "—"

    @admin.display(description=_("size of the PDF in French"))
    def pdf_fr_size_display(self, obj):
        return filesizeformat(obj.pdf_fr_size) if obj.pdf_fr else "—"

    @admin.display(description=_("size of the PDF in Khmer"))
    def pdf_km_size_display(self, obj):
        return filesizeformat(obj.pdf_km_size) if obj.pdf_km else "—"


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    """What the alert worker sent, and what the mail server refused (it retries)."""

    list_display = ["news_item", "user", "status", "attempts", "sent_at", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "news_item"]
    search_fields = ["news_item__title", "user__email", "last_error"]
    list_select_related = ["news_item", "user"]
    readonly_fields = ["news_item", "user", "sent_at", "attempts", "last_error", "created_at"]

    def get_queryset(self, request):
        # Not the items' search vectors: large, and only the site search reads them.
        vectors = [f"news_item__{name}" for name in SEARCH_VECTORS]
        return super().get_queryset(request).defer(*vectors)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
