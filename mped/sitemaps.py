"""sitemap.xml: every public page with the same date its "Page Updated" shows."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Prefetch
from django.urls import reverse

from news.models import NewsItem
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality, Partnership
from partners.views import MunicipalityDetailView

from .updated import latest_update
from .views import home_content


class ListPagesSitemap(Sitemap):
    """The home page and the listings; each date is what that page itself shows."""

    def items(self):
        return ["home", "news:list", "pages:list", "partners:list"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if name == "home":
            return home_content(SiteSettings.load())["page_updated"]
        if name == "news:list":
            return latest_update(NewsItem.objects.published()[: settings.MPED_NEWS_PER_PAGE])
        if name == "pages:list":
            return latest_update(ProgramPage.objects.published())
        return latest_update(
            Municipality.objects.published(),
            Partnership.objects.published().select_related("canadian", "cambodian"),
        )


class NewsItemSitemap(Sitemap):
    def items(self):
        return NewsItem.objects.published().prefetch_related(
            Prefetch(
                "partners", queryset=Municipality.objects.published(), to_attr="published_partners"
            )
        )

    def lastmod(self, item):
        return latest_update(item, item.published_partners)


class ProgramPageSitemap(Sitemap):
    def items(self):
        return ProgramPage.objects.published()

    def lastmod(self, page):
        return latest_update(page)


class MunicipalitySitemap(Sitemap):
    def items(self):
        return MunicipalityDetailView().get_queryset()

    def lastmod(self, municipality):
        return latest_update(
            municipality,
            municipality.as_canadian,
            municipality.as_cambodian,
            municipality.published_news,
        )


SITEMAPS = {
    "pages": ListPagesSitemap,
    "news": NewsItemSitemap,
    "program": ProgramPageSitemap,
    "partners": MunicipalitySitemap,
}
