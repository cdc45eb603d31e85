"""Hardening, round 2 (issue 14): drafts' files are never stored by shared caches, uploaded
files run no script as the site, the 404 log keeps no secret addresses, a log line cannot be
forged from a path, /health/ has the security headers, and only content changes drop cached
pages. Through the test client, on a real test database."""

import io
import json
import logging
import re
from logging.config import DictConfigurator

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from news.models import AlertDelivery, Article, Kind, NewsItem
from ops.logging import RequestIdFilter
from pages.models import PageFigure, PagePoint, SiteSettings
from partners.models import Country, Partnership
from redirects.models import MissingPage
from reviews.models import ReviewLink

from .helpers import (
    directives,
    make_member,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    pdf_url,
    report_document,
)

SITE_SCRIPT_SOURCE = "script-src 'self'"


def report(published=True, **extra):
    item = make_news("Rice market study", kind=Kind.REPORT, published=published, **extra)
    document = report_document(item)
    assert document.file and document.thumbnail, "a report has its PDF and its page 1's picture"
    return item


# 1. Files of items that are not live are private ---------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        {"published": False},
        # Scheduled: published, but not yet.
        {"published": True, "days_ago": -3},
    ],
    ids=["draft", "scheduled"],
)
def test_a_report_that_is_not_live_sends_staff_its_files_as_private(staff_client, state):
    item = report(**state)
    assert not item.is_live
    for url in (pdf_url(item), report_document(item).thumbnail_url):
        response = staff_client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store", url
    # Everyone else still finds nothing.
    assert Client().get(pdf_url(item)).status_code == 404


def test_a_live_public_reports_files_may_be_cached_by_anyone(client, db):
    item = report()
    for url in (pdf_url(item), report_document(item).thumbnail_url):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("public")


# 5. Uploaded files run no script as the site -------------------------------------------------


def assert_file_policy(response, sandbox):
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert ("sandbox" in policy) is sandbox
    assert SITE_SCRIPT_SOURCE not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_documents_and_their_pictures_carry_a_policy_of_their_own(client, db):
    item = report()
    pdf = client.get(pdf_url(item))
    assert pdf["Content-Type"] == "application/pdf"
    # No sandbox on a PDF: Chrome's and Safari's viewers show a sandboxed PDF as a blank page.
    assert_file_policy(pdf, sandbox=False)
    picture = client.get(report_document(item).thumbnail_url)
    assert picture["Content-Type"] == "image/webp"
    assert_file_policy(picture, sandbox=True)


def test_a_review_links_documents_carry_the_file_policy(db):
    item = report(published=False)
    link = ReviewLink.make(item)
    for name, sandbox in (
        (report_document(item).file.name, False),
        (report_document(item).thumbnail.name, True),
    ):
        response = Client().get(f"/en/review/{link.token}/documents/{name}")
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert_file_policy(response, sandbox=sandbox)


def test_media_images_and_an_html_file_in_media_are_sandboxed(client, db, serving_media):
    folder = serving_media / "news" / "images"
    folder.mkdir(parents=True)
    (folder / "photo.webp").write_bytes(b"RIFF\x1a\x00\x00\x00WEBPVP8 ")
    (folder / "page.html").write_text("<script>fetch('/en/accounts/data/')</script>")
    (folder / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    for name in ("photo.webp", "page.html", "drawing.svg"):
        response = client.get(f"/media/news/images/{name}")
        assert response.status_code == 200, name
        assert_file_policy(response, sandbox=True)
    assert client.get("/media/news/images/page.html")["Content-Type"].startswith("text/html")


# 2. The 404 log keeps no private address -----------------------------------------------------


def test_missing_addresses_under_private_pages_are_not_logged(db):
    link = ReviewLink.make(make_news("Draft", published=False))
    private = [
        f"/en/review/{link.token}/extra",
        f"/review/{link.token}/extra",
        f"/fr/review/{link.token}/documents",
        f"/EN/Review/{link.token}/extra",
        f"/en//review/{link.token}/extra",
        "/en/accounts/confirm-email/MjM:1vQx:secret-key/extra",
        "/accounts/confirm-email/MjM:1vQx:secret-key/extra",
        "/en/accounts/alerts/unsubscribe/secret-token/extra",
    ]
    for path in private:
        assert Client().get(path).status_code == 404, path
    assert list(MissingPage.objects.values_list("path", flat=True)) == []
    # Addresses that merely look alike are still logged.
    Client().get("/en/reviews-of-2024/")
    assert MissingPage.objects.filter(path="/en/reviews-of-2024/").exists()


def test_a_private_page_is_not_kept_as_where_a_reader_came_from(db):
    link = ReviewLink.make(make_news("Draft", published=False))
    referrer = f"http://testserver/en/review/{link.token}/"
    Client().get("/en/old-page/", headers={"Referer": referrer})
    assert MissingPage.objects.get(path="/en/old-page/").last_referrer == ""


# 3. A path cannot forge a log line -----------------------------------------------------------


FORGED = "2026-01-01 00:00:00,000 INFO mped.request [forged] GET /en/ 200 1.0ms"


@pytest.fixture
def log_output():
    """What the root logger writes with the formatter `name` as settings.LOGGING configures it."""
    streams = []
    root = logging.getLogger()

    def capture(name):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        config = DictConfigurator(django_settings.LOGGING)
        handler.setFormatter(
            config.configure_formatter(django_settings.LOGGING["formatters"][name])
        )
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        streams.append(handler)
        return stream

    yield capture
    for handler in streams:
        root.removeHandler(handler)


def forged_request():
    path = "/en/nothing%0d%0a" + FORGED.replace(" ", "%20") + "%e2%80%a8%c2%85%1b[31m/"
    assert Client().get(path).status_code == 404


def test_a_path_with_line_breaks_writes_one_text_line_per_record(db, log_output):
    stream = log_output("text")
    forged_request()
    lines = stream.getvalue().splitlines()
    # The access log and Django's "Not Found", each on one line of its own.
    assert len(lines) == 2, lines
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", line) for line in lines)
    assert not any(line.startswith(FORGED) for line in lines)
    access = next(line for line in lines if " mped.request " in line)
    assert "/en/nothing\\r\\n2026-01-01" in access
    assert "\\u2028\\x85\\x1b[31m/ 404 " in access


def test_a_traceback_in_the_text_log_stays_under_its_record(log_output):
    stream = log_output("text")
    try:
        raise ValueError("bad value\n" + FORGED)
    except ValueError:
        logging.getLogger("mped.example").exception("It failed")
    first, *rest = stream.getvalue().splitlines()
    assert first.endswith(" ERROR mped.example [-] It failed")
    assert rest and all(line.startswith("    ") for line in rest)


def test_a_path_with_line_breaks_writes_one_json_object_per_record(db, log_output):
    stream = log_output("json")
    forged_request()
    output = stream.getvalue()
    # Not split by anything a line reader might take as a line end (str.splitlines() does).
    assert "\u2028" not in output and "\x85" not in output
    entries = [json.loads(line) for line in output.splitlines()]
    assert len(entries) == 2
    access = next(entry for entry in entries if entry["logger"] == "mped.request")
    assert access["path"] == "/en/nothing\r\n" + FORGED + "\u2028\x85\x1b[31m/"


# 4. /health/ has the security headers --------------------------------------------------------


def test_health_sends_the_security_headers(client, db):
    response = client.get("/health/", secure=True)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"])["default-src"] == ["'none'"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_health_keeps_its_headers_for_a_load_balancer_by_address_over_http(client, db, settings):
    settings.ALLOWED_HOSTS = ["mped.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = []
    response = client.get("/health/", HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response  # plain HTTP
    assert client.post("/health/")["X-Frame-Options"] == "DENY"  # the 405 too


# 6. Only content changes drop cached pages ---------------------------------------------------


def cached(url):
    """Whether an anonymous reader now gets `url` from the cache."""
    return Client().get(url)["X-Cache"] == "hit"


@pytest.fixture
def site(db):
    page = make_page("Local economic development", slug="led")
    canadian = make_municipality("Town of Example")
    cambodian = make_municipality("Kampot", country=Country.CAMBODIA)
    item = make_news("Market day")
    return {
        "item": item,
        "article": Article.objects.create(news_item=item, title="Press", url="https://a.example/"),
        "page": page,
        "point": PagePoint.objects.create(page=page, text="Markets"),
        "figure": PageFigure.objects.create(page=page, value=24, label="provinces"),
        "settings": SiteSettings.objects.get_or_create()[0],
        "canadian": canadian,
        "cambodian": cambodian,
        "partnership": make_partnership(canadian, cambodian),
    }


def test_an_alert_email_sent_leaves_cached_pages_cached(site):
    Client().get("/en/news/")
    assert cached("/en/news/")
    delivery = AlertDelivery.objects.create(news_item=site["item"], user=make_member())
    delivery.attempts, delivery.sent_at = 1, timezone.now()
    delivery.save()
    assert cached("/en/news/")
    delivery.delete()
    assert cached("/en/news/")


@pytest.mark.parametrize(
    "key", ["item", "article", "page", "point", "figure", "settings", "canadian", "partnership"]
)
def test_saving_or_deleting_content_drops_cached_pages(site, key):
    for change in ("save", "delete"):
        Client().get("/en/news/")
        assert cached("/en/news/")
        getattr(site[key], change)()
        assert not cached("/en/news/"), f"{change} {key}"


def test_changing_an_items_partners_drops_cached_pages(site):
    Client().get("/en/news/")
    assert cached("/en/news/")
    site["item"].partners.add(site["cambodian"])
    assert not cached("/en/news/")
    assert cached("/en/news/")
    site["cambodian"].news_items.clear()
    assert not cached("/en/news/")


def test_every_model_of_the_content_apps_is_registered_or_known_to_change_no_page():
    from core.cache import CONTENT_MODELS

    content_apps = ("news", "pages", "partners")
    models = {model for label in content_apps for model in apps.get_app_config(label).get_models()}
    assert models - CONTENT_MODELS == {AlertDelivery}
    assert {NewsItem, Partnership} <= CONTENT_MODELS
