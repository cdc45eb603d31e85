"""Feeds, sitemap, robots.txt and the metadata that search engines and link previews read."""

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from news.models import Kind, NewsItem
from partners.models import Municipality

from .helpers import (
    SITEMAP_NS,
    hidden_content,
    make_news,
    public_paths,
)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/en/news/feed/", None),
        ("/en/news/feed/atom/", None),
        ("/en/news/feed/report/", Kind.REPORT),
        ("/en/news/feed/press/atom/", Kind.PRESS),
    ],
)
def test_feeds_are_valid_and_list_only_what_is_published(client, demo, url, kind):
    hidden_content()
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    titles = [entry.title for entry in feed.entries]
    for hidden in ["Secret draft", "Future report", "Expired press"]:
        assert hidden not in titles
    expected = NewsItem.objects.published()
    if kind:
        expected = expected.filter(kind=kind)
    assert titles == [item.title for item in expected]
    for entry in feed.entries:
        assert entry.link.startswith("http://testserver/en/news/")


def test_rss_items_carry_summary_date_and_kind(client, demo):
    feed = feedparser.parse(client.get("/en/news/feed/").content)
    report = next(e for e in feed.entries if e.title.startswith("New report"))
    assert "Encouraging and Supporting Women" in report.summary
    assert report.published_parsed[:3] == (2016, 5, 18)
    assert [tag.term for tag in report.tags] == ["Report"]


def test_an_unknown_feed_kind_is_a_404(client, db):
    assert client.get("/en/news/feed/nonsense/").status_code == 404


def test_every_page_links_its_feeds_for_autodiscovery(client, demo):
    for url in ["/en/", "/en/news/", "/en/partners/", "/en/program/led-framework/"]:
        html = client.get(url).content.decode()
        assert 'type="application/rss+xml"' in html and 'href="/en/news/feed/"' in html, url
        assert 'type="application/atom+xml"' in html and 'href="/en/news/feed/atom/"' in html, url


def sitemap_pages(client):
    """The addresses of the sitemap's pages, as its index (/sitemap.xml) lists them."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [
        loc.text.removeprefix("http://testserver")
        for loc in root.findall("s:sitemap/s:loc", SITEMAP_NS)
    ]


def sitemap_urls(client):
    """{path: (lastmod, {hreflang: alternate path})} for each <url> of the sitemap's pages."""
    urls = {}
    for page in sitemap_pages(client):
        response = client.get(page)
        assert response.status_code == 200
        urls |= sitemap_page_urls(ET.fromstring(response.content))
    return urls


def sitemap_page_urls(root):
    return {
        url.find("s:loc", SITEMAP_NS).text.removeprefix("http://testserver"): (
            url.find("s:lastmod", SITEMAP_NS).text,
            {
                link.get("hreflang"): link.get("href").removeprefix("http://testserver")
                for link in url.findall("xhtml:link", SITEMAP_NS)
                if link.get("rel") == "alternate"
            },
        )
        for url in root.findall("s:url", SITEMAP_NS)
    }


def sitemap_entries(client):
    return {path: lastmod for path, (lastmod, _alternates) in sitemap_urls(client).items()}


def test_sitemap_has_every_public_url_in_every_language_and_nothing_else(client, demo):
    hidden_content()
    entries = sitemap_entries(client)
    english = public_paths("en")
    assert "/en/" in english and "/en/news/canada-in-the-spotlight/" in english
    assert set(entries) == english | public_paths("fr") | public_paths("km")
    assert len(entries) == 3 * len(english)
    for hidden in ["secret-draft", "future-report", "expired-press", "draft-page", "hidden-town"]:
        assert not any(hidden in url for url in entries)


def test_sitemap_lists_each_pages_language_versions_as_alternates(client, demo):
    urls = sitemap_urls(client)
    _lastmod, alternates = urls["/fr/news/canada-in-the-spotlight/"]
    assert alternates == {
        "en": "/en/news/canada-in-the-spotlight/",
        "fr": "/fr/news/canada-in-the-spotlight/",
        "km": "/km/news/canada-in-the-spotlight/",
        "x-default": "/en/news/canada-in-the-spotlight/",
    }
    for path, (lastmod, alternates) in urls.items():
        assert set(alternates) == {"en", "fr", "km", "x-default"}, path
        assert path == alternates[path.split("/")[1]], path
        assert alternates["x-default"] == alternates["en"], path
        # Every language version of a page has the same date.
        assert {urls[alternate][0] for alternate in alternates.values()} == {lastmod}, path


def test_sitemap_dates_are_the_pages_page_updated_dates(client, demo):
    make_news("Fresh story")  # today: moves the home page and the listing, not the others
    for url, lastmod in sitemap_entries(client).items():
        if not url.startswith("/en/"):
            continue  # the same dates (above), in each language's date format
        html = client.get(url).content.decode()
        shown = re.search(r'class="page-updated">[^<]*<time datetime="(\d{4}-\d\d-\d\d)', html)
        assert lastmod == shown.group(1), url


def test_sitemap_queries_do_not_grow_with_the_number_of_languages(client, demo, settings):
    def queries():
        cache.clear()  # the sitemap is a cached page
        with CaptureQueriesContext(connection) as captured:
            for page in ["/sitemap.xml", *sitemap_pages(client)]:
                assert client.get(page).status_code == 200
        return len(captured)

    three = queries()
    settings.LANGUAGES = [("en", "English")]
    assert queries() == three


def test_robots_txt_points_to_the_sitemap_and_keeps_bots_out_of_private_places(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text
    for language in ["en", "fr", "km"]:
        assert f"Disallow: /{language}/accounts/" in text
        # Documents are allowed (tests/test_standards.py): the document view guards members'.
        assert f"/{language}/news/documents/" not in text


def meta(html, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    return match.group(1) if match else None


def test_news_item_has_a_sharing_card_canonical_url_and_structured_data(client, demo):
    item = NewsItem.objects.get(kind=Kind.REPORT)
    html = client.get(item.get_absolute_url() + "?utm_source=x").content.decode()
    canonical = f"http://testserver{item.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert meta(html, "property", "og:url") == canonical
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:title") == item.title.replace("'", "&#x27;")
    assert meta(html, "name", "twitter:card") == "summary_large_image"
    assert meta(html, "property", "og:image").startswith("http://testserver/")
    assert meta(html, "name", "description").startswith("Our new report")
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )
    assert data["@type"] == "Report" and data["headline"] == item.title
    assert data["datePublished"].startswith("2016-05-18")
    assert data["publisher"]["name"] == "Municipal Partners for Economic Development"


def test_staff_written_meta_description_wins_over_the_summary(client, demo):
    NewsItem.objects.filter(kind=Kind.PRESS).update(meta_description="Two features, one story.")
    item = NewsItem.objects.get(kind=Kind.PRESS)
    html = client.get(item.get_absolute_url()).content.decode()
    assert meta(html, "name", "description") == "Two features, one story."
    assert meta(html, "property", "og:description") == "Two features, one story."


def test_home_page_has_organization_data_and_every_page_a_description(client, demo):
    html = client.get("/en/").content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )
    assert data["@type"] == "Organization" and data["alternateName"] == "MPED"
    for url in [
        "/en/",
        "/en/news/",
        "/en/partners/",
        "/en/partners/county-of-newell/",
        "/en/program/",
    ]:
        page = client.get(url).content.decode()
        assert meta(page, "name", "description"), url
        assert meta(page, "property", "og:image"), url
        assert page.count("<h1") == 1, url


def test_listing_canonical_keeps_only_the_kind_and_page(client, demo):
    for day in range(12):
        make_news(f"Report {day}", kind=Kind.REPORT, days_ago=day)
    html = client.get("/en/news/?kind=report&page=2&utm_campaign=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/en/news/?kind=report&amp;page=2">' in html


def test_a_partners_news_and_the_oldest_page_are_their_own_canonical_address(client, demo):
    partner = Municipality.objects.published().first()
    html = client.get(f"/en/news/?partner={partner.slug}&fbclid=x").content.decode()
    canonical = f"http://testserver/en/news/?partner={partner.slug}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    for day in range(12):
        make_news(f"Report {day}", kind=Kind.REPORT, days_ago=day)
    html = client.get("/en/news/?oldest=1&utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/en/news/?oldest=1">' in html
