"""RSS and Atom feeds of "The latest", and one of each per kind of news."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from pages.models import SiteSettings

from .models import Kind, NewsItem

FEED_LENGTH = 20
# The date in the entries' tag: URIs (RFC 4151): any day on which the site held its domain will
# do; it never changes, so neither do the ids. (News items keep no creation date of their own.)
TAG_DATE = "2016-05-18"


def entry_id(item):
    """An entry's id that stays the same when its slug, title or date change: a tag: URI from
    the site's domain (MPED_SITE_URL, whatever address the feed was read at) and the item's id,
    "tag:mped.example.org,2016-05-18:news/42"."""
    domain = urlsplit(settings.MPED_SITE_URL).hostname or "localhost"
    return f"tag:{domain},{TAG_DATE}:news/{item.pk}"


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

    # The organisation is the author of every entry (RFC 4287 §4.1.1: an Atom feed names its
    # author, or every entry does).
    def author_name(self, kind):
        return self.site.site_name

    def author_link(self, kind):
        return settings.MPED_SITE_URL + reverse("home")

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

    def item_guid(self, item):
        return entry_id(item)

    def item_guid_is_permalink(self, item):
        return False


class LatestNewsAtomFeed(LatestNewsFeed):
    feed_type = Atom1Feed

    def subtitle(self, kind):
        return self.description(kind)
