"""sitemap.xml: an index of sections, each section's pages listing every public page in each
language, with the same date its "Page Updated" shows (each date comes from the function the
page's own view uses).

A section is paged in the database: a page reads one slice of its rows (ordered by primary key,
only the columns its addresses and dates need), and holds at most MPED_SITEMAP_LIMIT addresses
(50,000, the sitemap protocol's limit), that is that many items divided by the number of
languages, since each item is listed once per language.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property

from core.updated import latest_update
from news.models import NewsItem
from news.views import news_item_updated, news_list_updated
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality, Partnership
from partners.views import (
    municipality_updated,
    partners_list_updated,
    published_news,
    published_partnerships,
)

from .views import home_content

# What a page's date reads of a row (core.updated.changed_at), and what its address reads.
DATES = ("updated_at", "published_at")
LIMIT = 50_000


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
        return Paginator(self.items(), per_page)

    def get_latest_lastmod(self):
        # The index carries no dates: working them out would read every row.
        return None

    def get_urls(self, page=1, site=None, protocol=None):
        protocol = self.get_protocol(protocol)
        domain = self.get_domain(site)
        languages = self._languages()
        urls = []
        latest = None
        for item in self.paginator.page(page).object_list:
            lastmod = self.lastmod(item)  # once per item: every language version has its date
            if lastmod is not None and (latest is None or lastmod > latest):
                latest = lastmod
            alternates = []
            for language in languages:
                with translation.override(language):
                    location = f"{protocol}://{domain}{self.location(item)}"
                alternates.append({"location": location, "lang_code": language})
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


class NewsItemSitemap(LanguagesSitemap):
    def items(self):
        # The partners the page names, as news.views.with_published_partners gives them, with
        # only their dates.
        partners = Municipality.objects.published().only("pk", "updated_at")
        return (
            NewsItem.objects.published()
            .only("pk", "slug", *DATES)
            .order_by("pk")
            .prefetch_related(Prefetch("partners", partners, to_attr="published_partners"))
        )

    def lastmod(self, item):
        return news_item_updated(item)


class ProgramPageSitemap(LanguagesSitemap):
    def items(self):
        return ProgramPage.objects.published().only("pk", "slug", *DATES).order_by("pk")

    def lastmod(self, page):
        return latest_update(page)


class MunicipalitySitemap(LanguagesSitemap):
    def items(self):
        # The partnerships and news the page shows, as partners.views.with_page_relations gives
        # them, with only their dates.
        pairs = Partnership.objects.published().only("pk", "updated_at")
        news = published_news().only("pk", *DATES)
        return (
            Municipality.objects.published()
            .only("pk", "slug", "updated_at")
            .order_by("pk")
            .prefetch_related(
                Prefetch("partnerships_as_canadian", pairs, to_attr="as_canadian"),
                Prefetch("partnerships_as_cambodian", pairs, to_attr="as_cambodian"),
                Prefetch("news_items", news, to_attr="published_news"),
            )
        )

    def lastmod(self, municipality):
        return municipality_updated(municipality)


SITEMAPS = {
    "pages": ListPagesSitemap,
    "news": NewsItemSitemap,
    "program": ProgramPageSitemap,
    "partners": MunicipalitySitemap,
}
