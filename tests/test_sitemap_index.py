"""The sitemap index (issue 20): /sitemap.xml lists each section's pages, each page holds at most
MPED_SITEMAP_LIMIT addresses (every item once per language), and every public address is on
exactly one page. Pages are read from the database a slice at a time."""

import datetime
import math
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from news.models import NewsItem
from pages.models import ProgramPage
from partners.models import Country, Municipality

from .helpers import (
    SITEMAP_NS,
    hidden_content,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    public_paths,
)

LANGUAGES = ("en", "fr", "km")
# What a sitemap page never reads of a news item: its texts, extracted PDF text, search vectors.
UNREAD_COLUMNS = ("body", "summary", "documents_text", "search_public", "km_words", "title")


def content(news=10):
    canadian = make_municipality("Town of Alpha")
    cambodian = make_municipality("Beta commune", country=Country.CAMBODIA)
    make_partnership(canadian, cambodian)
    make_municipality("Town of Gamma")
    for number in range(news):
        item = make_news(f"Story {number}", days_ago=number + 1)
        item.partners.add(canadian if number % 2 else cambodian)
    make_page("First page")
    make_page("Second page")


def index(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [
        loc.text.removeprefix("http://testserver")
        for loc in root.findall("s:sitemap/s:loc", SITEMAP_NS)
    ]


def page_locations(client, page):
    response = client.get(page)
    assert response.status_code == 200, page
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return [
        url.find("s:loc", SITEMAP_NS).text.removeprefix("http://testserver")
        for url in root.findall("s:url", SITEMAP_NS)
    ]


def expected_pages(section, addresses, limit):
    per_page = limit // len(LANGUAGES)
    count = math.ceil(addresses / len(LANGUAGES) / per_page)
    first = f"/sitemap-{section}.xml"
    return [first] + [f"{first}?p={number}" for number in range(2, count + 1)]


@pytest.mark.parametrize("limit", [9, 10, 50_000])
def test_the_index_lists_every_page_and_every_address_is_on_exactly_one(
    client, db, settings, limit
):
    settings.MPED_SITEMAP_LIMIT = limit
    content(news=10)
    hidden_content()
    pages = index(client)
    items = {
        "pages": 5,
        "news": NewsItem.objects.published().count(),
        "program": ProgramPage.objects.published().count(),
        "partners": Municipality.objects.published().count(),
    }
    assert items["news"] == 10
    expected = []
    for section, count in items.items():
        expected += expected_pages(section, count * len(LANGUAGES), limit)
    assert pages == expected
    listed = []
    for page in pages:
        locations = page_locations(client, page)
        assert 0 < len(locations) <= limit, page
        # An item's language versions stay together on one page.
        assert len(locations) % len(LANGUAGES) == 0, page
        listed += locations
    wanted = set().union(*(public_paths(language) for language in LANGUAGES))
    assert sorted(listed) == sorted(wanted)  # each once, and nothing hidden


@pytest.mark.parametrize(
    "address",
    [
        "/sitemap-news.xml?p=5",
        "/sitemap-news.xml?p=0",
        "/sitemap-news.xml?p=-1",
        "/sitemap-news.xml?p=abc",
        "/sitemap-news.xml?p=",
        "/sitemap-news.xml?p=1.5",
        "/sitemap-news.xml?p=99999999999999999999999",
        "/sitemap-nothing.xml",
        "/sitemap-.xml",
    ],
)
def test_a_page_that_does_not_exist_is_a_404(client, db, settings, address):
    settings.MPED_SITEMAP_LIMIT = 9
    content(news=10)  # four pages of news
    assert client.get("/sitemap-news.xml?p=4").status_code == 200
    assert client.get(address).status_code == 404


def sitemap_page_queries(client, page):
    cache.clear()  # the sitemap's pages are cached pages
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page).status_code == 200
    return [query["sql"] for query in captured]


@pytest.mark.parametrize("limit", [9, 50_000])
def test_a_pages_queries_do_not_grow_with_the_items_and_read_no_texts(client, db, settings, limit):
    settings.MPED_SITEMAP_LIMIT = limit
    content(news=5)
    pages = ["/sitemap.xml", *index(client)]
    few = {page: len(sitemap_page_queries(client, page)) for page in pages}
    for number in range(5, 50):
        item = make_news(f"Story {number}", days_ago=number + 1)
        item.partners.add(Municipality.objects.first())
    many_pages = index(client)
    assert len(many_pages) > len(pages) - 1 or limit == 50_000
    for page in ["/sitemap.xml", *many_pages]:
        queries = sitemap_page_queries(client, page)
        section = page.split("?")[0]
        same = next(known for known in few if known.split("?")[0] == section)
        assert len(queries) <= few[same], page
        for sql in queries:
            # (The list pages' section works out the home page's date as the home page does.)
            if section != "/sitemap-pages.xml" and "news_newsitem" in sql.split(" FROM ")[0]:
                for column in UNREAD_COLUMNS:
                    assert f'"news_newsitem"."{column}' not in sql, (page, sql)


def test_the_index_and_the_pages_are_cached_until_content_changes(client, db, settings):
    settings.MPED_SITEMAP_LIMIT = 9
    content(news=5)  # two pages of news
    addresses = ["/sitemap.xml", "/sitemap-news.xml", "/sitemap-news.xml?p=2"]
    for address in addresses:
        assert resolve(address.split("?")[0]).func.cache_public_page
    # (The first request on a new database creates the site settings: a content change.)
    client.get("/sitemap.xml")
    for address in addresses:
        assert client.get(address)["X-Cache"] == "miss", address
        assert client.get(address)["X-Cache"] == "hit", address
    make_news("Fresh story", days_ago=0)  # the newest: on the last page
    assert "/en/news/fresh-story/" in page_locations(client, "/sitemap-news.xml?p=2")
    assert client.get("/sitemap-news.xml?p=2")["X-Cache"] == "hit"


def test_robots_txt_names_the_sitemap_index(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert ET.fromstring(client.get("/sitemap.xml").content).tag == (
        "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    )


def lastmods(client, page):
    root = ET.fromstring(client.get(page).content)
    return {
        url.find("s:loc", SITEMAP_NS).text.removeprefix("http://testserver"): url.find(
            "s:lastmod", SITEMAP_NS
        ).text
        for url in root.findall("s:url", SITEMAP_NS)
    }


def test_related_rows_move_the_dates_as_they_move_the_pages_page_updated(client, db):
    town = make_municipality("Town of Alpha")
    item = make_news("Old story", days_ago=400)
    NewsItem.objects.filter(pk=item.pk).update(updated_at=item.published_at)
    Municipality.objects.filter(pk=town.pk).update(updated_at=item.published_at)
    old = timezone.localtime(item.published_at).date().isoformat()
    assert lastmods(client, "/sitemap-news.xml")["/en/news/old-story/"] == old
    assert lastmods(client, "/sitemap-partners.xml")["/en/partners/town-of-alpha/"] == old
    item.partners.add(town)  # a partner named by the item: the item's page is as old as it
    assert lastmods(client, "/sitemap-news.xml")["/en/news/old-story/"] == old
    town.save()  # edited today: the item's page shows the partner's date
    dates = lastmods(client, "/sitemap-news.xml")
    for path in ["/en/news/old-story/", "/km/news/old-story/"]:
        html = client.get(path).content.decode()
        assert f'<time datetime="{dates[path]}' in html, path
        assert dates[path] != old
    fresh = make_news("Fresh story", days_ago=0)
    fresh.partners.add(town)
    Municipality.objects.filter(pk=town.pk).update(updated_at=item.published_at)
    dates = lastmods(client, "/sitemap-partners.xml")
    html = client.get("/en/partners/town-of-alpha/").content.decode()
    assert f'<time datetime="{dates["/en/partners/town-of-alpha/"]}' in html
    assert dates["/en/partners/town-of-alpha/"] != old


def test_a_municipalitys_date_counts_the_news_its_page_lists_and_no_other(client, db):
    # partners.views: the page and its sitemap date share one rule (the latest NEWS_ON_PAGE).
    from partners.views import NEWS_ON_PAGE

    town = make_municipality("Town of Alpha")
    old = timezone.now() - datetime.timedelta(days=400)
    items = [make_news(f"Town story {n}", days_ago=n + 10) for n in range(NEWS_ON_PAGE + 2)]
    for item in items:
        item.partners.add(town)
    NewsItem.objects.all().update(updated_at=old)
    Municipality.objects.filter(pk=town.pk).update(updated_at=old)
    path = "/en/partners/town-of-alpha/"
    newest = timezone.localtime(items[0].published_at).date().isoformat()
    assert lastmods(client, "/sitemap-partners.xml")[path] == newest
    # The oldest item, not on the page, edited today: neither the page's date nor the sitemap's.
    NewsItem.objects.filter(pk=items[-1].pk).update(updated_at=timezone.now())
    assert lastmods(client, "/sitemap-partners.xml")[path] == newest
    assert f'<time datetime="{newest}' in client.get(path).content.decode()
    # One the page lists, edited today: both.
    items[3].save()
    today = timezone.localdate().isoformat()
    assert lastmods(client, "/sitemap-partners.xml")[path] == today
    assert f'<time datetime="{today}' in client.get(path).content.decode()
