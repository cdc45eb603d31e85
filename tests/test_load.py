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
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from news.models import NewsItem

from .helpers import ROOT, Staff, free_port, http_get, make_member

SECONDS = int(os.environ.get("MPED_LOAD_SECONDS", "60"))
CONNECTIONS = 32
REDIS_URL = "redis://127.0.0.1:6379/13"
ITEM_SLUG = "new-report-womens-participation-in-local-politics"
# The pages that show the edited item's title, and others that are read as well.
SHOWING_THE_ITEM = ["/en/", "/en/news/", f"/en/news/{ITEM_SLUG}/", "/en/news/?kind=report"]
OTHERS = ["/en/partners/", "/en/partners/county-of-newell/", "/en/program/about-the-league/"]
TITLE = re.compile(r"Edited headline (\d+)\b")


def redis_missing():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return "the load test needs Redis at 127.0.0.1:6379"
    return None


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
    subprocess.run(
        [python, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(
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
