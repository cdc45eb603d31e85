"""sitemap.xml: an index of sections, each section's pages listing every public page in each
language, with the same date its "Page Updated" shows (each date comes from the function the
page's own view uses).

A section is paged in the database: a page reads one slice of its rows (ordered by primary key,
only the columns its addresses and dates need), and holds at most MPED_SITEMAP_LIMIT addresses
(6,000 by default, below the protocol's 50,000), that is that many items divided by the number of
languages, since each item is listed once per language.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F, Max, Prefetch, QuerySet, Window
from django.db.models.functions import Mod, RowNumber
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.http import http_date
from django.utils.translation import gettext as _

from core.cache import kept_per_version
from core.updated import latest_update
from news.models import NewsItem
from news.views import news_item_updated, news_list_updated
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality, Partnership
from partners.views import (
    latest_news_dates,
    municipality_updated,
    partners_list_updated,
    published_partnerships,
)

from .views import home_content

# What a page's date reads of a row (core.updated.changed_at), and what its address reads.
DATES = ("updated_at", "published_at")
# Addresses per sitemap page. The protocol allows 50,000; at 6,000 (2,000 items in three
# languages, about 3.3 MB of XML) a page renders in about 0.2 s on PostgreSQL and well under a
# second on a busy machine, and 100,000 items are 50 pages. (At 15,000 a page took 0.8-1.3 s on a
# busy machine, nearly all of it in Python.)
LIMIT = 6_000
SLUG = "sitemap-slug"


class KeysetPaginator:
    """Django's Paginator as the sitemap uses it (num_pages, page(n).object_list), for a
    queryset ordered by primary key, without OFFSET or COUNT: one query finds the first key of
    every page (each per_page-th key, numbered by the database), and a page is the rows from
    its first key to the next page's, an index range however deep the page."""

    def __init__(self, items, per_page):
        self.items = items
        self.per_page = per_page

    @cached_property
    def starts(self):
        # Every row's key is read (about 0.1 s at 100,000 rows), so the result is kept for the
        # content version: the index and each page of the section ask for it.
        def work_out():
            keys = self.items.order_by().values("pk")  # (not the items' other annotations)
            numbered = keys.annotate(number=Window(RowNumber(), order_by="pk"))
            firsts = numbered.annotate(rest=Mod(F("number") - 1, self.per_page)).filter(rest=0)
            return list(firsts.order_by("pk").values_list("pk", flat=True))

        label = self.items.model._meta.label_lower
        return kept_per_version(work_out, "sitemap-starts", label, self.per_page)

    @property
    def num_pages(self):
        return max(1, len(self.starts))  # an empty section is one empty page, as Django's

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if not 1 <= number <= self.num_pages:
            raise EmptyPage(_("That page contains no results"))
        if not self.starts:
            return SimpleNamespace(object_list=[])
        rows = self.items.filter(pk__gte=self.starts[number - 1])
        if number < len(self.starts):
            rows = rows.filter(pk__lt=self.starts[number])
        return SimpleNamespace(object_list=rows)


@dataclass
class Dates:
    """A stand-in for related rows, with their newest dates (core.updated.changed_at reads
    updated_at and published_at)."""

    updated_at: datetime.datetime | None
    published_at: datetime.datetime | None = None

    @classmethod
    def of(cls, updated_at, published_at=None):
        if updated_at is None and published_at is None:
            return []
        return [cls(updated_at, published_at)]


class LanguagesSitemap(Sitemap):
    """Each page once per language (its URL under /en/, /fr/, /km/), listing all its language
    versions as xhtml:link alternates, like the hreflang links in the page's head."""

    i18n = True
    alternates = True

    @property
    def limit(self):
        # Read at request time, so that tests can lower it.
        return getattr(settings, "MPED_SITEMAP_LIMIT", LIMIT)

    @cached_property
    def paginator(self):
        # Items, not (item, language) pairs: Django's pairs are built from every row in Python.
        per_page = max(1, self.limit // len(self._languages()))
        items = self.items()
        if isinstance(items, QuerySet):
            return KeysetPaginator(items, per_page)
        return Paginator(items, per_page)

    def get_latest_lastmod(self):
        # The index carries no dates: working them out would read every row.
        return None

    def locations(self, item, languages):
        """The item's address in each language."""
        for language in languages:
            with translation.override(language):
                yield self.location(item)

    def rows(self, object_list):
        """A page's items, as lastmod() and location() read them."""
        return list(object_list)

    def prepare(self, items):
        """Fetch what the dates of a page's items need, in a query or two for them all."""

    def get_urls(self, page=1, site=None, protocol=None):
        protocol = self.get_protocol(protocol)
        domain = self.get_domain(site)
        languages = self._languages()
        urls = []
        latest = None
        items = self.rows(self.paginator.page(page).object_list)
        self.prepare(items)
        for item in items:
            lastmod = self.lastmod(item)  # once per item: every language version has its date
            if lastmod is not None and (latest is None or lastmod > latest):
                latest = lastmod
            alternates = [
                {"location": f"{protocol}://{domain}{location}", "lang_code": language}
                for language, location in zip(
                    languages, self.locations(item, languages), strict=True
                )
            ]
            # x-default is the English page, as in the page's head. (Django's `x_default` would
            # give the address without a language, which only redirects.)
            default = next(
                (a for a in alternates if a["lang_code"] == settings.LANGUAGE_CODE), None
            )
            if default is not None:
                alternates.append({"location": default["location"], "lang_code": "x-default"})
            for alternate in alternates[: len(languages)]:
                urls.append(
                    {
                        "item": item,
                        "location": alternate["location"],
                        "lastmod": lastmod,
                        "changefreq": None,
                        "priority": "",
                        "alternates": alternates,
                    }
                )
        if latest is not None:
            self.latest_lastmod = latest
        return urls


class SlugSitemap(LanguagesSitemap):
    """Pages whose address is a URL name and the row's slug: each language's address is worked
    out once per sitemap page, not once per row (reverse() is most of a page's time)."""

    url_name = None

    @cached_property
    def patterns(self):
        patterns = {}
        for language in self._languages():
            with translation.override(language):
                patterns[language] = reverse(self.url_name, args=[SLUG]).split(SLUG)
        return patterns

    def locations(self, item, languages):
        # Slugs are letters, digits, - and _: nothing reverse() would quote.
        return [item.slug.join(self.patterns[language]) for language in languages]


class ListPagesSitemap(LanguagesSitemap):
    """The home page, the listings and the open data page."""

    def items(self):
        return ["home", "news:list", "pages:list", "partners:list", "partners:data"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if name == "home":
            return home_content(SiteSettings.load())["page_updated"]
        if name == "news:list":
            return news_list_updated()
        if name == "pages:list":
            return latest_update(ProgramPage.objects.published())
        if name == "partners:data":
            # The open data page shows the site settings' date, as every page with none of its own.
            return SiteSettings.load().updated_at
        return partners_list_updated(Municipality.objects.published(), published_partnerships())


class NewsItemSitemap(SlugSitemap):
    url_name = "news:detail"

    def items(self):
        # Plain rows (rows()), not model instances: making thousands of those is a good part of
        # a page's time, and a page reads only these columns.
        return NewsItem.objects.published().order_by("pk").values("pk", "slug", *DATES)

    def rows(self, object_list):
        return [SimpleNamespace(**row) for row in object_list]

    def prepare(self, items):
        # The partners the page names (news.views.with_published_partners) matter only by their
        # newest date: one grouped query for the page's key range gives it, rather than a row
        # per partner (a third of a page's time). (A subquery per item would be worked out for
        # every row of the section.)
        if not items:
            return
        links = NewsItem.partners.through.objects.filter(
            newsitem__gte=items[0].pk,
            newsitem__lte=items[-1].pk,
            municipality__in=Municipality.objects.published(),
        )
        newest = dict(
            links.values("newsitem")
            .annotate(newest=Max("municipality__updated_at"))
            .order_by()
            .values_list("newsitem", "newest")
        )
        for item in items:
            # A stand-in for the partners with that date: "Page Updated" as the page works it
            # out.
            item.published_partners = Dates.of(newest.get(item.pk))

    def lastmod(self, item):
        return news_item_updated(item)


class ProgramPageSitemap(SlugSitemap):
    url_name = "pages:detail"

    def items(self):
        return ProgramPage.objects.published().only("pk", "slug", *DATES).order_by("pk")

    def lastmod(self, page):
        return latest_update(page)


class MunicipalitySitemap(SlugSitemap):
    url_name = "partners:detail"

    def items(self):
        # The partnerships and news the page shows, as partners.views.with_page_relations gives
        # them (the same rule for the news: partners.views.latest_news), with only their dates.
        pairs = Partnership.objects.published().only("pk", "updated_at", "canadian", "cambodian")
        municipalities = (
            Municipality.objects.published()
            .only("pk", "slug", "updated_at")
            .order_by("pk")
            .prefetch_related(
                Prefetch("partnerships_as_canadian", pairs, to_attr="as_canadian"),
                Prefetch("partnerships_as_cambodian", pairs, to_attr="as_cambodian"),
            )
        )
        return latest_news_dates(municipalities)

    def prepare(self, municipalities):
        for municipality in municipalities:
            # A stand-in for the news the page lists, with their newest dates.
            municipality.published_news = Dates.of(
                municipality.news_updated, municipality.news_published
            )

    def lastmod(self, municipality):
        return municipality_updated(municipality)


def lastmod_text(lastmod):
    """A date as Django's sitemap template writes it (|date:"Y-m-d", in the site's time zone)."""
    if isinstance(lastmod, datetime.datetime) and timezone.is_aware(lastmod):
        lastmod = timezone.localtime(lastmod)
    return lastmod.strftime("%Y-%m-%d")


def section(request, section, sitemaps):
    """A section's page (/sitemap-news.xml?p=2): django.contrib.sitemaps.views.sitemap with the
    same XML written in Python rather than through its template, which took most of the time
    for 50,000 addresses (several seconds)."""
    if section not in sitemaps:
        raise Http404(_("There is no such page of the sitemap."))
    sitemap = sitemaps[section]()
    try:
        urls = sitemap.get_urls(
            page=request.GET.get("p", 1), site=get_current_site(request), protocol=request.scheme
        )
    except (EmptyPage, PageNotAnInteger):
        raise Http404(_("There is no such page of the sitemap.")) from None
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset'
        ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">'
    ]
    # An item's alternates are the same list for each of its language versions: written once.
    written = {}
    last = (None, None)
    for url in urls:
        lines.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            if url["lastmod"] is not last[0]:  # each language version of an item: the same date
                last = (url["lastmod"], lastmod_text(url["lastmod"]))
            lines.append(f"<lastmod>{last[1]}</lastmod>")
        key = id(url["alternates"])
        if key not in written:
            written[key] = "".join(
                f'<xhtml:link rel="alternate" hreflang={quoteattr(alternate["lang_code"])}'
                f" href={quoteattr(alternate['location'])}/>"
                for alternate in url["alternates"]
            )
        lines.append(f"{written[key]}</url>")
    lines.append("</urlset>\n")
    response = HttpResponse("".join(lines), content_type="application/xml")
    latest = getattr(sitemap, "latest_lastmod", None)
    if latest is not None:
        response.headers["Last-Modified"] = http_date(latest.timestamp())
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


SITEMAPS = {
    "pages": ListPagesSitemap,
    "news": NewsItemSitemap,
    "program": ProgramPageSitemap,
    "partners": MunicipalitySitemap,
}
