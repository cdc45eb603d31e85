"""Feeds, sitemap, robots.txt and the metadata that search engines and link previews read."""

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.utils import timezone

from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Municipality

from .conftest import make_municipality, make_news, make_page
from .test_home import visible_text

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def hidden_content():
    """One of each thing readers must not see: a draft, a scheduled and an expired item."""
    make_news("Secret draft", kind=Kind.REPORT, published=False)
    make_news("Future report", kind=Kind.REPORT, days_ago=-2)
    expired = make_news("Expired press", kind=Kind.PRESS, days_ago=3)
    NewsItem.objects.filter(pk=expired.pk).update(unpublish_at=timezone.now())
    make_page("Draft page", published=False)
    make_municipality("Hidden town", published=False)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/news/feed/", None),
        ("/news/feed/atom/", None),
        ("/news/feed/report/", Kind.REPORT),
        ("/news/feed/press/atom/", Kind.PRESS),
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
        assert entry.link.startswith("http://testserver/news/")


def test_rss_items_carry_summary_date_and_kind(client, demo):
    feed = feedparser.parse(client.get("/news/feed/").content)
    report = next(e for e in feed.entries if e.title.startswith("New report"))
    assert "Encouraging and Supporting Women" in report.summary
    assert report.published_parsed[:3] == (2016, 5, 18)
    assert [tag.term for tag in report.tags] == ["Report"]


def test_an_unknown_feed_kind_is_a_404(client, db):
    assert client.get("/news/feed/nonsense/").status_code == 404


def test_every_page_links_its_feeds_for_autodiscovery(client, demo):
    for url in ["/", "/news/", "/partners/", "/program/led-framework/"]:
        html = client.get(url).content.decode()
        assert 'type="application/rss+xml"' in html and 'href="/news/feed/"' in html, url
        assert 'type="application/atom+xml"' in html and 'href="/news/feed/atom/"' in html, url


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.find("s:loc", SITEMAP_NS).text.removeprefix("http://testserver"): url.find(
            "s:lastmod", SITEMAP_NS
        ).text
        for url in root.findall("s:url", SITEMAP_NS)
    }


def test_sitemap_has_every_public_url_and_nothing_else(client, demo):
    hidden_content()
    entries = sitemap_entries(client)
    expected = {"/", "/news/", "/program/", "/partners/"}
    expected |= {item.get_absolute_url() for item in NewsItem.objects.published()}
    expected |= {page.get_absolute_url() for page in ProgramPage.objects.published()}
    expected |= {m.get_absolute_url() for m in Municipality.objects.published()}
    assert set(entries) == expected
    for hidden in ["secret-draft", "future-report", "expired-press", "draft-page", "hidden-town"]:
        assert not any(hidden in url for url in entries)


def test_sitemap_dates_are_the_pages_page_updated_dates(client, demo):
    make_news("Fresh story")  # today: moves the home page and the listing, not the others
    for url, lastmod in sitemap_entries(client).items():
        text = visible_text(client.get(url))
        shown = re.search(r"Page Updated: (\d\d)/(\d\d)/(\d{4})", text)
        day, month, year = shown.groups()
        assert lastmod == f"{year}-{month}-{day}", url


def test_robots_txt_points_to_the_sitemap_and_keeps_bots_out_of_private_places(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text and "Disallow: /accounts/" in text


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
    html = client.get("/").content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )
    assert data["@type"] == "Organization" and data["alternateName"] == "MPED"
    for url in ["/", "/news/", "/partners/", "/partners/county-of-newell/", "/program/"]:
        page = client.get(url).content.decode()
        assert meta(page, "name", "description"), url
        assert meta(page, "property", "og:image"), url
        assert page.count("<h1") == 1, url


def test_listing_canonical_keeps_only_the_kind_and_page(client, demo):
    for day in range(12):
        make_news(f"Report {day}", kind=Kind.REPORT, days_ago=day)
    html = client.get("/news/?kind=report&page=2&utm_campaign=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/news/?kind=report&amp;page=2">' in html
