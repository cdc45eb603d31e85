"""RSS and Atom feeds of "The latest", and one of each per kind of news."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from pages.models import SiteSettings

from .models import Kind, NewsItem

FEED_LENGTH = 20


class LatestNewsFeed(Feed):
    def get_object(self, request, kind=None):
        if kind is not None and kind not in Kind.values:
            raise Http404(_("There is no kind of news called that."))
        self.site = SiteSettings.for_request(request)
        return kind

    def title(self, kind):
        if kind:
            return f"{self.site.site_name}: {Kind(kind).label}"
        return f"{self.site.site_name}: {_('The latest')}"

    def link(self, kind):
        url = reverse("news:list")
        return f"{url}?kind={kind}" if kind else url

    def description(self, kind):
        return self.site.tagline or self.site.site_name

    def items(self, kind):
        items = NewsItem.objects.published()
        if kind:
            items = items.filter(kind=kind)
        return items[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_categories(self, item):
        return [item.get_kind_display()]


class LatestNewsAtomFeed(LatestNewsFeed):
    feed_type = Atom1Feed

    def subtitle(self, kind):
        return self.description(kind)
