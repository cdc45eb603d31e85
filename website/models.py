"""What staff shape of the public site themselves (issue 18): the header and footer menus, and
the home page as an ordered list of blocks.

Both are containers with rows: a `Menu` (the header's or the footer's) holds its `MenuLink`s, the
`HomePage` its `HomeBlock`s. The container is the item of the editorial workflow (editorial/):
it is published, so an editor's change to its rows (a new link, blocks reordered) is kept as the
container's draft until a publisher publishes it, like a change to a live news item. The rows
have no publishing of their own: they are part of the container's draft."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.cache import ContentQuerySet
from core.html import RichTextField, clean_html_in_every_language
from library.fields import image_field


class Target(models.TextChoices):
    """Where a link goes: a page of the site, or an address elsewhere."""

    HOME = "home", _("Home page")
    NEWS = "news", _("The latest: all news")
    NEWS_REPORTS = "news-report", _("The latest: reports")
    NEWS_PRESS = "news-press", _("The latest: press features")
    NEWS_NEWS = "news-news", _("The latest: news")
    NEWS_ITEM = "news-item", _("A news item")
    PROGRAM = "program", _("The program: all program pages")
    PAGE = "page", _("A program page")
    PARTNERS = "partners", _("Partners")
    OPEN_DATA = "open-data", _("Open data")
    SEARCH = "search", _("Search")
    URL = "url", _("An external address")


class LinkTarget(models.Model):
    """A link's target: one of the site's pages (`target`, with `page` or `news_item` where the
    target is one item) or an external http(s) address (`url`). website/links.py resolves it."""

    target = models.CharField(
        _("links to"), max_length=16, choices=Target.choices, default=Target.PAGE
    )
    page = models.ForeignKey(
        "pages.ProgramPage",
        verbose_name=_("program page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("When the link goes to a program page."),
    )
    news_item = models.ForeignKey(
        "news.NewsItem",
        verbose_name=_("news item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("When the link goes to a news item."),
    )
    url = models.URLField(
        _("external address"),
        blank=True,
        max_length=500,
        help_text=_("When the link goes elsewhere: a full address starting with https://."),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        self.clean_target()

    def clean_target(self):
        if self.target == Target.PAGE and not self.page_id:
            raise ValidationError({"page": _("Choose the program page this link goes to.")})
        if self.target == Target.NEWS_ITEM and not self.news_item_id:
            raise ValidationError({"news_item": _("Choose the news item this link goes to.")})
        if self.target == Target.URL:
            if not self.url:
                raise ValidationError({"url": _("Enter the address this link goes to.")})
            if not self.url.lower().startswith(("http://", "https://")):
                raise ValidationError(
                    {
                        "url": _(
                            "Only web addresses (starting with http:// or https://) can be used."
                        )
                    }
                )


class Menu(models.Model):
    """One of the site's two menus. Created by the migrations; never added or deleted."""

    class Place(models.TextChoices):
        HEADER = "header", _("Header navigation")
        FOOTER = "footer", _("Footer links")

    place = models.CharField(_("place"), max_length=10, choices=Place.choices, unique=True)
    # Always published: the workflow keeps an editor's change as the menu's draft.
    is_published = models.BooleanField(_("publish"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["place"]
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        permissions = [("publish_menu", _("Can publish changes to the menus"))]

    def __str__(self):
        return str(self.get_place_display())

    def get_absolute_url(self):
        return reverse("home")


class MenuLink(LinkTarget):
    """A link in a menu, in order, with an optional parent (one level of sub-menu)."""

    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="links")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("under"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text=_("Optional: a link of the same menu this one is shown under (a sub-menu)."),
    )
    label = models.CharField(
        _("label"),
        max_length=80,
        blank=True,
        help_text=_("The words readers see; the target's own title when empty."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self):
        return self.label or str(self.get_target_display())

    def clean(self):
        super().clean()
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A link cannot be shown under itself.")})
            if self.parent.parent_id:
                raise ValidationError(
                    {"parent": _("Menus have one level of sub-menu: choose a top-level link.")}
                )
            if self.menu_id and self.parent.menu_id != self.menu_id:
                raise ValidationError({"parent": _("Choose a link of the same menu.")})


class HomePage(models.Model):
    """The home page: one row, holding its blocks. Created by the migrations."""

    is_published = models.BooleanField(_("publish"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home page")
        permissions = [("publish_homepage", _("Can publish changes to the home page"))]

    def __str__(self):
        return str(_("Home page"))

    def get_absolute_url(self):
        return reverse("home")


class BlockKind(models.TextChoices):
    ACCOUNT_PROMPT = "account", _("Account prompt")
    LATEST_NEWS = "news", _("Latest news")
    PROGRAM = "program", _("Program section")
    FIGURES = "figures", _("Figures")
    PARTNERS = "partners", _("Partners")
    TEXT = "text", _("Rich text")
    IMAGE = "image", _("Image")
    CALL_TO_ACTION = "cta", _("Call to action")


class HomeBlock(LinkTarget):
    """One block of the home page. One table for every kind (like a StreamField's blocks, on a
    plain model): `kind` says which of the fields the block uses (website/blocks.py).

    - account prompt: `text` (plain) and `link_text`, shown to visitors who are not logged in;
    - latest news: `heading`, `news_count`, `news_kinds` (all kinds when empty);
    - program section: `page`, `display` (its full text, or a card linking to it);
    - figures: `heading` and the figures of `page` (the league's 24 provinces, 1,621 councils);
    - partners: `heading`, `text` (plain), `partners` (all Canadian partners, or those chosen in
      `partner_ids`);
    - rich text: `heading`, `body`;
    - image: `image` from the media library, `caption`;
    - call to action: `heading`, `text`, `link_text` and the link target (LinkTarget)."""

    class Display(models.TextChoices):
        FULL = "full", _("Its full text")
        CARD = "card", _("A card linking to its page")

    class Partners(models.TextChoices):
        ALL = "all", _("All Canadian partners")
        CHOSEN = "chosen", _("The partners chosen below")

    home = models.ForeignKey(HomePage, on_delete=models.CASCADE, related_name="blocks")
    kind = models.CharField(_("kind of block"), max_length=10, choices=BlockKind.choices)
    order = models.PositiveIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    body = RichTextField(_("rich text"), blank=True)
    link_text = models.CharField(_("link text"), max_length=120, blank=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    image = image_field(_("image"))
    news_count = models.PositiveSmallIntegerField(_("how many news items"), default=3)
    # Kind values (news.models.Kind); empty: every kind.
    news_kinds = models.JSONField(_("kinds of news"), default=list, blank=True)
    display = models.CharField(
        _("show the program page as"), max_length=5, choices=Display.choices, default=Display.FULL
    )
    partners = models.CharField(
        _("partners shown"), max_length=6, choices=Partners.choices, default=Partners.ALL
    )
    # Municipality primary keys, in the order chosen.
    partner_ids = models.JSONField(_("chosen partners"), default=list, blank=True)

    objects = ContentQuerySet.as_manager()

    # The media library's "where used" names the home page, not the block.
    library_owner = "home"

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")

    def __str__(self):
        return self.heading or str(self.get_kind_display())

    def save(self, *args, **kwargs):
        clean_html_in_every_language(self, "body")
        super().save(*args, **kwargs)

    def clean(self):
        # Only a call to action has a target of its own (a program section's or the figures'
        # page is `page` too, checked in the admin's form).
        if self.kind == BlockKind.CALL_TO_ACTION:
            self.clean_target()
