"""Queries per page must not grow with the number of items shown."""

import pytest

from news.models import Kind, NewsItem
from pages.models import ProgramPage, SiteSettings
from partners.models import Country, Municipality

from .helpers import count_queries, make_municipality, make_news, make_partnership

# What rendering a page costs; a cached page costs none (tests/test_cache.py).
pytestmark = pytest.mark.usefixtures("uncached")


def add_content(start, count):
    for i in range(start, start + count):
        canadian = make_municipality(f"Canadian town {i}", region="Alberta")
        cambodian = make_municipality(f"Cambodian commune {i}", country=Country.CAMBODIA)
        make_partnership(canadian, cambodian, since=2011, focus="Planning")
        item = make_news(f"Story {i}", kind=Kind.PRESS if i % 2 else Kind.REPORT, days_ago=i % 20)
        item.partners.add(canadian, cambodian)


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/en/news/",
        "/en/news/?kind=report",
        "/en/partners/",
        "/en/program/about-the-league/",
    ],
)
def test_queries_stay_the_same_from_3_to_30_items(client, demo, url):
    add_content(0, 3)
    with_3 = count_queries(client, url)
    add_content(3, 27)
    with_30 = count_queries(client, url)
    assert with_3 == with_30, f"{url}: {with_3} queries with 3 items, {with_30} with 30"


def test_item_and_partner_pages_do_not_grow_with_their_relations(client, demo):
    add_content(0, 3)
    item_url = "/en/news/story-1/"
    partner_url = "/en/partners/canadian-town-1/"
    before = count_queries(client, item_url), count_queries(client, partner_url)
    add_content(3, 27)
    story = NewsItem.objects.get(slug="story-1")
    town = Municipality.objects.get(slug="canadian-town-1")
    story.partners.add(*Municipality.objects.all())
    for item in NewsItem.objects.all():
        item.partners.add(town)
    after = count_queries(client, item_url), count_queries(client, partner_url)
    assert before == after


def test_home_page_needs_few_queries(client, demo):
    # One of them: the documents of the cards' reports (their Download the report links).
    assert count_queries(client, "/en/") <= 9


@pytest.mark.parametrize(
    "url",
    [
        "/en/news/canada-in-the-spotlight/",
        "/en/partners/kang-meas-district/",
        "/en/program/mped-initiatives-in-cambodia/",
        "/en/",
    ],
)
def test_pages_that_show_library_images_ask_no_query_more_than_without(client, demo, url):
    """The demo content's images (a news item's and a municipality's, a program page's header,
    the site's default sharing card) come with their rows (select_related): an image costs no
    query, its renditions' addresses are worked out without one."""
    assert NewsItem.objects.exclude(image=None).exists()
    assert SiteSettings.load().share_image is not None
    with_images = count_queries(client, url)
    assert "/media/library/renditions/" in client.get(url).content.decode()
    NewsItem.objects.update(image=None)
    Municipality.objects.update(image=None)
    ProgramPage.objects.update(image=None)
    SiteSettings.objects.update(share_image=None)
    assert count_queries(client, url) == with_images
