from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.cache import ContentQuerySet
from core.html import RichTextField, clean_html, clean_html_in_every_language
from core.khmer import KHMER_CONFIG, KhmerWordsField, with_khmer_words
from core.postgres import PostgresGinIndex, PostgresOnly
from core.publishing import Publishable, PublishableQuerySet
from core.translated import columns
from files.pdfs import MAX_TEXT_CHARS
from library.fields import image_field
from partners.models import Municipality


class Kind(models.TextChoices):
    REPORT = "report", _("Report")
    PRESS = "press", _("Press feature")
    NEWS = "news", _("News")


class Role(models.TextChoices):
    """What a document is to the item that offers it."""

    REPORT = "report", _("Report")
    ANNEX = "annex", _("Annex")
    SUMMARY = "summary", _("Summary")
    OTHER = "other", _("Other")


# The documents' text an item keeps for the site search (documents_text and
# members_documents_text together): the most one PDF's text may be (files.pdfs), shared among
# the item's documents, so that the search vectors stay under PostgreSQL's 1 MB.
MAX_DOCUMENTS_TEXT = MAX_TEXT_CHARS


class NewsItemQuerySet(PublishableQuerySet):
    pass


# The stored search vectors: large for a long report (its words and their positions), and only
# the search reads them, in SQL; so news items are loaded without them.
SEARCH_VECTORS = (
    "search_public",
    "search_members",
    "search_public_fr",
    "search_members_fr",
    "search_public_km",
    "search_members_km",
)


class NewsItemManager(models.Manager.from_queryset(NewsItemQuerySet)):
    def get_queryset(self):
        return super().get_queryset().defer(*SEARCH_VECTORS)


# The text search configurations of the site search on PostgreSQL (stemming, stop words), for
# the content languages PostgreSQL has one for. Khmer has none (and is written without spaces
# between words): it is searched by its words (search/engines.py), which ICU finds when a row
# is saved (core.khmer: km_words, km_body_words) and which have stored vectors too
# (search_public_km, search_members_km), with core.khmer.KHMER_CONFIG ('simple').
SEARCH_CONFIGS = {"en": "english", "fr": "french"}


# Who may read what: the one statement of it, for the site search on both databases. A
# members-only item's body and documents are for members; so are the documents marked members
# only, whatever item offers them (their text is kept apart, in members_documents_text).
MEMBERS_ONLY_BODY = Q(is_members_only=True)
MEMBERS_ONLY_CONTENT = Q(is_members_only=True) | ~Q(members_documents_text="")


def body_visible_to(members, lang="en"):
    """The body (in `lang`) as the site search sees it: a members-only item's body is for
    members."""
    body = F(f"body_{lang}")
    if members:
        return body
    return Case(
        # Written as keywords (MEMBERS_ONLY_BODY) because migration 0007 stores it so.
        When(is_members_only=True, then=Value("")),
        default=body,
        output_field=models.TextField(),
    )


def documents_text_visible_to(members):
    """The text of the item's documents as the site search sees it: visitors search the
    public documents of a public item; members search every document."""
    if members:
        return Concat(
            F("documents_text"),
            Value(" "),
            F("members_documents_text"),
            output_field=models.TextField(),
        )
    return Case(
        When(is_members_only=True, then=Value("")),
        default=F("documents_text"),
        output_field=models.TextField(),
    )


def search_vector(*, members, lang="en"):
    """What the site search matches on PostgreSQL: title, summary, body (in `lang`) and, in
    English, the text of the item's documents, weighted in that order, without what visitors
    may not read unless `members`. Stored in the generated columns `search_public` and
    `search_members` (English) and `search_public_fr` and `search_members_fr` (French)."""
    config = SEARCH_CONFIGS[lang]
    vector = (
        SearchVector(f"title_{lang}", weight="A", config=config)
        + SearchVector(f"summary_{lang}", weight="B", config=config)
        + SearchVector(body_visible_to(members, lang), weight="C", config=config)
    )
    if lang == "en":
        # The documents' texts, whatever their languages: searched with the English texts,
        # which every language's search includes.
        vector += SearchVector(documents_text_visible_to(members), weight="D", config=config)
    return vector


def khmer_search_vector(*, members):
    """What the site search matches in Khmer on PostgreSQL: the words of the title and summary
    (km_words), then of the body (km_body_words, for members only on a members-only item), as
    ICU found them (core.khmer). Stored in `search_public_km` and `search_members_km`."""
    body = F("km_body_words")
    if not members:
        body = Case(
            When(is_members_only=True, then=Value("")),
            default=body,
            output_field=models.TextField(),
        )
    return SearchVector("km_words", weight="A", config=KHMER_CONFIG) + SearchVector(
        body, weight="C", config=KHMER_CONFIG
    )


def search_vector_field(*, members, lang="en"):
    """A generated column of the search vector on PostgreSQL (NULL on SQLite). For members,
    only on items with members-only content (NULL on the others)."""
    if lang == "km":
        vector = khmer_search_vector(members=members)
    else:
        vector = search_vector(members=members, lang=lang)
    if members:
        vector = Case(
            When(MEMBERS_ONLY_CONTENT, then=vector),
            default=None,
            output_field=SearchVectorField(),
        )
    return models.GeneratedField(
        expression=PostgresOnly(vector),
        output_field=SearchVectorField(),
        db_persist=True,
        serialize=False,
    )


class NewsItem(Publishable):
    """An item of "The latest": a published report, a press feature or a news story."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(
        _("slug"),
        max_length=250,
        unique=True,
        # Forms show help texts as HTML: escaped, or "<slug>" is taken for a tag and vanishes.
        help_text=escape(_("The item's address: /news/<slug>/.")),
    )
    summary = models.TextField(
        _("summary"), help_text=_("One or two plain sentences for the home page and listings.")
    )
    body = RichTextField(
        _("body"),
        blank=True,
        help_text=_(
            "Headings, paragraphs, bold, italic, lists, links and quotes, from the editor's "
            "toolbar; anything else pasted in is removed on save."
        ),
    )
    # The text of the documents the item offers (ItemDocument), kept here for the site search
    # (the generated search columns read only this row): that of the documents anyone may
    # download, and that of the documents marked members only. Updated whenever the item, its
    # list of documents or one of its documents is saved (news/documents.py).
    documents_text = models.TextField(blank=True, default="", editable=False)
    members_documents_text = models.TextField(blank=True, default="", editable=False)
    # The Khmer texts' words (core.khmer), for the Khmer search vectors: remade whenever the
    # row is saved.
    km_words = KhmerWordsField(sources=("title_km", "summary_km"))
    km_body_words = KhmerWordsField(sources=("body_km",))
    partners = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="news_items",
        verbose_name=_("partners covered"),
        help_text=_("The partner municipalities this item is about."),
    )
    # Shown at the top of the item, on its card and when the item is shared; its description
    # (alt text) is the library image's, in each language.
    image = image_field()
    is_members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_(
            "Visitors see the title and summary and are invited to log in or sign up; "
            "members read the whole item and download its files."
        ),
    )
    alerts_queued_at = models.DateTimeField(
        _("alerts queued"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When alert emails to subscribed members were queued (once per item)."),
    )
    meta_description = models.CharField(
        _("description for search engines and sharing"),
        max_length=300,
        blank=True,
        help_text=_("Shown by search engines and on shared links; the summary is used when empty."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The site search on PostgreSQL (NULL on SQLite): kept up to date by the database itself,
    # whatever changes the row. What visitors may search, and for members what more they may
    # (only on items with members-only content; NULL on the others); in English and in French.
    search_public = search_vector_field(members=False)
    search_members = search_vector_field(members=True)
    search_public_fr = search_vector_field(members=False, lang="fr")
    search_members_fr = search_vector_field(members=True, lang="fr")
    search_public_km = search_vector_field(members=False, lang="km")
    search_members_km = search_vector_field(members=True, lang="km")

    objects = NewsItemManager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        permissions = [("publish_newsitem", _("Can publish, schedule and unpublish news items"))]
        indexes = [
            models.Index(fields=["is_published", "-published_at"]),
            # The site search on PostgreSQL.
            PostgresGinIndex(fields=["search_public"], name="news_search_public"),
            PostgresGinIndex(fields=["search_members"], name="news_search_members"),
            PostgresGinIndex(fields=["search_public_fr"], name="news_search_public_fr"),
            PostgresGinIndex(fields=["search_members_fr"], name="news_search_members_fr"),
            PostgresGinIndex(fields=["search_public_km"], name="news_search_public_km"),
            PostgresGinIndex(fields=["search_members_km"], name="news_search_members_km"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        clean_html_in_every_language(self, "body")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            update_fields = kwargs["update_fields"] = with_khmer_words(update_fields, NewsItem)
        if self.pk is not None and (update_fields is None or "documents_text" in update_fields):
            # From the stored links: a save of stale values (a form opened earlier, a draft
            # published) keeps the documents' text as the links have it now.
            self.documents_text, self.members_documents_text = documents_texts(self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("news:detail", args=[self.slug])

    def offered_documents(self, lang=None):
        """The item's documents as readers are offered them: its ItemDocument rows (with their
        document), grouped by role in the order staff gave, each group in the reader's
        language (`lang`, the active language by default) first. Reads the prefetched rows
        when the view prefetched them (news.views.with_documents)."""
        lang = lang or translation.get_language()
        links = list(self.documents.all())
        first_of_role = {}
        for position, link in enumerate(links):
            first_of_role.setdefault(link.role, position)
        return sorted(
            links, key=lambda link: (first_of_role[link.role], link.document.language != lang)
        )

    @property
    def public_report(self):
        """The report's document anyone may download, in the reader's language when it has
        one, for the item's card; None for a members-only item."""
        if self.is_members_only:
            return None
        for link in self.offered_documents():
            if link.role == Role.REPORT and not link.document.is_members_only:
                return link.document
        return None

    def clean(self):
        super().clean()
        errors = {}
        if errors:
            raise ValidationError(errors)

    def publishing_problem(self):
        """Why the item may not be published as it is, or "" (editorial.workflow.publish() asks,
        whichever path publishes): a press feature with no body in any language and no article
        would email its subscribers an empty alert. A draft may be saved empty."""
        if self.kind != Kind.PRESS:
            return ""
        if any(clean_html(getattr(self, name) or "") for name in columns("body")):
            return ""
        # The admin's form checks its article rows before they are saved (news/admin.py).
        has_articles = getattr(self, "articles_in_form", None)
        if has_articles is None:
            has_articles = self.pk is not None and self.articles.exists()
        if has_articles:
            return ""
        return _(
            "A press feature needs a body or at least one article before it is published "
            "(its subscribers would get an empty alert). Add one, or keep it as a draft."
        )


def document_field(**options):
    """A document chosen from the library. A document an item offers cannot be deleted from
    the library until no item offers it (the library's delete page names them)."""
    return models.ForeignKey(
        "library.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_uses",
        **options,
    )


class ItemDocument(models.Model):
    """A library document a news item offers (a report, its annex, a summary, each language's
    version), in the order staff gave. The same document may be offered by several items."""

    # The item this row belongs to, for the library's "where used" (library/usage.py).
    library_owner = "news_item"

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="documents")
    document = document_field(
        help_text=_("Choose a document from the library, or upload one there."),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.REPORT)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        # For the admin's history ("Added document “Report: Annual report 2026”").
        return f"{self.get_role_display()}: {self.document}"

    def is_members_only(self):
        """Whether only members may download the document through this item."""
        return self.news_item.is_members_only or self.document.is_members_only


class Article(models.Model):
    """An article elsewhere that a press feature is about, by link or as a library document."""

    library_owner = "news_item"

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(_("title"), max_length=250)
    publication = models.CharField(
        _("publication"), max_length=120, blank=True, help_text=_("For example: Economics Today.")
    )
    url = models.URLField(_("address"), blank=True, help_text=_("A link to the article online."))
    document = document_field(
        null=True,
        blank=True,
        help_text=_("Or a copy of the article, chosen from the library."),
    )
    note = models.CharField(
        _("note"),
        max_length=250,
        blank=True,
        help_text=_("Shown next to the link, for example to mark a sample file."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.title

    def clean(self):
        if not self.url and not self.document_id:
            raise ValidationError(_("Give the article's address or choose a copy of it."))

    @property
    def href(self):
        return self.url or (self.document.get_absolute_url() if self.document_id else "")


def share_text(texts, budget):
    """`texts` cut so that together they hold at most `budget` characters, shared fairly: a
    short text keeps all of it, and what it leaves goes to the longer ones."""
    kept = [""] * len(texts)
    remaining = budget
    by_length = sorted(range(len(texts)), key=lambda index: len(texts[index]))
    for done, index in enumerate(by_length):
        share = remaining // (len(texts) - done)
        kept[index] = texts[index][:share]
        remaining -= len(kept[index])
    return kept


def documents_texts(item_id):
    """(public text, members-only text) of the documents the item offers, for the search: the
    documents' texts in the item's order, within MAX_DOCUMENTS_TEXT together."""
    rows = list(
        ItemDocument.objects.filter(news_item_id=item_id)
        .order_by("order", "id")
        .values_list("document__text", "document__is_members_only")
    )
    texts = share_text([text or "" for text, _members in rows], MAX_DOCUMENTS_TEXT)
    public = [text for text, (_t, members) in zip(texts, rows, strict=True) if text and not members]
    members = [text for text, (_t, members) in zip(texts, rows, strict=True) if text and members]
    return "\n\n".join(public), "\n\n".join(members)


def refresh_documents_text(item_ids):
    """Store the documents' text of the items `item_ids` (after their links or documents
    changed), without saving anything else of them."""
    for item_id in set(item_ids):
        public, members = documents_texts(item_id)
        NewsItem.objects.filter(pk=item_id).update(
            documents_text=public, members_documents_text=members
        )


class AlertDelivery(models.Model):
    """One alert email about one news item to one member: the record that makes each alert
    go out once, and shows staff what failed."""

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_deliveries"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alert email")
        verbose_name_plural = _("alert emails")
        constraints = [
            models.UniqueConstraint(fields=["news_item", "user"], name="one_alert_per_member")
        ]

    def __str__(self):
        return f"{self.news_item} → {self.user}"

    @property
    def status(self):
        if self.sent_at:
            return _("sent")
        if self.last_error:
            return _("failed")
        return _("waiting")
