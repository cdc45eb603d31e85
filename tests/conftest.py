"""The fixtures every test module may use. Plain helpers and constants are in helpers.py."""

import importlib
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.test import Client
from django.urls import clear_url_caches
from django.utils import translation

from .helpers import staff

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told it is safe, as it is here (one test thread, no concurrency).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MPED_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def serving_media(settings, media_root):
    """The URLs as with DJANGO_SERVE_MEDIA=1, serving the test's MEDIA_ROOT (the live server
    shows the pictures, a test fetches them at the addresses the pages give)."""
    import mped.urls

    settings.MPED_SERVE_MEDIA = True
    try:
        importlib.reload(mped.urls)
        clear_url_caches()
        yield media_root
    finally:
        settings.MPED_SERVE_MEDIA = False
        importlib.reload(mped.urls)
        clear_url_caches()


@pytest.fixture(autouse=True)
def fresh_content_types():
    # A transactional test's flush makes the content types again, with new ids, while
    # ContentType.objects keeps the old ones in memory: a later test would store a draft's or a
    # revision's type under an id that is now another model's. Each test starts with none kept.
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts attempts in the cache; each test starts with none.
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    # LocaleMiddleware activates each request's language in the thread that serves it and
    # leaves it active: with the test client that is the test's own thread, so after a request
    # to /fr/ reverse() would give /fr/ URLs, in that test and the next. Each test starts and
    # ends in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def uncached(settings):
    """Turn the page cache off: for tests that count the queries of rendering a page."""
    settings.MPED_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def demo(db):
    call_command("load_demo_content", verbosity=0)


@pytest.fixture
def role_client(db, django_user_model):
    """role_client("Editors") or ("Publishers"): a logged-in client of a staff member in that
    group (the roles made by migrations); `client.user` is who it is."""

    def login_as(group):
        user = django_user_model.objects.create_user(
            f"{group.lower()}@example.org", f"{group.lower()}@example.org", "x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return login_as


@pytest.fixture
def editor(role_client):
    """A logged-in client of a member of the Editors group."""
    return role_client("Editors")


@pytest.fixture
def publisher(role_client):
    """A logged-in client of a member of the Publishers group."""
    return role_client("Publishers")


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "boss", "boss@example.org", "pw-Long-enough-1"
    )
    client.force_login(user)
    return client


# In a real Chromium (tests marked `browser`) ------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Chromium through playwright. Skips without Chromium, except in CI
    (MPED_REQUIRE_BROWSER=1)."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("MPED_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class LiveRequests:
    """Counts the live server's requests in flight (its own threads, not the test's). A page
    may still be loading an image when a test ends: the database is emptied only once the
    server has answered, or SQLite's shared in-memory database refuses the clean-up ("database
    table is locked") and the next tests fail with it."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        self.test_thread = threading.current_thread()
        request_started.connect(self.started, dispatch_uid="tests-live-requests-started")
        request_finished.connect(self.finished, dispatch_uid="tests-live-requests-finished")

    def started(self, **kwargs):
        if threading.current_thread() is not self.test_thread:
            with self.lock:
                self.count += 1

    def finished(self, **kwargs):
        if threading.current_thread() is not self.test_thread:
            with self.lock:
                self.count -= 1

    def wait_until_idle(self, seconds=10):
        deadline = time.monotonic() + seconds
        while self.count > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        request_started.disconnect(dispatch_uid="tests-live-requests-started")
        request_finished.disconnect(dispatch_uid="tests-live-requests-finished")


@pytest.fixture
def site(live_server):
    """The live server's address, with the demo content loaded."""
    call_command("load_demo_content", verbosity=0)
    requests = LiveRequests()
    yield live_server.url
    requests.wait_until_idle()


@pytest.fixture
def people(db):
    """An editor, two publishers (French and English), and people who must not be emailed: an
    inactive publisher and a second editor."""
    return {
        "editor": staff("Editors", "editor@example.org", first_name="Eda", last_name="Writer"),
        "other_editor": staff("Editors", "other-editor@example.org"),
        "publisher_fr": staff("Publishers", "pub-fr@example.org", first_name="Paul", language="fr"),
        "publisher_en": staff("Publishers", "pub-en@example.org", first_name="Petra"),
        "retired": staff("Publishers", "retired@example.org", is_active=False),
    }
