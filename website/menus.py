"""The header and footer menus: their default links (for the migration, the demo content and a
database without the rows), and the links readers see (`Menus`, given to every template by
website.context_processors.menus).

The defaults are today's fixed navigation: the header has Home, The latest, each published
program page in its order, and Partners; the footer The latest, The program and Partners. Their
labels are empty, so readers see each target's own title in their language (a program page's
navigation title)."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from core.translated import Translated

# Which of the models' values the defaults use (plain strings: the migration's models are the
# historical ones, without the classes' choices).
HEADER, FOOTER = "header", "footer"
PLACES = (HEADER, FOOTER)


def default_targets(place, page_ids):
    """[(target, program page id or None)] of a menu's default links."""
    if place == HEADER:
        return [
            ("home", None),
            ("news", None),
            *(("page", page_id) for page_id in page_ids),
            ("partners", None),
        ]
    return [("news", None), ("program", None), ("partners", None)]


def published_page_ids(ProgramPage):
    """The program pages readers see now, in their order (the historical model has no
    `published()`)."""
    now = timezone.now()
    return list(
        ProgramPage._base_manager.filter(is_published=True, published_at__lte=now)
        .filter(Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now))
        .order_by("order", "title")
        .values_list("pk", flat=True)
    )


def set_default_links(menu, MenuLink, ProgramPage):
    """Replace the menu's links with its default ones."""
    MenuLink._base_manager.filter(menu=menu).delete()
    page_ids = published_page_ids(ProgramPage) if menu.place == HEADER else []
    for order, (target, page_id) in enumerate(default_targets(menu.place, page_ids), 1):
        MenuLink._base_manager.create(menu=menu, target=target, page_id=page_id, order=order * 10)


def make_default_menus(Menu, MenuLink, ProgramPage):
    """Create whichever of the two menus is missing, with its default links; the menus as a
    dict by place. Takes the model classes (the migration passes its historical ones)."""
    menus = {menu.place: menu for menu in Menu._base_manager.filter(place__in=PLACES)}
    for place in PLACES:
        if place not in menus:
            menus[place] = Menu._base_manager.create(place=place, is_published=True)
            set_default_links(menus[place], MenuLink, ProgramPage)
    return menus


def ensure_menus():
    """The two menus, made with their default links where missing (a new database whose
    migration rows a test's flush emptied, say)."""
    from pages.models import ProgramPage

    from .models import Menu, MenuLink

    return make_default_menus(Menu, MenuLink, ProgramPage)


# What readers see -----------------------------------------------------------------------------


@dataclass
class Item:
    """A link as readers see it: where it goes, its words, whether it is the current page, and
    its sub-links (a header link's sub-menu)."""

    url: str
    label: Translated
    is_current: bool = False
    children: list = field(default_factory=list)


# The fields of a link's target that resolve() and label() read: the rest of a program page or
# a news item (their texts) is not loaded.
TARGET_FIELDS = ["slug", "is_published", "published_at", "unpublish_at"]


def link_queryset():
    from core.translated import columns

    from .models import MenuLink

    page_fields = [*TARGET_FIELDS, *columns("title"), *columns("nav_title")]
    item_fields = [*TARGET_FIELDS, *columns("title")]
    return (
        MenuLink.objects.filter(menu__place__in=PLACES)
        .select_related("menu", "page", "news_item")
        .only(
            "menu__place",
            "parent_id",
            "target",
            "url",
            "order",
            *columns("label"),
            *(f"page__{name}" for name in page_fields),
            *(f"news_item__{name}" for name in item_fields),
        )
        .order_by("order", "id")
    )


def build(links, path="", full_path=""):
    """The items readers see of one menu's `links` (in order): those whose target they cannot
    follow are left out, as are the sub-links under a link left out. One level of sub-menu."""
    from .links import label, resolve

    top, children = [], {}
    by_id = {}
    for link in links:
        resolved = resolve(link)
        if not resolved.is_live:
            continue
        item = Item(resolved.url, label(link, resolved))
        if link.parent_id:
            children.setdefault(link.parent_id, []).append(item)
        else:
            top.append(item)
            if link.pk is not None:
                by_id[link.pk] = item
    for parent_id, items in children.items():
        if parent_id in by_id:  # a sub-link under a hidden (or missing) parent is left out
            by_id[parent_id].children = items
    every = [item for parent in top for item in (parent, *parent.children)]
    current = [item for item in every if item.url == full_path] or [
        item for item in every if item.url == path
    ]
    for item in current:
        item.is_current = True
    return top


class Menus:
    """The header's and the footer's items for a request, read on first use: one query for both
    menus (their targets joined), none when a template shows neither. A preview of a menu's
    unsaved form (website/admin_menus.py) puts its rows in `request.menu_preview`."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def _links(self):
        links = list(link_queryset())
        if not links:
            ensure_menus()  # no rows at all: the menus may be missing (made with their links)
            links = list(link_queryset())
        by_place = {place: [] for place in PLACES}
        for link in links:
            by_place[link.menu.place].append(link)
        preview = getattr(self.request, "menu_preview", None)
        if preview is not None:
            place, rows = preview
            by_place[place] = rows
        return by_place

    def _items(self, place):
        request = self.request
        path = getattr(request, "path", "")
        full_path = request.get_full_path() if hasattr(request, "get_full_path") else path
        return build(self._links[place], path, full_path)

    @cached_property
    def header(self):
        return self._items(HEADER)

    @cached_property
    def footer(self):
        return self._items(FOOTER)
