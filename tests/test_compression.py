"""Compressed HTML (core/compression.py): anonymous readers' pages come compressed with the
coding their browser prefers, and a response that carries a secret (a CSRF token, a member's
page, the admin) never does, so BREACH has nothing to guess.

Through the test client with the page cache on, against the demo content.
"""

import gzip

import brotli
import pytest
from backports import zstd
from django.test import Client

from .helpers import PDF_BYTES, make_document, make_member, make_news, offer_document

PAGES = [
    "/en/",
    "/en/news/",
    "/en/news/new-report-womens-participation-in-local-politics/",
]
BROWSER = "gzip, deflate, br, zstd"
DECODE = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress}


def decoded(response):
    return DECODE[response["Content-Encoding"]](response.content)


def varies_on_accept_encoding(response):
    return "accept-encoding" in response.get("Vary", "").lower()


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_page_comes_compressed_and_reads_the_same(demo, url):
    plain = Client().get(url)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    assert varies_on_accept_encoding(plain), "a shared cache must keep a copy per coding"

    only_gzip = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert only_gzip.status_code == 200
    assert only_gzip["Content-Encoding"] == "gzip"
    assert varies_on_accept_encoding(only_gzip)
    assert int(only_gzip["Content-Length"]) == len(only_gzip.content)
    assert len(only_gzip.content) < len(plain.content) / 2
    assert decoded(only_gzip) == plain.content

    # A browser offering every coding gets the library's first choice, zstd; then brotli.
    best = Client().get(url, HTTP_ACCEPT_ENCODING=BROWSER)
    assert best["Content-Encoding"] == "zstd"
    assert decoded(best) == plain.content
    brotli_too = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert brotli_too["Content-Encoding"] == "br"
    assert decoded(brotli_too) == plain.content


def test_a_cached_page_is_stored_plain_and_compressed_for_each_reader(demo):
    first = Client().get("/en/", HTTP_ACCEPT_ENCODING="gzip")
    assert first["X-Cache"] == "miss" and first["Content-Encoding"] == "gzip"
    plain = Client().get("/en/")
    assert plain["X-Cache"] == "hit" and "Content-Encoding" not in plain
    again = Client().get("/en/", HTTP_ACCEPT_ENCODING="br")
    assert again["X-Cache"] == "hit" and again["Content-Encoding"] == "br"
    assert decoded(first) == plain.content == decoded(again)


def test_an_uncached_page_is_compressed_too(demo, uncached):
    response = Client().get("/en/news/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"<html" in decoded(response)


@pytest.mark.parametrize("url", ["/en/accounts/login/", "/en/accounts/signup/"])
def test_a_page_with_a_csrf_token_is_never_compressed(demo, url):
    response = Client().get(url, HTTP_ACCEPT_ENCODING=BROWSER)
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert "Content-Encoding" not in response


def test_a_members_pages_are_never_compressed(demo):
    member = Client()
    member.force_login(make_member())
    for url in [*PAGES, "/en/accounts/"]:
        response = member.get(url, HTTP_ACCEPT_ENCODING=BROWSER, follow=True)
        assert response.status_code == 200, url
        assert "Content-Encoding" not in response, url
        assert b"member@example.org" in response.content or url != "/en/accounts/"


def test_a_session_cookie_alone_keeps_pages_plain(demo, settings):
    # Whoever holds a session (even one the server no longer knows) may be shown their own data.
    reader = Client()
    reader.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"
    response = reader.get("/en/", HTTP_ACCEPT_ENCODING=BROWSER)
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_the_admin_is_never_compressed(demo, staff_client):
    for url in ["/admin/", "/admin/news/newsitem/"]:
        response = staff_client.get(url, HTTP_ACCEPT_ENCODING=BROWSER)
        assert response.status_code == 200, url
        assert "Content-Encoding" not in response, url
    login = Client().get("/admin/login/", HTTP_ACCEPT_ENCODING=BROWSER, follow=True)
    assert login.status_code == 200
    assert "Content-Encoding" not in login


def test_a_head_request_and_a_conditional_download_do_not_break(demo):
    head = Client().head("/en/news/", HTTP_ACCEPT_ENCODING="gzip")
    assert head.status_code == 200
    assert head.content == b""
    got = Client().get("/en/news/", HTTP_ACCEPT_ENCODING="gzip")
    assert head["Content-Encoding"] == got["Content-Encoding"] == "gzip"
    assert head["Content-Length"] == got["Content-Length"]

    # A library download keeps its exact bytes, its ETag, its 304 and its ranges.
    document = make_document()
    offer_document(make_news("A report to download"), document)
    url = document.get_absolute_url()
    whole = Client().get(url, HTTP_ACCEPT_ENCODING=BROWSER)
    assert whole.status_code == 200 and "Content-Encoding" not in whole
    assert b"".join(whole.streaming_content) == PDF_BYTES
    etag = whole["ETag"]
    assert not etag.startswith("W/")
    again = Client().get(url, HTTP_ACCEPT_ENCODING=BROWSER, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and "Content-Encoding" not in again
    piece = Client().get(url, HTTP_ACCEPT_ENCODING=BROWSER, HTTP_RANGE="bytes=0-9")
    assert piece.status_code == 206 and "Content-Encoding" not in piece
    assert b"".join(piece.streaming_content) == PDF_BYTES[:10]


@pytest.mark.parametrize(
    "header",
    ["gzip;q=abc", "br;q=", ";;,,", "zstd;q=2, *;q=0", "gzip, " * 2000, "\u00e9t\u00e9"],
)
def test_a_bad_accept_encoding_header_is_never_an_error(demo, header):
    response = Client().get("/en/", HTTP_ACCEPT_ENCODING=header)
    assert response.status_code == 200
    body = decoded(response) if response.has_header("Content-Encoding") else response.content
    assert b"<html" in body
