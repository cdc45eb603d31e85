from django.db import models
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.cache import ContentQuerySet, kept_per_version
from core.html import RichTextField, clean_html_in_every_language
from core.khmer import (
    KhmerWordsField,
    WithoutKhmerVectorManager,
    khmer_search_vector_field,
    with_khmer_words,
)
from core.postgres import PostgresGinIndex
from core.publishing import Publishable, PublishableQuerySet
from core.translated import translated
from library.fields import image_field


class SiteSettings(models.Model):
    """The one row of site-wide text: the site's name, tagline and footer (the home page's blocks
    are website.models.HomeBlock)."""

    site_name = models.CharField(
        _("site name"), max_length=120, default="Municipal Partners for Economic Development"
    )
    short_name = models.CharField(
        _("short name"), max_length=30, default="MPED", help_text=_("Shown in the header.")
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    footer_text = models.TextField(
        _("footer text"), blank=True, help_text=_("Plain text shown at the foot of every page.")
    )
    share_image = image_field(
        _("default sharing image"),
        _("Shown when a page that has no image of its own is shared (a 1200×630 crop)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        # Every page shows them: only the "Publishers" group changes them (pages/admin.py).
        permissions = [("publish_sitesettings", "Can change the site settings every page shows")]

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls, request=None):
        """The one row, with the default sharing image every page's metadata may show. Kept in
        the cache for the current content version (core/cache.py) when there is one, which a
        save of the settings or of the image replaces: an uncached page (a logged-in reader's)
        then asks the database nothing for it. The row is made only when it is missing."""
        return kept_per_version(cls._read, "site-settings", request=request)

    @classmethod
    def _read(cls):
        rows = cls.objects.select_related("share_image")
        obj = rows.filter(pk=1).first()
        if obj is None:
            obj, _created = rows.get_or_create(pk=1)
        return obj

    @classmethod
    def for_request(cls, request):
        """Load once per request, however many templates and views ask."""
        if not hasattr(request, "_site_settings"):
            request._site_settings = cls.load(request)
        return request._site_settings


class ProgramPageQuerySet(PublishableQuerySet):
    def with_content(self):
        return self.prefetch_related("points", "figures")


class ProgramPageManager(WithoutKhmerVectorManager.from_queryset(ProgramPageQuerySet)):
    pass


class ProgramPage(Publishable):
    """A section of the program (the LED framework, the initiatives, capacity, the league)."""

    title = models.CharField(_("title"), max_length=200)
    nav_title = models.CharField(
        _("navigation title"),
        max_length=40,
        blank=True,
        help_text=_("A short name for the menu; the title is used when empty."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two plain sentences for listings.")
    )
    body = RichTextField(
        _("body"),
        blank=True,
        help_text=_(
            "The text before the list of points: headings, paragraphs, bold, italic, lists, "
            "links and quotes, from the editor's toolbar; anything else is removed on save."
        ),
    )
    points_intro = models.CharField(
        _("points introduction"),
        max_length=300,
        blank=True,
        help_text=_("An optional line that leads into the list of points."),
    )
    closing = RichTextField(
        _("closing text"),
        blank=True,
        help_text=_("Text after the points and figures, written like the body."),
    )
    image = image_field(
        _("header image"), _("Shown at the top of the page and when the page is shared.")
    )
    link_url = models.URLField(_("link address"), blank=True)
    link_text = models.CharField(
        _("link text"),
        max_length=120,
        blank=True,
        help_text=_("For example: Visit the NLC/S website."),
    )
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Lower numbers come first.")
    )
    meta_description = models.CharField(
        _("description for search engines and sharing"),
        max_length=300,
        blank=True,
        help_text=_("Shown by search engines and on shared links; the summary is used when empty."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The Khmer texts' words (core.khmer), remade whenever the page is saved; the body's
    # also when one of its points is saved or deleted (refresh_khmer_body_words).
    km_words = KhmerWordsField(sources=("title_km", "summary_km"))
    km_body_words = KhmerWordsField(
        sources=("body_km", "points_intro_km", "khmer_points_text", "closing_km")
    )
    # The Khmer search on PostgreSQL (NULL on SQLite), kept up to date by the database.
    search_km = khmer_search_vector_field()

    objects = ProgramPageManager()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("program page")
        verbose_name_plural = _("program pages")
        permissions = [
            ("publish_programpage", _("Can publish, schedule and unpublish program pages"))
        ]
        indexes = [PostgresGinIndex(fields=["search_km"], name="pages_search_km")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        clean_html_in_every_language(self, "body", "closing")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_khmer_words(kwargs["update_fields"], ProgramPage)
        super().save(*args, **kwargs)

    def khmer_points_text(self):
        """The Khmer text of the page's points as stored (none before the page is)."""
        if self.pk is None:
            return ""
        texts = PagePoint.objects.filter(page_id=self.pk).values_list("text_km", flat=True)
        return "\n".join(text for text in texts if text)

    def get_absolute_url(self):
        return reverse("pages:detail", args=[self.slug])

    @property
    def menu_title(self):
        """The name in the menu, in the reader's language if it has one."""
        return translated(self, "nav_title", "title")


class PagePoint(models.Model):
    page = models.ForeignKey(ProgramPage, on_delete=models.CASCADE, related_name="points")
    text = models.CharField(_("text"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("point")
        verbose_name_plural = _("points")

    def __str__(self):
        return self.text


def refresh_khmer_body_words(sender, instance, **kwargs):
    """A point saved or deleted (the admin's inline, a draft published, any path but
    bulk_create): its page's Khmer body words follow, without touching anything else of the
    page (its updated date)."""
    page = (
        ProgramPage._base_manager.filter(pk=instance.page_id)
        .only("pk", "body_km", "points_intro_km", "closing_km")
        .first()
    )
    if page is not None:
        words = ProgramPage._meta.get_field("km_body_words").words_of(page)
        ProgramPage._base_manager.filter(pk=page.pk).update(km_body_words=words)


post_save.connect(refresh_khmer_body_words, sender=PagePoint, dispatch_uid="pages-point-km-words")
post_delete.connect(
    refresh_khmer_body_words, sender=PagePoint, dispatch_uid="pages-point-km-words-delete"
)


class PageFigure(models.Model):
    """A key number shown large, such as "24 provinces"."""

    page = models.ForeignKey(ProgramPage, on_delete=models.CASCADE, related_name="figures")
    value = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=120, help_text=_("For example: provinces."))
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self):
        return f"{self.value} {self.label}"
