"""sitemap.xml: every public page in each language, with the same date its "Page Updated"
shows (each date comes from the function the page's own view uses)."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from core.updated import latest_update
from news.models import NewsItem
from news.views import news_item_updated, news_list_updated, with_published_partners
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality
from partners.views import (
    municipality_updated,
    partners_list_updated,
    published_partnerships,
    with_page_relations,
)

from .views import home_content


class LanguagesSitemap(Sitemap):
    """Each page once per language (its URL under /en/, /fr/, /km/), listing all its language
    versions as xhtml:link alternates, like the hreflang links in the page's head."""

    i18n = True
    alternates = True

    def get_urls(self, *args, **kwargs):
        urls = super().get_urls(*args, **kwargs)
        for url in urls:
            # x-default is the English page, as in the page's head. (Django's `x_default` would
            # give the address without a language, which only redirects.)
            default = next(
                alternate
                for alternate in url["alternates"]
                if alternate["lang_code"] == settings.LANGUAGE_CODE
            )
            url["alternates"].append({"location": default["location"], "lang_code": "x-default"})
        return urls


class ListPagesSitemap(LanguagesSitemap):
    """The home page, the listings and the open data page."""

    def __init__(self):
        self._lastmods = {}

    def items(self):
        return ["home", "news:list", "pages:list", "partners:list", "partners:data"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        # Asked once per language; these dates cost queries, so each is worked out once.
        if name not in self._lastmods:
            self._lastmods[name] = self.page_updated(name)
        return self._lastmods[name]

    def page_updated(self, name):
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
        return with_published_partners(NewsItem.objects.published())

    def lastmod(self, item):
        return news_item_updated(item)


class ProgramPageSitemap(LanguagesSitemap):
    def items(self):
        return ProgramPage.objects.published()

    def lastmod(self, page):
        return latest_update(page)


class MunicipalitySitemap(LanguagesSitemap):
    def items(self):
        return with_page_relations(Municipality.objects.published())

    def lastmod(self, municipality):
        return municipality_updated(municipality)


SITEMAPS = {
    "pages": ListPagesSitemap,
    "news": NewsItemSitemap,
    "program": ProgramPageSitemap,
    "partners": MunicipalitySitemap,
}
