"""URLs carry the language (/en/, /fr/, /km/): every public page answers in each language with
the right `lang`, hreflang alternates and a language switcher that keeps the reader on the same
page; a first visit without a language goes to the browser's; the page cache, feeds, search and
emails follow the language of the address."""

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import feedparser
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from news.alerts import send_news_alerts
from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Municipality

from .helpers import count_queries, make_member, make_news, run_worker

LANGUAGES = ["en", "fr", "km"]
REPORT = "new-report-womens-participation-in-local-politics"


def public_pages():
    """{name: path in the active language} for each kind of public page (and the two account
    pages a visitor sees)."""
    return {
        "home": reverse("home"),
        "news list": reverse("news:list"),
        "news item": NewsItem.objects.get(slug=REPORT).get_absolute_url(),
        "program list": reverse("pages:list"),
        "program page": ProgramPage.objects.get(slug="about-the-league").get_absolute_url(),
        "partners list": reverse("partners:list"),
        "partner page": Municipality.objects.get(slug="county-of-newell").get_absolute_url(),
        "search": reverse("search:results") + "?q=women",
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
    }


PAGES = [
    "home",
    "news list",
    "news item",
    "program list",
    "program page",
    "partners list",
    "partner page",
    "search",
    "login",
    "signup",
]


def page_in(language, name):
    with translation.override(language):
        return public_pages()[name]


class PageLanguageParser(HTMLParser):
    """What a page says about its language: <html lang>, the canonical and hreflang links, and
    the language switcher's links."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.canonical = None
        self.alternates = {}
        self.switcher = []
        self.switcher_label = None
        self._in_switcher = False
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            assert attrs["hreflang"] not in self.alternates, "one link per language"
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "nav" and "language-switcher" in attrs.get("class", ""):
            self._in_switcher = True
            self.switcher_label = attrs.get("aria-label")
        elif tag == "a" and self._in_switcher:
            self._link = {**attrs, "text": ""}
            self.switcher.append(self._link)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switcher = False
        elif tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data.strip()


def parse(response):
    parser = PageLanguageParser()
    parser.feed(response.content.decode())
    return parser


def absolute(path):
    return f"http://testserver{path}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_page_answers_in_each_language_with_lang_and_hreflang_links(
    client, demo, language, name
):
    path = page_in(language, name)
    assert path.startswith(f"/{language}/")
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Language"] == language
    page = parse(response)
    assert page.lang == language
    # The canonical URL is this language's own version; the alternates list all three and
    # x-default (the English page), absolute, of this same page.
    assert page.canonical == absolute(path)
    versions = {code: absolute(page_in(code, name)) for code in LANGUAGES}
    assert page.alternates == {**versions, "x-default": versions["en"]}


@pytest.mark.usefixtures("uncached")  # to see which object each page shows
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_switcher_links_to_the_same_page_in_the_other_languages(client, demo, language, name):
    response = client.get(page_in(language, name))
    page = parse(response)
    assert page.switcher_label
    if language == "en":
        assert page.switcher_label == "Language"
    assert [link["lang"] for link in page.switcher] == LANGUAGES
    assert [link["text"] for link in page.switcher] == ["English", "Français", "ខ្មែរ"]
    subject = response.context.get("object")
    view_name = response.resolver_match.view_name  # (resolved lazily, in the active language)
    for link in page.switcher:
        code = link["lang"]
        assert link["hreflang"] == code
        assert link["href"] == page_in(code, name)
        assert ("aria-current" in link) == (code == language)
        # Following the link lands on the same page (the same item), in that language.
        there = client.get(link["href"])
        assert there.status_code == 200
        assert parse(there).lang == code
        assert there.resolver_match.view_name == view_name
        if subject is not None:
            assert there.context["object"] == subject


def test_the_switcher_keeps_the_filters_and_the_page_of_a_listing(client, demo):
    for day in range(12):
        make_news(f"Report {day}", kind=Kind.REPORT, days_ago=day)
    response = client.get("/fr/news/?kind=report&page=2")
    assert response.status_code == 200
    page = parse(response)
    hrefs = {link["lang"]: link["href"] for link in page.switcher}
    assert hrefs == {code: f"/{code}/news/?kind=report&page=2" for code in LANGUAGES}
    # The same second page of reports in English.
    english = client.get(hrefs["en"])
    assert [item.pk for item in english.context["object_list"]] == [
        item.pk for item in response.context["object_list"]
    ]
    # The hreflang links keep what the canonical URL keeps.
    assert page.alternates["km"] == absolute("/km/news/?kind=report&page=2")


def test_the_switcher_keeps_the_search_and_the_search_form_stays_in_the_language(client, demo):
    response = client.get("/km/search/", {"q": "women", "utm_source": "x"})
    assert response.status_code == 200
    page = parse(response)
    hrefs = {link["lang"]: link["href"] for link in page.switcher}
    assert hrefs["fr"] == "/fr/search/?q=women&utm_source=x"
    assert page.alternates["fr"] == absolute("/fr/search/?q=women")  # not the tracking tag
    html = response.content.decode()
    assert 'action="/km/search/"' in html
    assert f'href="/km/news/{REPORT}/"' in html  # the results link to the Khmer pages
    assert client.get(hrefs["fr"]).context["query"] == "women"


def test_a_missing_page_offers_each_languages_home(client, demo):
    response = client.get("/fr/news/no-such-item/")
    assert response.status_code == 404
    page = parse(response)
    assert page.lang == "fr"
    assert [link["href"] for link in page.switcher] == ["/en/", "/fr/", "/km/"]


def test_account_pages_switch_language_for_a_logged_in_member(client, db):
    client.force_login(make_member())
    response = client.get("/fr/accounts/profile/")
    assert response.status_code == 200
    page = parse(response)
    assert page.lang == "fr"
    assert [link["href"] for link in page.switcher] == [
        "/en/accounts/profile/",
        "/fr/accounts/profile/",
        "/km/accounts/profile/",
    ]


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "/fr/"),
        ("fr", "/fr/"),
        ("km-KH,km;q=0.9", "/km/"),
        ("de-DE,de;q=0.9", "/en/"),
        ("en-GB,en;q=0.9,fr;q=0.5", "/en/"),
        (None, "/en/"),
    ],
)
def test_a_first_visit_goes_to_the_browsers_language(client, db, accept_language, expected):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


def test_the_first_visit_redirect_costs_no_query(client, demo):
    client.get("/en/")  # the page cache's content version is worked out once, by any request
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", headers={"Accept-Language": "fr"})
    assert response.status_code == 302 and response["Location"] == "/fr/"
    assert len(queries) == 0


def test_old_links_without_a_language_still_work(client, demo):
    old = f"/news/{REPORT}/"
    response = client.get(old, follow=True)
    assert response.redirect_chain == [(f"/en/news/{REPORT}/", 302)]
    assert response.context["object"].slug == REPORT
    french = client.get(old, headers={"Accept-Language": "fr"})
    assert french["Location"] == f"/fr/news/{REPORT}/"
    # The query string goes along; an address that is nowhere stays a 404.
    assert client.get("/news/?kind=report&page=1")["Location"] == "/en/news/?kind=report&page=1"
    assert client.get("/partners")["Location"] == "/en/partners/"
    assert client.get("/no-such-section/").status_code == 404


def test_staff_admin_health_robots_and_sitemap_have_no_language_prefix(client, db):
    assert client.get("/health/").status_code == 200
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/en/robots.txt").status_code == 404
    response = client.get("/admin/", follow=True)
    assert unquote(response.redirect_chain[-1][0]) == "/en/accounts/login/?next=/admin/"
    assert client.get("/en/admin/").status_code == 404


def test_the_page_cache_keeps_one_page_per_language(client, demo):
    english = Client().get("/en/")
    french = Client().get("/fr/")
    assert (english["X-Cache"], french["X-Cache"]) == ("miss", "miss")
    for _ in range(2):
        again_en, again_fr = Client().get("/en/"), Client().get("/fr/")
        assert (again_en["X-Cache"], again_fr["X-Cache"]) == ("hit", "hit")
        assert parse(again_en).lang == "en" and again_en["Content-Language"] == "en"
        assert parse(again_fr).lang == "fr" and again_fr["Content-Language"] == "fr"
        assert again_fr.content == french.content


def test_the_first_visit_redirect_is_never_cached(client, demo):
    for accept_language, expected in [("fr", "/fr/"), ("km", "/km/"), ("de", "/en/")] * 2:
        response = Client().get("/", headers={"Accept-Language": accept_language})
        assert response["Location"] == expected
        assert "X-Cache" not in response
    # Someone else's visit to the French home page does not change where "/" sends a Khmer
    # browser.
    Client().get("/fr/")
    assert Client().get("/fr/")["X-Cache"] == "hit"
    assert Client().get("/", headers={"Accept-Language": "km"})["Location"] == "/km/"


@pytest.mark.usefixtures("uncached")
@pytest.mark.parametrize("name", PAGES)
def test_queries_per_page_do_not_grow_with_the_number_of_languages(client, demo, name, settings):
    client.get("/en/")  # the first request makes the site settings
    counts = {code: count_queries(client, page_in(code, name)) for code in LANGUAGES}
    assert len(set(counts.values())) == 1, counts
    # The same page with a single language costs the same: the switcher and the alternates
    # are worked out without the database.
    settings.LANGUAGES = [("en", "English")]
    assert count_queries(client, page_in("en", name)) == counts["en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_feeds_are_per_language(client, demo, language):
    for path in [f"/{language}/news/feed/", f"/{language}/news/feed/report/atom/"]:
        response = client.get(path)
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.language == language
        assert feed.feed.link == absolute(f"/{language}/news/") + (
            "?kind=report" if "report" in path else ""
        )
        assert feed.entries
        for entry in feed.entries:
            assert entry.link.startswith(absolute(f"/{language}/news/"))
    html = client.get(f"/{language}/").content.decode()
    # The site's name in that language (the demo content has it in French and Khmer too).
    assert 'type="application/rss+xml" title="' in html
    assert f'href="/{language}/news/feed/"' in html


def test_a_confirmation_email_links_to_the_language_the_reader_signed_up_in(client, db):
    response = client.post(
        "/fr/accounts/signup/",
        {
            "email": "dara@example.org",
            "first_name": "Dara",
            "last_name": "Chan",
            "password1": "Rice-fields-at-dawn-42",
            "password2": "Rice-fields-at-dawn-42",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/\S*confirm-email/\S+)", mail.outbox[0].body).group(1)
    assert link.startswith("/fr/accounts/confirm-email/")
    assert client.get(link).status_code == 200


def test_alert_emails_sent_by_the_worker_link_to_the_english_pages(transactional_db, settings):
    make_member("reports@example.org", alerts_reports=True)
    item = make_news("Market report", kind=Kind.REPORT)
    # A request in French in this same thread beforehand must not change the worker's links.
    Client().get("/fr/")
    send_news_alerts.enqueue(item.pk)
    run_worker()
    assert len(mail.outbox) == 1
    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert links
    assert f"{settings.MPED_SITE_URL}/en/news/market-report/" in links
    for link in links:
        assert link.startswith(f"{settings.MPED_SITE_URL}/en/"), link
