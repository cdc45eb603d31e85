"""What the home page's blocks show, loaded in a constant number of queries whatever the blocks.

`load_home()` gives the one HomePage row with its blocks (image, page and news item with them),
making the row with today's default blocks when the database has none (a new site, a test's
flush). `prepare(home, blocks, user)` then loads, once for all the blocks:

- the news of every "latest news" block in one query: for each kind, its newest items up to the
  largest count any block asks for (ROW_NUMBER() OVER (PARTITION BY kind ...)), so that each
  block picks its own kinds and count from them; their documents in one more (the cards'
  report links, news.views.documents_prefetch);
- the points and figures of the program pages that program and figures blocks show (two);
- the published Canadian partners and their published pairings (two), each partners block
  showing all of them or its chosen ones (partner_ids, in that order).

A block pointing at something readers cannot see (an unpublished or deleted program page, a
deleted image, a call to action whose target readers cannot follow) is left out for readers;
staff see a note in its place saying why."""

from django.db import transaction
from django.db.models import F, Prefetch, prefetch_related_objects
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.translated import translated
from core.updated import latest_update
from editorial.drafts import cached_rows
from news.models import Kind, NewsItem
from news.views import documents_prefetch
from pages.models import ProgramPage
from partners.models import Municipality, Partnership

from . import links
from .models import BlockKind, HomeBlock, HomePage

HOME_PK = 1
TEMPLATES = "website/blocks/{}.html"
# The most news items a block may show (the admin's form says so).
MAX_NEWS = 24

# The default blocks' texts (a new site's home page): English, and each language's translation
# where the interface has one.
DEFAULT_TEXTS = {
    "account": {
        "text": gettext_noop("Don't have an account?"),
        "link_text": gettext_noop("Create one now"),
    },
    "news": {"heading": gettext_noop("The latest")},
    "partners": {"heading": gettext_noop("Canadian partners")},
}


def related_rows():
    """What a block's row brings with it: its image, its program page (and that page's image,
    for a card), the news item a call to action points at."""
    return HomeBlock.objects.select_related("image", "page", "page__image", "news_item")


def load_home():
    """The home page's row with its blocks in order, in one query (the blocks with their home
    page; a second when there are none), made with the default blocks first if it is missing."""
    blocks = list(related_rows().filter(home_id=HOME_PK).select_related("home"))
    if blocks:
        home = blocks[0].home
        for block in blocks:
            block.home = home
    else:
        home = HomePage.objects.filter(pk=HOME_PK).first()
        if home is None:
            create_default_home()
            return load_home()
    home._prefetched_objects_cache = {"blocks": cached_rows(HomeBlock, blocks)}
    return home


def text_columns(texts):
    """A block's default texts in each language's column: English, and the interface's
    translation where there is one (else empty: readers see the English, marked)."""
    from django.conf import settings

    columns = {}
    for field, english in texts.items():
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                value = _(english)
            if lang == settings.LANGUAGE_CODE:
                value = english
            elif value == english:
                value = ""
            columns[f"{field}_{lang}"] = value
    return columns


def default_blocks(home):
    """Today's home page as blocks: the account prompt, the latest three news items, a program
    section (full text) for each program page in their order, the Canadian partners."""
    blocks = [
        HomeBlock(kind=BlockKind.ACCOUNT_PROMPT, **text_columns(DEFAULT_TEXTS["account"])),
        HomeBlock(kind=BlockKind.LATEST_NEWS, news_count=3, **text_columns(DEFAULT_TEXTS["news"])),
        *(
            HomeBlock(kind=BlockKind.PROGRAM, page=page, display=HomeBlock.Display.FULL)
            for page in ProgramPage.objects.order_by("order", "title")
        ),
        HomeBlock(kind=BlockKind.PARTNERS, **text_columns(DEFAULT_TEXTS["partners"])),
    ]
    for order, block in enumerate(blocks, 1):
        block.home = home
        block.order = order * 10
    return blocks


def create_default_home():
    """The home page's row, made with today's default blocks when it is missing."""
    with transaction.atomic():
        home, created = HomePage.objects.get_or_create(pk=HOME_PK)
        if created:
            HomeBlock.objects.bulk_create(default_blocks(home))
    return home


# Loading what the blocks show --------------------------------------------------------------------


def news_by_kind(count):
    """The published news items, at most `count` of each kind, newest first, with their
    pictures (one query)."""
    if count <= 0:
        return []
    rank = Window(
        RowNumber(),
        partition_by=[F("kind")],
        order_by=[F("published_at").desc(), F("id").desc()],
    )
    return list(
        NewsItem.objects.published()
        .select_related("image")  # the cards' pictures, in the same query
        .annotate(rank_in_kind=rank)
        .filter(rank_in_kind__lte=count)
        .order_by("-published_at", "-id")
    )


def hidden_reason(block):
    """Why readers do not see this block, or "" when they do."""
    if block.kind in (BlockKind.PROGRAM, BlockKind.FIGURES):
        if block.page is None:
            return _("The program page it showed was deleted.")
        if not block.page.is_live:
            return _("The program page is not published.")
        if block.kind == BlockKind.FIGURES and not block.page.figures.all():
            return _("The program page has no figures.")
    if block.kind == BlockKind.IMAGE and block.image is None:
        return _("It has no image (the image was deleted from the library).")
    if block.kind == BlockKind.CALL_TO_ACTION:
        resolved = links.resolve(block)
        if not resolved.is_live:
            return resolved.problem
    chosen = block.kind == BlockKind.PARTNERS and block.partners == HomeBlock.Partners.CHOSEN
    if chosen and not block.partner_list:
        return _("None of the chosen partners is published.")
    return ""


def anchors(blocks):
    """Each block's id in the page: the news block's "latest-heading", a program section's
    "section-<slug>" and the partners' "partners-heading" as the page always had them; a second
    block of the same kind gets "-2" after it; other blocks "block-<position>"."""
    used = {}
    for position, block in enumerate(blocks, 1):
        if block.kind == BlockKind.LATEST_NEWS:
            base = "latest-heading"
        elif block.kind == BlockKind.PROGRAM and block.page is not None:
            base = f"section-{block.page.slug}"
        elif block.kind == BlockKind.PARTNERS:
            base = "partners-heading"
        else:
            base = f"block-{position}"
        used[base] = used.get(base, 0) + 1
        block.anchor = base if used[base] == 1 else f"{base}-{used[base]}"


def prepare(blocks, user=None):
    """Load what `blocks` (HomeBlock rows with their related rows) show, in a bounded number of
    queries, and say which of them the page shows: [block] in order, each with `template`,
    `anchor`, `hidden` (why readers do not see it: shown to staff only) and what its kind
    needs (`news_items`, `partner_list`, `link`, `link_label`)."""
    blocks = list(blocks)
    news_blocks = [block for block in blocks if block.kind == BlockKind.LATEST_NEWS]
    largest = max((min(block.news_count, MAX_NEWS) for block in news_blocks), default=0)
    news = news_by_kind(largest)
    for block in news_blocks:
        kinds = set(block.news_kinds or []) & set(Kind.values) or set(Kind.values)
        block.news_items = [item for item in news if item.kind in kinds][: block.news_count]
    shown = {item.pk: item for block in news_blocks for item in block.news_items}
    prefetch_related_objects(list(shown.values()), documents_prefetch())

    pages = [
        block.page
        for block in blocks
        if block.kind in (BlockKind.PROGRAM, BlockKind.FIGURES) and block.page is not None
    ]
    prefetch_related_objects(pages, "points", "figures")

    partner_blocks = [block for block in blocks if block.kind == BlockKind.PARTNERS]
    partners = canadian_partners() if partner_blocks else []
    by_pk = {partner.pk: partner for partner in partners}
    for block in partner_blocks:
        if block.partners == HomeBlock.Partners.CHOSEN:
            block.partner_list = [by_pk[pk] for pk in block.partner_ids or [] if pk in by_pk]
        else:
            block.partner_list = partners

    for block in blocks:
        block.template = TEMPLATES.format(block.kind)
        if block.kind == BlockKind.CALL_TO_ACTION:
            block.link = links.resolve(block)
            own = translated(block, "link_text")
            block.link_label = own or block.link.title
        block.hidden = hidden_reason(block)
    anchors(blocks)
    staff = bool(getattr(user, "is_staff", False))
    return [block for block in blocks if staff or not block.hidden]


def canadian_partners():
    """The published Canadian partners with their published pairings (two queries)."""
    return list(
        Municipality.objects.published()
        .canadian()
        .prefetch_related(
            Prefetch(
                "partnerships_as_canadian",
                queryset=Partnership.objects.published().select_related("cambodian"),
                to_attr="pairings",
            )
        )
    )


def shown_objects(blocks):
    """Everything readers see of the blocks, for "Page Updated"."""
    shown = []
    for block in blocks:
        if block.hidden:
            continue
        shown += getattr(block, "news_items", [])
        if block.kind in (BlockKind.PROGRAM, BlockKind.FIGURES):
            shown.append(block.page)
            if block.kind == BlockKind.PROGRAM and block.display == HomeBlock.Display.CARD:
                shown.append(block.page.image)
        if block.kind == BlockKind.IMAGE:
            shown.append(block.image)
        for partner in getattr(block, "partner_list", []):
            shown.append(partner)
            shown += [(pairing, pairing.cambodian) for pairing in partner.pairings]
    return [obj for item in shown for obj in (item if isinstance(item, tuple) else (item,))]


def home_content(site, user=None, home=None):
    """What the home page shows, and when it last changed (also the sitemap's date for it).
    `home` is the HomePage to show (the preview's unsaved draft), else the stored one."""
    home = home if home is not None else load_home()
    blocks = prepare(home.blocks.all(), user)
    readers_see = [block for block in blocks if not block.hidden]
    return {
        "home": home,
        "blocks": blocks,
        "page_updated": latest_update(site, home, shown_objects(readers_see)),
    }
