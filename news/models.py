from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.cache import ContentQuerySet
from core.html import RichTextField, clean_html_in_every_language
from core.postgres import PostgresGinIndex, PostgresOnly
from core.publishing import Publishable, PublishableQuerySet
from files.storage import get_private_storage
from files.uploads import PdfDetails, UploadDetailsMixin
from files.validators import validate_pdf_upload
from library.fields import image_field
from partners.models import Municipality


def file_size(field_file, known):
    """The file's size in bytes, stored so pages need not ask the disk; a stored file that has
    gone missing keeps the size it had."""
    if not field_file:
        return 0
    try:
        return field_file.size
    except OSError:
        return known


class Kind(models.TextChoices):
    REPORT = "report", _("Report")
    PRESS = "press", _("Press feature")
    NEWS = "news", _("News")


# A report's PDF in each language: the language, its file field (whose size and page count are
# in `<field>_size` and `<field>_pages`). English is the report's own PDF, the one a report must
# have, whose first page and text the site shows and searches.
PDF_LANGUAGES = [("en", "pdf"), ("fr", "pdf_fr"), ("km", "pdf_km")]
# A news item's own files in the private storage, served only by the document views: the
# report's PDF in each language and the picture of its first page (article copies are rows of
# their own).
PRIVATE_FILE_FIELDS = [field for _lang, field in PDF_LANGUAGES] + ["pdf_thumbnail"]


def pdf_field(verbose_name):
    """A report's PDF: stored privately (served by the document view), checked to be a PDF."""
    return models.FileField(
        verbose_name,
        upload_to="news/reports/%Y/",
        storage=get_private_storage,
        blank=True,
        validators=[FileExtensionValidator(["pdf"]), validate_pdf_upload],
    )


class NewsItemQuerySet(PublishableQuerySet):
    pass


# The stored search vectors: large for a long report (its words and their positions), and only
# the search reads them, in SQL; so news items are loaded without them.
SEARCH_VECTORS = ("search_public", "search_members", "search_public_fr", "search_members_fr")


class NewsItemManager(models.Manager.from_queryset(NewsItemQuerySet)):
    def get_queryset(self):
        return super().get_queryset().defer(*SEARCH_VECTORS)


# The text search configurations of the site search on PostgreSQL (stemming, stop words), for
# the content languages PostgreSQL has one for. Khmer has none (and is written without spaces
# between words): its texts are searched as substrings (search/engines.py).
SEARCH_CONFIGS = {"en": "english", "fr": "french"}


# Who may read what: the one statement of it, for the site search on both databases.
MEMBERS_ONLY_BODY = Q(is_members_only=True)
MEMBERS_ONLY_PDF = Q(is_members_only=True) | Q(pdf_members_only=True)


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


def pdf_text_visible_to(members):
    """The PDF's text as the site search sees it: members-only PDFs are for members."""
    if members:
        return F("pdf_text")
    return Case(
        When(MEMBERS_ONLY_PDF, then=Value("")),
        default=F("pdf_text"),
        output_field=models.TextField(),
    )


def search_vector(*, members, lang="en"):
    """What the site search matches on PostgreSQL: title, summary, body (in `lang`) and, in
    English, the PDF's text, weighted in that order, without what visitors may not read unless
    `members`. Stored in the generated columns `search_public` and `search_members` (English)
    and `search_public_fr` and `search_members_fr` (French)."""
    config = SEARCH_CONFIGS[lang]
    vector = (
        SearchVector(f"title_{lang}", weight="A", config=config)
        + SearchVector(f"summary_{lang}", weight="B", config=config)
        + SearchVector(body_visible_to(members, lang), weight="C", config=config)
    )
    if lang == "en":
        # A report has one PDF, whatever its language: searched with the English texts, which
        # every language's search includes.
        vector += SearchVector(pdf_text_visible_to(members), weight="D", config=config)
    return vector


def search_vector_field(*, members, lang="en"):
    """A generated column of the search vector on PostgreSQL (NULL on SQLite). For members,
    only on items with members-only content (NULL on the others)."""
    vector = search_vector(members=members, lang=lang)
    if members:
        vector = Case(
            When(MEMBERS_ONLY_PDF, then=vector), default=None, output_field=SearchVectorField()
        )
    return models.GeneratedField(
        expression=PostgresOnly(vector),
        output_field=SearchVectorField(),
        db_persist=True,
        serialize=False,
    )


class NewsItem(UploadDetailsMixin, Publishable):
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
    pdf = pdf_field(_("report PDF"))
    pdf_size = models.PositiveBigIntegerField(_("PDF size in bytes"), default=0, editable=False)
    pdf_pages = models.PositiveIntegerField(_("PDF pages"), default=0, editable=False)
    # The PDF's text, read with PDFium when the PDF is saved, for the site search.
    pdf_text = models.TextField(_("text of the PDF"), blank=True, editable=False)
    # A picture of the PDF's first page, stored and served like the PDF itself (privately,
    # through the document view), so a members-only report's first page stays members-only.
    pdf_thumbnail = models.ImageField(
        _("first page of the PDF"),
        upload_to="news/reports/%Y/",
        storage=get_private_storage,
        blank=True,
        editable=False,
    )
    pdf_thumbnail_width = models.PositiveSmallIntegerField(default=0, editable=False)
    pdf_thumbnail_height = models.PositiveSmallIntegerField(default=0, editable=False)
    # The report's PDF in French and in Khmer, when it has one: offered next to the English PDF,
    # with the same members-only rule.
    pdf_fr = pdf_field(_("PDF in French"))
    pdf_fr_size = models.PositiveBigIntegerField(default=0, editable=False)
    pdf_fr_pages = models.PositiveIntegerField(default=0, editable=False)
    pdf_km = pdf_field(_("PDF in Khmer"))
    pdf_km_size = models.PositiveBigIntegerField(default=0, editable=False)
    pdf_km_pages = models.PositiveIntegerField(default=0, editable=False)
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
    pdf_members_only = models.BooleanField(
        _("PDF for members only"),
        default=False,
        help_text=_("The item is public but only members may download its PDF."),
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

    objects = NewsItemManager()
    upload_details = [
        PdfDetails("pdf", pages="pdf_pages", thumbnail="pdf_thumbnail", text="pdf_text"),
        PdfDetails("pdf_fr", pages="pdf_fr_pages"),
        PdfDetails("pdf_km", pages="pdf_km_pages"),
    ]

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
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        clean_html_in_every_language(self, "body")
        for _lang, field in PDF_LANGUAGES:
            size_field = f"{field}_size"
            setattr(self, size_field, file_size(getattr(self, field), getattr(self, size_field)))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("news:detail", args=[self.slug])

    @property
    def pdf_is_members_only(self):
        return self.is_members_only or self.pdf_members_only

    def pdf_versions(self, lang=None):
        """The report's PDFs, one per language it has one in, the reader's language (`lang`,
        the active language by default) first, else English first: dicts of the language's
        code and name (in itself), the file, its size and page count."""
        lang = lang or translation.get_language()
        versions = []
        names = dict(settings.LANGUAGES)
        for code, field in PDF_LANGUAGES:
            field_file = getattr(self, field)
            if not field_file:
                continue
            with translation.override(code):
                name = str(names.get(code, code))
            versions.append(
                {
                    "lang": code,
                    "name": name,
                    "file": field_file,
                    "size": getattr(self, f"{field}_size"),
                    "pages": getattr(self, f"{field}_pages"),
                }
            )
        versions.sort(key=lambda version: version["lang"] != lang)  # stable: English next
        return versions

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == Kind.REPORT and not self.pdf:
            errors["pdf"] = _("A report needs its PDF.")
        if errors:
            raise ValidationError(errors)


class Article(UploadDetailsMixin, models.Model):
    """An article elsewhere that a press feature is about, by link or as an attached file."""

    news_item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(_("title"), max_length=250)
    publication = models.CharField(
        _("publication"), max_length=120, blank=True, help_text=_("For example: Economics Today.")
    )
    url = models.URLField(_("address"), blank=True, help_text=_("A link to the article online."))
    file = models.FileField(
        _("file"),
        upload_to="news/articles/%Y/",
        storage=get_private_storage,
        blank=True,
        validators=[FileExtensionValidator(["pdf"]), validate_pdf_upload],
        help_text=_("Or a PDF copy of the article."),
    )
    file_size = models.PositiveBigIntegerField(default=0, editable=False)
    file_pages = models.PositiveIntegerField(_("pages"), default=0, editable=False)
    note = models.CharField(
        _("note"),
        max_length=250,
        blank=True,
        help_text=_("Shown next to the link, for example to mark a sample file."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    upload_details = [PdfDetails("file", pages="file_pages")]

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.file_size = file_size(self.file, self.file_size)
        super().save(*args, **kwargs)

    def clean(self):
        if not self.url and not self.file:
            raise ValidationError(_("Give the article's address or attach a PDF copy."))

    @property
    def href(self):
        return self.url or (self.file.url if self.file else "")


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
