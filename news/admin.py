import re
from functools import reduce
from operator import or_

from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, F, Func, Lookup, OuterRef, Q, Value
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from modeltranslation.utils import get_translation_fields

from core.khmer import KHMER_CONFIG
from core.khmer import words as words_of
from editorial.admin import (
    KeysFirstPaginator,
    MissingTranslationFilter,
    PublishingAdmin,
    StatusFilter,
    TranslationStatusMixin,
    year_filter,
)
from library.choosers import LibraryChoosersMixin

from .models import (
    SEARCH_CONFIGS,
    SEARCH_VECTORS,
    AlertDelivery,
    Article,
    ItemDocument,
    Kind,
    NewsItem,
)
from .views import NewsItemDetailView

# The most of a staff search that is read, and the words of it that are looked for.
MAX_SEARCH_CHARS = 200
MAX_SEARCH_WORDS = 8
# Columns a piece of a title or an address is looked for in (pg_trgm's GIN indexes,
# migration 0021). Shorter pieces are looked for as words only: no index can find them.
FRAGMENT_COLUMNS = ["title_en", "title_fr", "title_km", "slug"]
MIN_FRAGMENT = 3
# Columns the change list never shows, some very long (a report's documents' text).
LIST_DEFERRED = [
    "documents_text",
    "members_documents_text",
    "km_words",
    "km_body_words",
    *get_translation_fields("meta_description"),
]
# Letters, digits and Khmer's combining marks: what a word of a prefix query keeps.
_NOT_WORD = re.compile(r"[^\w\u17b4-\u17d3\u17dd]|_")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ToTsQuery(Func):
    function = "to_tsquery"
    output_field = NewsItem._meta.get_field("search_public").output_field


class Matches(Lookup):
    """`vector @@ query` (a stored search vector against a to_tsquery)."""

    lookup_name = "tsmatch"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ {rhs}", [*lhs_params, *rhs_params]


class ILike(Lookup):
    """`column ILIKE pattern`, which pg_trgm's GIN index answers (Django's icontains writes
    UPPER(column) LIKE …, which no index does)."""

    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


def search_words(term):
    """The words of a staff search (any language, Khmer split by ICU), letters and digits
    only, at most MAX_SEARCH_WORDS."""
    found = []
    for word in words_of(_CONTROL.sub(" ", term[:MAX_SEARCH_CHARS])):
        for piece in _NOT_WORD.sub(" ", word).split():
            if piece not in found:
                found.append(piece)
    return found[:MAX_SEARCH_WORDS]


def prefix_query(words):
    """to_tsquery's text: every word, each as a prefix ("wome" finds "women")."""
    return " & ".join(f"'{word}':*" for word in words)


def fragment_pattern(term):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def postgres_search(queryset, term):
    """News items whose stored search vectors (title, summary, body in each language, the
    documents' text; members-only content included: staff read it) have every word of `term`
    as a prefix, or whose title or address has `term` in it. Indexes answer each part."""
    term = " ".join(_CONTROL.sub(" ", term[:MAX_SEARCH_CHARS]).split())
    words = search_words(term)
    conditions = []
    if words:
        text = prefix_query(words)
        configs = {"": SEARCH_CONFIGS["en"], "_fr": SEARCH_CONFIGS["fr"], "_km": KHMER_CONFIG}
        for suffix, config in configs.items():
            query = ToTsQuery(Value(config), Value(text))
            for vector in (f"search_public{suffix}", f"search_members{suffix}"):
                conditions.append(Matches(F(vector), query))
    if len(term) >= MIN_FRAGMENT:
        pattern = fragment_pattern(term)
        conditions += [ILike(F(name), Value(pattern)) for name in FRAGMENT_COLUMNS]
    if not conditions:
        return queryset.none()
    return queryset.filter(reduce(or_, (Q(condition) for condition in conditions)))


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
        year_filter("published_at"),
        "published_at",
    ]
    translation_check_fields = ["title", "summary", "body"]
    # On PostgreSQL the search uses the stored search vectors and trigram indexes
    # (get_search_results); elsewhere each of these columns with LIKE.
    search_fields = [*get_translation_fields("title", "summary", "body"), "slug"]
    search_help_text = _(
        "Finds items with every word (or the start of a word) in their title, summary, body "
        "or documents, in any language, and items whose title or address contains the text."
    )
    # 100,000 items: no second COUNT(*) of the whole table on each page, and no date hierarchy
    # (its first and last dates and years read every row): the year filter instead.
    show_full_result_count = False
    paginator = KeysFirstPaginator
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
        queryset = super().get_queryset(request).annotate(with_documents=Exists(links))
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            # Long texts the list never shows (the bodies stay: the translations column reads
            # them).
            queryset = queryset.defer(*LIST_DEFERRED)
        return queryset

    def get_paginator(self, request, queryset, per_page, **kwargs):
        paginator = super().get_paginator(request, queryset, per_page, **kwargs)
        paginator.through_indexes = bool(request.GET.get(SEARCH_VAR, "").strip())
        return paginator

    def get_search_results(self, request, queryset, search_term):
        if connection.vendor == "postgresql" and search_term.strip():
            return postgres_search(queryset, search_term), False
        # SQLite: LIKE on each column, for a query cut short (a word adds a condition each).
        return super().get_search_results(request, queryset, search_term[:MAX_SEARCH_CHARS])

    @admin.display(boolean=True, description=_("documents"), ordering="with_documents")
    def has_documents(self, obj):
        return obj.with_documents


class AlertedItemFilter(admin.SimpleListFilter):
    """The latest items whose alerts went out (by alerts_queued_at, indexed in migration 0021);
    an older one's emails are found by its slug in the search."""

    title = _("news item")
    parameter_name = "news_item__id__exact"
    LATEST = 20

    def lookups(self, request, model_admin):
        items = NewsItem.objects.filter(alerts_queued_at__isnull=False).order_by(
            "-alerts_queued_at", "-pk"
        )
        return [(str(item.pk), str(item)) for item in items.only("pk", "title")[: self.LATEST]]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value.isdigit() and len(value) < 19:
            return queryset.filter(news_item_id=int(value))
        return queryset


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    """What the alert worker sent, and what the mail server refused (it retries)."""

    list_display = ["news_item", "user", "status", "attempts", "sent_at", "last_error"]
    # Not Django's filter by news item: it listed every item (100,000 links, 28 s).
    list_filter = [("sent_at", admin.EmptyFieldListFilter), AlertedItemFilter]
    # The member's address (exact, or its start) and the item's address: indexed columns;
    # the words of titles and errors would read every row of a table of millions.
    search_fields = ["user__email", "news_item__slug"]
    search_help_text = _("A member's email address (or its start), or a news item's slug.")
    list_select_related = ["news_item", "user"]
    show_full_result_count = False
    paginator = KeysFirstPaginator
    readonly_fields = ["news_item", "user", "sent_at", "attempts", "last_error", "created_at"]

    def get_search_results(self, request, queryset, search_term):
        # The start of a member's address or an item's exact slug, each through its index
        # (Django's search read every row of every delivery's item and member).
        term = _CONTROL.sub("", search_term).strip()[:MAX_SEARCH_CHARS]
        if not term:
            return queryset, False
        members = get_user_model().objects.filter(email__istartswith=term).values("pk")
        items = NewsItem.objects.filter(slug=term.lower()).values("pk")
        found = Q(user_id__in=members[:500]) | Q(news_item_id__in=items)
        return queryset.filter(found), False

    def get_queryset(self, request):
        # Not the items' search vectors: large, and only the site search reads them.
        vectors = [f"news_item__{name}" for name in SEARCH_VECTORS]
        return super().get_queryset(request).defer(*vectors)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
