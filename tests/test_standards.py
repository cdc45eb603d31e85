"""What independent validators read: Atom and RSS (authors, ids that last), robots.txt,
structured data and Open Graph locales, per-kind feed links, the sitemap's open data page."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import feedparser
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import translation

from news.models import Kind, NewsItem

REPORT = "new-report-womens-participation-in-local-politics"
SITE_NAME = "Municipal Partners for Economic Development"


def json_ld(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html)[1])


def metas(html, name):
    return re.findall(rf'<meta property="{re.escape(name)}" content="([^"]*)">', html)


# Feeds ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/en/news/feed/atom/", "/en/news/feed/report/atom/"])
def test_atom_feeds_name_the_organisation_as_author(client, demo, url):
    feed = feedparser.parse(client.get(url).content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.author == SITE_NAME
    assert feed.feed.author_detail.href == "http://127.0.0.1:8000/en/"
    root = ET.fromstring(client.get(url).content)
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.find(f"{atom}author/{atom}name").text == SITE_NAME


def entry_ids(client, url):
    cache.clear()  # the feeds are cached pages
    feed = feedparser.parse(client.get(url).content)
    assert not feed.bozo, feed.bozo_exception
    return {entry.title: entry.id for entry in feed.entries}


@pytest.mark.parametrize("url", ["/en/news/feed/", "/en/news/feed/atom/"])
def test_entry_ids_are_tag_uris_that_survive_a_new_slug(client, demo, url):
    before = entry_ids(client, url)
    item = NewsItem.objects.get(slug=REPORT)
    assert before[item.title] == f"tag:127.0.0.1,2016-05-18:news/{item.pk}"
    assert len(set(before.values())) == len(before)
    item.slug = "womens-participation-report"
    item.save()
    after = entry_ids(client, url)
    assert after == before
    # The link follows the new slug; only the id stays.
    feed = feedparser.parse(client.get(url).content)
    assert any(
        entry.link.endswith("/en/news/womens-participation-report/") for entry in feed.entries
    )


def test_rss_guids_are_not_permalinks(client, demo):
    root = ET.fromstring(client.get("/en/news/feed/").content)
    guids = root.findall("channel/item/guid")
    assert guids and len(guids) == len(root.findall("channel/item"))
    for guid in guids:
        assert guid.get("isPermaLink") == "false"
        assert guid.text.startswith("tag:127.0.0.1,2016-05-18:news/")


def test_entry_ids_come_from_the_configured_site_domain(client, demo, settings):
    settings.MPED_SITE_URL = "https://mped.example.org"
    ids = entry_ids(client, "/fr/news/feed/atom/")
    assert all(value.startswith("tag:mped.example.org,2016-05-18:news/") for value in ids.values())


# Per-kind feeds linked from the filtered list ---------------------------------------------------


@pytest.mark.parametrize("kind", Kind.values)
def test_a_filtered_list_links_its_own_feeds_in_its_head(client, demo, kind):
    html = client.get(f"/fr/news/?kind={kind}").content.decode()
    head = html.split("</head>")[0]
    atom = re.search(
        rf'<link rel="alternate" type="application/atom\+xml" title="([^"]*)" '
        rf'href="/fr/news/feed/{kind}/atom/">',
        head,
    )
    assert atom, kind
    with translation.override("fr"):
        assert atom[1].endswith(f": {Kind(kind).label} (Atom)"), atom[1]
    assert 'type="application/rss+xml" title="' in head
    assert f'href="/fr/news/feed/{kind}/"' in head
    feed = feedparser.parse(client.get(f"/fr/news/feed/{kind}/atom/").content)
    expected = NewsItem.objects.published().filter(kind=kind).count()
    assert len(feed.entries) == expected


def test_the_unfiltered_list_links_only_the_general_feeds(client, demo):
    head = client.get("/en/news/").content.decode().split("</head>")[0]
    assert 'href="/en/news/feed/atom/"' in head
    assert "/en/news/feed/report/" not in head


# Sitemap ----------------------------------------------------------------------------------------


def test_the_open_data_page_is_in_the_sitemap_in_every_language(client, demo):
    text = client.get("/sitemap-pages.xml").content.decode()
    for language in ["en", "fr", "km"]:
        assert f"<loc>http://testserver/{language}/partners/data/</loc>" in text
        assert client.get(f"/{language}/partners/data/").status_code == 200


# robots.txt -------------------------------------------------------------------------------------


def robots(client):
    parser = RobotFileParser()
    parser.parse(client.get("/robots.txt").content.decode().splitlines())
    return parser


def test_robots_txt_lets_crawlers_fetch_the_pictures_and_pdfs_pages_name(client, demo):
    html = client.get(f"/en/news/{REPORT}/").content.decode()
    named = metas(html, "og:image") + [json_ld(html)["encoding"]["contentUrl"]]
    named += re.findall(r'href="(/documents/[^"]+)"', html)
    parser = robots(client)
    for url in named:
        assert parser.can_fetch("Googlebot", url), url
        path = urlsplit(url).path
        if path.startswith(settings.MEDIA_URL):
            # A library picture's rendition: a file the web server serves as it is.
            assert default_storage.exists(path.removeprefix(settings.MEDIA_URL)), url
        else:
            assert client.get(url).status_code == 200, url
    # The old addresses redirect for good to the library's, which crawlers may follow now.
    for language in ["en", "fr", "km"]:
        assert parser.can_fetch("*", f"http://testserver/{language}/news/documents/x.pdf")
    assert not parser.can_fetch("*", "http://testserver/en/accounts/profile/")
    assert not parser.can_fetch("*", "http://testserver/admin/")


def test_members_only_documents_stay_out_of_reach_of_crawlers(client, demo):
    item = NewsItem.objects.get(slug="sample-members-only-briefing")
    link = item.documents.get()
    url = link.document.get_absolute_url()
    html = client.get(item.get_absolute_url()).content.decode()
    assert url not in html  # never linked for visitors
    response = client.get(url)
    assert response.status_code in (302, 403, 404)
    assert response.status_code != 302 or "/accounts/login/" in response["Location"]


# Structured data and Open Graph -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "km"])
def test_news_article_names_an_image_and_its_language(client, demo, language):
    for slug in [REPORT, "canada-in-the-spotlight", "sample-members-only-briefing"]:
        item = NewsItem.objects.get(slug=slug)
        item.save()  # edited: dates with microseconds
        html = client.get(f"/{language}/news/{slug}/").content.decode()
        data = json_ld(html)
        assert data["inLanguage"] == language, slug
        assert data["image"] and data["image"][0].startswith("http://testserver/"), slug
        assert data["image"][0] == metas(html, "og:image")[0], slug
        for key in ["datePublished", "dateModified"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", data[key]), data[key]


def test_an_item_without_a_picture_names_the_site_card(client, demo):
    html = client.get("/en/news/sample-members-only-briefing/").content.decode()
    data = json_ld(html)
    assert data["@type"] == "NewsArticle"
    # The site settings' sharing image (the demo's card), as og:image names it.
    assert data["image"] == [metas(html, "og:image")[0]]
    assert "social" in data["image"][0]


@pytest.mark.parametrize(
    ("language", "locale", "alternates"),
    [
        ("en", "en_CA", ["fr_CA", "km_KH"]),
        ("fr", "fr_CA", ["en_CA", "km_KH"]),
        ("km", "km_KH", ["en_CA", "fr_CA"]),
    ],
)
def test_pages_give_their_og_locale_and_the_alternates(client, demo, language, locale, alternates):
    for path in ["", "news/", f"news/{REPORT}/", "partners/data/", "search/?q=women"]:
        html = client.get(f"/{language}/{path}").content.decode()
        assert metas(html, "og:locale") == [locale], path
        assert metas(html, "og:locale:alternate") == alternates, path
