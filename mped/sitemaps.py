"""sitemap.xml: every public page with the same date its "Page Updated" shows (each date
comes from the function the page's own view uses)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

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

from .updated import latest_update
from .views import home_content


class ListPagesSitemap(Sitemap):
    """The home page and the listings."""

    def items(self):
        return ["home", "news:list", "pages:list", "partners:list"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if name == "home":
            return home_content(SiteSettings.load())["page_updated"]
        if name == "news:list":
            return news_list_updated()
        if name == "pages:list":
            return latest_update(ProgramPage.objects.published())
        return partners_list_updated(Municipality.objects.published(), published_partnerships())


class NewsItemSitemap(Sitemap):
    def items(self):
        return with_published_partners(NewsItem.objects.published())

    def lastmod(self, item):
        return news_item_updated(item)


class ProgramPageSitemap(Sitemap):
    def items(self):
        return ProgramPage.objects.published()

    def lastmod(self, page):
        return latest_update(page)


class MunicipalitySitemap(Sitemap):
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
