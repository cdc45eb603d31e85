"""Where a menu link or a call to action goes (a LinkTarget), in the reader's language, and
whether readers may follow it: `resolve(link)`.

No query, provided the link's `page` and `news_item` were loaded with it (select_related)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _

from core.translated import Translated, translated

from .models import Target


@dataclass
class Resolved:
    url: str  # "" when the link goes nowhere readers may go
    title: Translated  # the target's own title, for a link with no label of its own
    is_live: bool  # readers see the target now
    problem: str = ""  # for staff: why readers do not see the link


def plain(text):
    return Translated(str(text), "", missing=False)


# The site's own pages: (URL name, query string, title).
PAGES = {
    Target.HOME: ("home", "", lambda: _("Home")),
    Target.NEWS: ("news:list", "", lambda: _("The latest")),
    Target.NEWS_REPORTS: ("news:list", "?kind=report", lambda: _("Reports")),
    Target.NEWS_PRESS: ("news:list", "?kind=press", lambda: _("Press features")),
    Target.NEWS_NEWS: ("news:list", "?kind=news", lambda: _("News")),
    Target.PROGRAM: ("pages:list", "", lambda: _("The program")),
    Target.PARTNERS: ("partners:list", "", lambda: _("Partners")),
    Target.OPEN_DATA: ("partners:data", "", lambda: _("Open data")),
    Target.SEARCH: ("search:results", "", lambda: _("Search")),
}


def resolve(link):
    target = link.target
    if target in PAGES:
        name, query, title = PAGES[target]
        return Resolved(reverse(name) + query, plain(title()), True)
    if target == Target.PAGE:
        page = link.page
        if page is None:
            return Resolved("", plain(""), False, _("The program page it linked to was deleted."))
        title = translated(page, "nav_title", "title")
        if not page.is_live:
            return Resolved("", title, False, _("The program page is not published."))
        return Resolved(page.get_absolute_url(), title, True)
    if target == Target.NEWS_ITEM:
        item = link.news_item
        if item is None:
            return Resolved("", plain(""), False, _("The news item it linked to was deleted."))
        title = translated(item, "title")
        if not item.is_live:
            return Resolved("", title, False, _("The news item is not published."))
        return Resolved(item.get_absolute_url(), title, True)
    if target == Target.URL and link.url.lower().startswith(("http://", "https://")):
        return Resolved(link.url, plain(urlsplit(link.url).hostname or link.url), True)
    return Resolved("", plain(""), False, _("The link has no address."))


def label(link, resolved=None):
    """The words a reader sees: the link's own label in their language (or English), else the
    target's title."""
    own = translated(link, "label") if hasattr(link, "label") else plain("")
    if own:
        return own
    return (resolved or resolve(link)).title
