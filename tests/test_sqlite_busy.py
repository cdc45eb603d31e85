"""The development site on SQLite (`make run`: runserver with `manage.py db_worker` beside it)
keeps answering staff while the worker writes: no "database is locked" server errors.

A real SQLite file, migrated and served by subprocesses as `make run` does; staff add users,
save news items and add published reports with a PDF through the admin forms over HTTP, while
the worker sends the reports' alert emails to subscribed members. Every answer must be below
500 and every save must go through. A database held busy longer than the site waits answers
503 with a plain page and Retry-After, and the form sent again afterwards is saved.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from .helpers import PDF_BYTES, ROOT, FormReader, Staff, free_port, http_get

ROUNDS = 30
MEMBERS = 10
EMAIL, PASSWORD = "operator@example.org", "Mekong-delta-at-noon-77"
SETUP = f"""
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.utils import timezone
from accounts.models import User
from news.models import NewsItem
call_command("createsuperuser", interactive=False, verbosity=0)
for n in range({MEMBERS}):
    email = f"member{{n}}@example.org"
    user = User.objects.create_user(email, email, "x", alerts_reports=True)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
NewsItem.objects.create(title="Edited news 0", slug="edited-news", summary="Edited.",
                        is_published=True, published_at=timezone.now())
from django.core.files.base import ContentFile
from library.models import Document
Document(title_en="Busy report", file=ContentFile({PDF_BYTES!r}, name="busy.pdf")).save()
"""


def site_env(folder, database_url):
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="mped.settings.dev",
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(folder / "media"),
        DJANGO_PRIVATE_MEDIA_ROOT=str(folder / "private"),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_SUPERUSER_USERNAME="operator",
        DJANGO_SUPERUSER_EMAIL=EMAIL,
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """A migrated SQLite file with staff, subscribed members and a news item, made once and
    copied for each test."""
    folder = tmp_path_factory.mktemp("sqlite-busy")
    database = folder / "template.sqlite3"
    env = site_env(folder, f"sqlite:///{database}")
    for command in [["migrate", "--no-input", "-v0"], ["shell", "-v0", "-c", SETUP]]:
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    return database


class Site:
    """runserver and db_worker on one SQLite file, as `make run` starts them."""

    def __init__(self, tmp_path, template, database_url_query=""):
        self.database = tmp_path / "site.sqlite3"
        with sqlite3.connect(template) as source, sqlite3.connect(self.database) as copy:
            source.backup(copy)
        self.logs = tmp_path
        self.env = site_env(tmp_path, f"sqlite:///{self.database}{database_url_query}")
        self.processes = []
        self.port = free_port()

    def start(self, name, *args):
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        try:
            process = subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            log.close()
            pytest.skip(f"cannot start manage.py {args[0]}: {error}")
        self.processes.append((process, log))
        return process

    def serve(self, worker=True):
        if worker:
            # As `make run` starts it, without the reloader.
            self.worker = self.start("worker", "db_worker", "--no-startup-delay", "--no-reload")
        self.server = self.start(
            "server", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"
        )
        for _ in range(150):
            try:
                http_get(self.port, "/robots.txt")
                return
            except OSError:
                if self.server.poll() is not None:
                    break
                time.sleep(0.2)
        pytest.fail(f"runserver did not answer:\n{self.log('server')}")

    def log(self, name):
        return (self.logs / f"{name}.log").read_text()[-5000:]

    def stop(self):
        for process, log in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            log.close()

    def query(self, sql):
        with sqlite3.connect(self.database, timeout=30) as db:
            return db.execute(sql).fetchall()


@pytest.fixture
def site(tmp_path, migrated_database):
    site = Site(tmp_path, migrated_database)
    try:
        site.serve()
        yield site
    finally:
        site.stop()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    body = b""
    for name, value in fields:
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    for name, (filename, content) in files.items():
        body += (
            (
                f"--{boundary}\r\nContent-Disposition: form-data; "
                f'name="{name}"; filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor(Staff):
    """A logged-in member of staff who notes every answer instead of stopping at an error, and
    does not follow the redirect after a save (the save is what is tested)."""

    def __init__(self, port):
        super().__init__(port, EMAIL, PASSWORD)
        cookies = next(
            handler
            for handler in self.opener.handlers
            if isinstance(handler, urllib.request.HTTPCookieProcessor)
        )
        self.opener = urllib.request.build_opener(cookies, KeepRedirects)
        self.answers = []

    def send(self, path, fields=None, files=None):
        """(status, Location or "", page) of a GET, or of a POST of the fields and files."""
        body, headers = None, {"Referer": self.base + path}
        if files is not None:
            body, headers["Content-Type"] = multipart(fields, files)
        elif fields is not None:
            body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                status, page, self.headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, page, self.headers = error.code, error.read(), error.headers
        self.answers.append((status, "POST" if body else "GET", path))
        return status, self.headers.get("Location", ""), page.decode(errors="replace")

    def form(self, path, **changes):
        """The form's fields as a browser would send them, with some changed."""
        reader = FormReader()
        reader.feed(self.send(path)[2])
        fields = [(name, value) for name, value in reader.fields if name not in changes]
        return [*fields, *changes.items(), ("_save", "Save")]

    def save(self, path, fields, files=None, *, then):
        status, location, page = self.send(path, fields, files)
        return status == 302 and location.endswith(then), f"HTTP {status}: {page[:2000]}"


def add_users(editor):
    # Staff are invited (accounts/invitations.py): the worker sends each one an email.
    path = "/admin/accounts/user/add/"
    fields = editor.form(path, role="editor")
    for n in range(1, ROUNDS + 1):
        email = f"added-{n}-{uuid.uuid4().hex[:6]}@example.org"
        person = [("first_name", "Added"), ("last_name", str(n)), ("email", email)]
        yield editor.save(path, [*fields, *person], then="/admin/accounts/user/")


def save_news(editor, item_id):
    path = f"/admin/news/newsitem/{item_id}/change/"
    fields = editor.form(path, title_en="")
    for n in range(1, ROUNDS + 1):
        title = [("title_en", f"Edited news {n}")]
        yield editor.save(path, [*fields, *title], then="/admin/news/newsitem/")


def add_reports(editor):
    path = "/admin/news/newsitem/add/"
    fields = editor.form(
        path,
        kind="report",
        summary_en="A report published while the worker sends alerts.",
        is_published="on",
    )
    fields = [(name, value) for name, value in fields if not name.startswith("documents-")]
    # The report's PDF, chosen from the library (made by SETUP).
    fields += [
        ("documents-TOTAL_FORMS", "1"),
        ("documents-INITIAL_FORMS", "0"),
        ("documents-MIN_NUM_FORMS", "0"),
        ("documents-MAX_NUM_FORMS", "1000"),
        ("documents-0-document", "1"),
        ("documents-0-role", "report"),
        ("documents-0-order", "0"),
    ]
    for n in range(1, ROUNDS + 1):
        report = [("title_en", f"Busy report {n}"), ("slug", f"busy-report-{n}")]
        yield editor.save(path, [*fields, *report], then="/admin/news/newsitem/")


def test_admin_saves_never_fail_while_the_worker_writes_to_the_same_sqlite_file(site):
    item_id = site.query("SELECT id FROM news_newsitem WHERE slug = 'edited-news'")[0][0]
    editors = [Editor(site.port) for _ in range(3)]
    work = [add_users(editors[0]), save_news(editors[1], item_id), add_reports(editors[2])]
    refused = []

    def repeat(saves):
        for saved, answer in saves:
            if not saved:
                refused.append(answer)

    threads = [threading.Thread(target=repeat, args=(saves,)) for saves in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    answers = [answer for editor in editors for answer in editor.answers]
    errors = [answer for answer in answers if answer[0] >= 500]
    assert not errors, f"{len(errors)} of {len(answers)} answers were errors: {errors[:5]}"
    assert not refused, f"{len(refused)} saves did not go through, e.g. {refused[0]}"
    assert len(answers) == 3 + 3 * ROUNDS
    # The worker was busy meanwhile: it claimed the reports' alert tasks and wrote deliveries.
    assert site.worker.poll() is None, site.log("worker")
    assert site.query("SELECT count(*) FROM news_alertdelivery WHERE sent_at IS NOT NULL")[0][0]
    assert not site.query(
        "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"
    )
    assert site.query("SELECT count(*) FROM accounts_user WHERE email LIKE 'added-%'") == [
        (ROUNDS,)
    ]
    assert site.query("SELECT count(*) FROM news_newsitem WHERE slug LIKE 'busy-report-%'") == [
        (ROUNDS,)
    ]


def test_a_database_busy_past_the_wait_answers_503_and_the_form_sent_again_is_saved(
    tmp_path, migrated_database
):
    # The site waits half a second for the lock here, instead of the default 20.
    site = Site(tmp_path, migrated_database, database_url_query="?timeout=0.5")
    try:
        site.serve(worker=False)
        item_id = site.query("SELECT id FROM news_newsitem WHERE slug = 'edited-news'")[0][0]
        editor = Editor(site.port)
        path = f"/admin/news/newsitem/{item_id}/change/"
        # A live item: "Publish changes" saves and publishes (a plain Save keeps a draft).
        fields = editor.form(
            path, title_en="Saved once the database is free", _publish_draft="Publish changes"
        )

        # Another program holds the write lock on the file (as a long write by the worker would).
        other = sqlite3.connect(site.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE news_newsitem SET summary = 'Held.' WHERE id = ?", [item_id])
        try:
            status, _url, html = editor.send(path, fields)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert status == 503
        assert editor.headers["Retry-After"] == "5"
        assert "The site is busy: please try again" in html
        assert "what you entered is still in the form" in html
        assert "Traceback" not in html
        assert site.query(f"SELECT title_en FROM news_newsitem WHERE id = {item_id}") == [
            ("Edited news 0",)
        ]

        saved, answer = editor.save(path, fields, then="/admin/news/newsitem/")
        assert saved, answer
        assert site.query(f"SELECT title_en FROM news_newsitem WHERE id = {item_id}") == [
            ("Saved once the database is free",)
        ]
    finally:
        site.stop()
