"""A bounded load test on loopback: the production stack under 32 connections while staff edit.

gunicorn (several worker processes, the production settings, hashed static files) serves the test
database; Redis is the shared cache, as it must be with more than one process. For
MPED_LOAD_SECONDS (60 by default) 32 connections read the public pages while a member of staff
renames a news item in the admin, over HTTP, again and again. Every response must be a 200, and
no page fetched after an edit was saved may show an older title than that edit's.

It runs on PostgreSQL (SQLite's test database lives in memory, out of gunicorn's reach: skipped
there) and needs Redis: without it the test is skipped with a message, except in CI
(`MPED_REQUIRE_LOAD_TEST=1`), where a missing Redis is a failure.
"""

import http.client
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from news.models import NewsItem

from .conftest import make_member

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("MPED_LOAD_SECONDS", "60"))
CONNECTIONS = 32
REDIS_URL = "redis://127.0.0.1:6379/13"
ITEM_SLUG = "new-report-womens-participation-in-local-politics"
# The pages that show the edited item's title, and others that are read as well.
SHOWING_THE_ITEM = ["/en/", "/en/news/", f"/en/news/{ITEM_SLUG}/", "/en/news/?kind=report"]
OTHERS = ["/en/partners/", "/en/partners/county-of-newell/", "/en/program/about-the-league/"]
LOGIN = "/en/accounts/login/"
TITLE = re.compile(r"Edited headline (\d+)\b")


def redis_missing():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return "the load test needs Redis at 127.0.0.1:6379"
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_server(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the load test runs on PostgreSQL (DATABASE_URL=postgres://...)")
    if reason := redis_missing():
        if os.environ.get("MPED_REQUIRE_LOAD_TEST"):
            pytest.fail(reason)
        pytest.skip(reason)
    db = connection.settings_dict
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="mped.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=REDIS_URL,
        MPED_CACHE_PREFIX=f"load-{uuid.uuid4().hex}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        DJANGO_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STAFF_REQUIRE_2FA="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    python = str(Path(sys.executable))
    subprocess.run(  # noqa: S603
        [python, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "mped.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(150):
            try:
                http_get(port, "/robots.txt")
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def http_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


class FormReader(HTMLParser):
    """The fields a browser would post from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.fields, self.in_form, self.select, self.textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"file", "submit", "button", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append(tuple(self.textarea))
            self.textarea = None


class Staff:
    """A member of staff in a browser-like session: cookies, CSRF tokens, real form posts."""

    def __init__(self, port, email, password):
        self.base = f"http://127.0.0.1:{port}"
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(LOGIN)).group(1)
        fields = [("csrfmiddlewaretoken", token), ("login", email), ("password", password)]
        url, _ = self.post(LOGIN, fields)
        assert not url.endswith(LOGIN), "staff could not log in"

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:  # noqa: S310
            return response.read().decode()

    def post(self, path, fields):
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:  # noqa: S310
            return response.geturl(), response.read().decode()

    def rename(self, item_id, title):
        path = f"/admin/news/newsitem/{item_id}/change/"
        reader = FormReader()
        reader.feed(self.get(path))
        fields = [(name, value) for name, value in reader.fields if name != "title_en"]
        url, html = self.post(path, [*fields, ("title_en", title), ("_save", "Save")])
        assert url.endswith("/admin/news/newsitem/"), f"the edit was refused: {html[:3000]}"


def test_60_seconds_of_32_connections_while_staff_edit(production_server):
    port = production_server
    call_command("load_demo_content", verbosity=0)
    item = NewsItem.objects.get(slug=ITEM_SLUG)
    item.title = "Edited headline 0"
    item.save()
    staff = make_member("editor@example.org", "Load-test-password-1", is_staff=True)
    staff.is_superuser = True
    staff.save()

    saved = [0]  # the number of the last edit whose save was confirmed
    errors, stale, served = [], [], [0]
    stop = time.monotonic() + SECONDS
    paths = SHOWING_THE_ITEM + OTHERS

    def reader(number):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        turn = number
        while time.monotonic() < stop:
            path = paths[turn % len(paths)]
            turn += 1
            at_least = saved[0]
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read().decode()
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{path}: {error!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            served[0] += 1
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
            elif path in SHOWING_THE_ITEM:
                shown = [int(n) for n in TITLE.findall(body)]
                if not shown or min(shown) < at_least:
                    stale.append(f"{path}: showed {shown}, edit {at_least} was saved")
        conn.close()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    editor = Staff(port, "editor@example.org", "Load-test-password-1")
    edits = 0
    while time.monotonic() < stop - 2:
        edits += 1
        editor.rename(item.pk, f"Edited headline {edits}")
        saved[0] = edits
        for path in SHOWING_THE_ITEM:
            status, body = http_get(port, path)
            assert status == 200
            assert f"Edited headline {edits}" in body, f"{path} is stale right after edit {edits}"
        time.sleep(1)
    for thread in threads:
        thread.join()

    print(f"\n{served[0]} pages served in {SECONDS} s ({served[0] / SECONDS:.0f}/s), {edits} edits")
    assert edits >= SECONDS // 10
    assert served[0] > SECONDS * 10
    assert not errors, f"{len(errors)} errors, e.g. {errors[:5]}"
    assert not stale, f"{len(stale)} stale pages, e.g. {stale[:5]}"


def test_static_files_are_hashed_compressed_and_kept_for_a_year(production_server):
    port = production_server
    status, home = http_get(port, "/en/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home).group(1)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", stylesheet, headers={"Accept-Encoding": "gzip, br"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    assert response.getheader("Content-Encoding") in {"gzip", "br"}
    assert "max-age=315360000" in response.getheader("Cache-Control")
    assert "immutable" in response.getheader("Cache-Control")
