from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
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

from .models import SEARCH_VECTORS, AlertDelivery, Article, ItemDocument, Kind, NewsItem
from .views import NewsItemDetailView


class ItemDocumentFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.kind != Kind.REPORT:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and form.cleaned_data.get("document")
            and not (self.can_delete and self._should_delete_form(form))
        ]
        if not kept:
            raise ValidationError(
                _("A report needs at least one document: choose its PDF from the library.")
            )


class ArticleFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        item = self.instance  # with the form's values (ModelAdmin passes the unsaved object)
        item.articles_in_form = any(
            form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
            for form in self.forms
        )
        if item.is_published:
            problem = item.publishing_problem()
            if problem:
                raise ValidationError(problem)


class ItemDocumentInline(LibraryChoosersMixin, admin.TabularInline):
    """The documents the item offers, chosen from the library, each with its role; readers
    are offered them in this order, each role's documents in their language first."""

    model = ItemDocument
    formset = ItemDocumentFormSet
    extra = 0
    fields = ["document", "role", "order"]
    verbose_name = _("document")
    verbose_name_plural = _("documents (a report's PDF in each language, annexes, summaries)")


class ArticleInline(LibraryChoosersMixin, TranslationStackedInline):
    model = Article
    formset = ArticleFormSet
    extra = 0
    fields = ["title", "publication", "url", "document", "note", "order"]


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
        "has_documents",
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
    inlines = [ItemDocumentInline, ArticleInline]
    readonly_fields = ["updated_at", "alerts_queued_at"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "summary", "body"]}),
        (_("Search engines and sharing"), {"fields": ["meta_description"]}),
        (_("Image"), {"fields": ["image"]}),
        (_("Press feature"), {"fields": ["partners"]}),
        (_("Members"), {"fields": ["is_members_only"]}),
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

    def get_queryset(self, request):
        links = ItemDocument.objects.filter(news_item=OuterRef("pk"))
        return super().get_queryset(request).annotate(with_documents=Exists(links))

    @admin.display(boolean=True, description=_("documents"), ordering="with_documents")
    def has_documents(self, obj):
        return obj.with_documents


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
