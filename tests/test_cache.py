"""The page cache: anonymous readers get stored pages, and never a stale one.

Through the test client with the cache the settings choose (local memory here, Redis in the last
test when a Redis server is running), a real database and staff edits made in the admin.
"""

import datetime
import time
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.models import Kind, NewsItem
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality

from .helpers import admin_form_data, change_url, form_errors, make_member, make_news, visible_text

PUBLIC_PAGES = [
    "/en/",
    "/en/news/",
    "/en/news/?kind=report",
    "/en/news/new-report-womens-participation-in-local-politics/",
    "/en/partners/",
    "/en/partners/county-of-newell/",
    "/en/program/",
    "/en/program/about-the-league/",
    "/en/search/?q=market",
    "/en/news/feed/",
    "/sitemap.xml",
    "/robots.txt",
]


def get_counting(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_public_page_is_served_from_the_cache_the_second_time(demo, url):
    first, _ = get_counting(Client(), url)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    second, queries = get_counting(Client(), url)
    assert second.status_code == 200 and second["X-Cache"] == "hit"
    assert queries == 0, "a cached page touches neither the database nor the session"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize(
    "url",
    [
        "/en/news/?page=99",
        "/en/news/?kind=nonsense",
        "/en/news/no-such-item/",
        "/en/search/?q=" + "x" * 300,
    ],
)
def test_errors_and_bad_query_strings_are_never_stored(demo, url):
    for _ in range(2):
        response = Client().get(url)
        assert 400 <= response.status_code < 500
        assert "X-Cache" not in response


def test_account_pages_and_documents_are_never_stored(demo):
    for url in ["/en/accounts/login/", "/en/accounts/signup/"]:
        for _ in range(2):
            response = Client().get(url)
            assert response.status_code == 200
            assert "X-Cache" not in response, url


def test_a_staff_edit_in_the_admin_shows_at_once(staff_client, demo):
    item = NewsItem.objects.get(slug="new-report-womens-participation-in-local-politics")
    pages = [
        "/en/",
        "/en/news/",
        item.get_absolute_url(),
        "/en/news/feed/",
        "/en/search/?q=politics",
    ]
    for url in pages:
        Client().get(url)
        assert Client().get(url)["X-Cache"] == "hit"

    form = staff_client.get(change_url(item))
    data = admin_form_data(form)
    data["title_en"] = "Women lead in commune councils"
    # A live item: "Publish changes" saves and publishes (a plain Save keeps a draft).
    data["_publish_draft"] = "Publish changes"
    response = staff_client.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)

    for url in pages:
        response = Client().get(url)
        assert response["X-Cache"] == "miss", url
        assert "Women lead in commune councils" in response.content.decode(), url


def test_site_settings_and_partner_edits_in_the_admin_show_at_once(staff_client, demo):
    assert "County of Newell" in visible_text(Client().get("/en/partners/"))
    newell = Municipality.objects.get(slug="county-of-newell")
    data = admin_form_data(staff_client.get(change_url(newell)))
    data["name"] = "County of Newell (Alberta)"
    data["_publish_draft"] = "Publish changes"  # a live item: saved and published
    response = staff_client.post(change_url(newell), data)
    assert response.status_code == 302, form_errors(response)
    assert "County of Newell (Alberta)" in visible_text(Client().get("/en/partners/"))

    Client().get("/en/")
    settings_row = SiteSettings.objects.get()
    data = admin_form_data(staff_client.get(change_url(settings_row)))
    data["tagline_en"] = "Partners in local economic development"
    data["_publish_draft"] = "Publish changes"  # the settings' changes are a draft until then
    response = staff_client.post(change_url(settings_row), data)
    assert response.status_code == 302, form_errors(response)
    assert "Partners in local economic development" in visible_text(Client().get("/en/"))


def test_bulk_changes_made_outside_the_admin_show_at_once(demo):
    link = 'href="/en/partners/county-of-newell/"'
    assert link in Client().get("/en/partners/").content.decode()
    Municipality.objects.filter(slug="county-of-newell").update(is_published=False)
    assert link not in Client().get("/en/partners/").content.decode()
    news = visible_text(Client().get("/en/news/"))
    NewsItem.objects.all().delete()
    assert visible_text(Client().get("/en/news/")) != news


def test_a_scheduled_item_appears_when_its_time_comes_without_any_edit(demo):
    goes_live = timezone.now() + datetime.timedelta(seconds=2)
    make_news("Next week news", kind=Kind.PRESS, days_ago=0)
    NewsItem.objects.filter(slug="next-week-news").update(published_at=goes_live)
    assert "Next week news" not in visible_text(Client().get("/en/"))
    assert Client().get("/en/")["X-Cache"] == "hit"
    time.sleep((goes_live - timezone.now()).total_seconds() + 0.1)
    response = Client().get("/en/")
    assert response["X-Cache"] == "miss"
    assert "Next week news" in visible_text(response)


def test_a_program_page_leaves_when_its_unpublish_time_comes_without_any_edit(demo):
    leaves = timezone.now() + datetime.timedelta(seconds=2)
    ProgramPage.objects.filter(slug="about-the-league").update(unpublish_at=leaves)
    assert Client().get("/en/program/about-the-league/").status_code == 200
    assert Client().get("/en/program/about-the-league/")["X-Cache"] == "hit"
    time.sleep((leaves - timezone.now()).total_seconds() + 0.1)
    assert Client().get("/en/program/about-the-league/").status_code == 404


def test_logged_in_members_always_get_their_own_page(client, demo):
    anonymous = Client().get("/en/")
    assert "Log in" in visible_text(anonymous)
    assert Client().get("/en/")["X-Cache"] == "hit"

    member = make_member(first_name="Sophea")
    client.force_login(member)
    page = client.get("/en/")
    assert "X-Cache" not in page
    assert "Log out" in visible_text(page)
    # ...and what the member saw is not served to the next visitor.
    assert "Log out" not in visible_text(Client().get("/en/"))


def test_a_member_session_is_read_from_the_cache_not_the_database(client, demo):
    client.force_login(make_member())
    client.get("/en/accounts/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/accounts/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]


def test_a_visitor_with_a_message_to_read_gets_a_fresh_page(demo):
    Client().get("/en/")
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    assert "X-Cache" not in visitor.get("/en/")


def test_staff_previews_are_never_stored_nor_served_to_readers(staff_client, db):
    draft = make_news("Draft plans", published=False)
    assert Client().get(draft.get_absolute_url()).status_code == 404
    preview = staff_client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "X-Cache" not in preview
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_the_cache_can_be_turned_off(settings, demo):
    settings.MPED_PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        assert "X-Cache" not in Client().get("/en/")


def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"mped-test-{uuid.uuid4().hex}",
        }
    }
    try:
        caches["default"].get("ping")
    except Exception as error:  # Any connection error means "no Redis here"
        return error
    return None


def test_with_redis_an_edit_shows_at_once(settings, demo):
    error = redis_cache(settings)
    if error is not None:
        pytest.skip(f"no Redis server at 127.0.0.1:6379 ({error})")
    try:
        assert Client().get("/en/")["X-Cache"] == "miss"
        assert Client().get("/en/")["X-Cache"] == "hit"
        make_news("Fresh from Redis", kind=Kind.PRESS)
        response = Client().get("/en/")
        assert response["X-Cache"] == "miss"
        assert "Fresh from Redis" in visible_text(response)
    finally:
        caches["default"].clear()


def test_an_unreachable_cache_slows_the_site_but_does_not_break_it(settings, demo):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    for url in ["/en/", "/en/news/", "/en/partners/"]:
        response = Client().get(url)
        assert response.status_code == 200 and "X-Cache" not in response
    # An edit is saved even though the cache cannot be told about it.
    make_news("Saved without a cache", kind=Kind.PRESS)
    assert "Saved without a cache" in visible_text(Client().get("/en/"))


def test_a_cached_page_carries_the_security_headers_and_its_own_request_id(demo):
    first = Client().get("/en/")
    second = Client().get("/en/")
    assert second["X-Cache"] == "hit"
    for header in [
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
    ]:
        assert second[header] == first[header], header
    assert "nonce" not in second["Content-Security-Policy"]
    assert second["X-Request-ID"] != first["X-Request-ID"]
