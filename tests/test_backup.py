"""`manage.py backup` and `manage.py restore` (and `make backup`, `make restore`): the whole site,
rows and files, into one archive and back onto a genuinely fresh database (a new SQLite file,
or a new PostgreSQL database when the suite runs on PostgreSQL) in another process, where every
row and every file is found again and the pages still work. Bad archives change nothing."""

import hashlib
import io
import json
import os
import re
import subprocess
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import reversion
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from news.alerts import send_news_alerts, unsubscribe_token
from news.models import AlertDelivery, Article, Kind, NewsItem
from ops import backup
from partners.models import Country

from .helpers import (
    PASSWORD,
    PDF_BYTES,
    ROOT,
    image_bytes,
    make_document,
    make_library_image,
    make_member,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    manage,
    report_document,
    subprocess_environment,
)

EXCLUDED = ["--exclude", "contenttypes", "--exclude", "auth.permission", "--exclude", "sessions"]


@pytest.fixture(autouse=True)
def fresh_content_type_cache():
    # `restore --flush` makes content types anew; the test's rollback brings back the old
    # ones, which the process-wide cache must then forget.
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def site(db, django_user_model):
    """Content of every kind, with files, users, groups, history and a queued task."""
    canadian = make_municipality("Town of Backup", region="Alberta", summary="Kept safe.")
    cambodian = make_municipality("Backup Commune", country=Country.CAMBODIA)
    make_partnership(canadian, cambodian, focus="Archives")
    report = make_news("Annual report 2026", kind=Kind.REPORT)
    report.partners.add(canadian, cambodian)
    make_news(
        "For members",
        kind=Kind.REPORT,
        is_members_only=True,
        body="<p>Members read this.</p>",
    )
    field = make_library_image(image_bytes((900, 600)), "field.png", alt_en="A red field")
    pictured = make_news("With a picture", image=field)
    press = make_news("In the papers", kind=Kind.PRESS)
    copy = make_document("Economics Today", name="economics-today.pdf")
    Article.objects.create(
        news_item=press, title="Economics Today", publication="ET", document=copy
    )
    make_page("Backed up section")

    # A deleted account leaves a gap in the ids: the restored ones must not close it up.
    django_user_model.objects.create_user("gone@example.org", "gone@example.org", PASSWORD).delete()
    member = make_member("member@example.org", PASSWORD, first_name="Sokha", alerts_reports=True)
    other = make_member("other@example.org", PASSWORD, alerts_reports=True)
    editor = django_user_model.objects.create_user(
        "editor", "editor@example.org", PASSWORD, is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    with reversion.create_revision():
        report.summary = "Revised summary."
        report.save()
        reversion.set_user(editor)
        reversion.set_comment("Revised the summary")
    AlertDelivery.objects.create(news_item=report, user=member, sent_at=timezone.now())
    send_news_alerts.enqueue(press.pk)
    return {
        "report": report,
        "pictured": pictured,
        "member": member,
        "other": other,
        "unsubscribe": reverse(
            "alerts:unsubscribe", args=[unsubscribe_token(member, "alerts_reports")]
        ),
    }


def make_backup(folder):
    out = io.StringIO()
    call_command("backup", output_dir=str(folder), stdout=out)
    (archive,) = Path(folder).glob("mped-*.tar.gz")
    assert f"to {archive}" in out.getvalue()
    return archive


def files_in(folder):
    """{relative name: SHA-256} of every file under `folder`."""
    folder = Path(folder)
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def archived_json(archive, name):
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile(name))


def state():
    """What restoring must not change when it refuses: rows and files."""
    return backup.row_counts(), files_in(settings.MEDIA_ROOT), files_in(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def fresh_database_url(tmp_path):
    """A database nobody has used: a new SQLite file, or a new PostgreSQL database next to the
    test database (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"mped_restore_{uuid.uuid4().hex[:12]}"
    server = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = urlsplit(os.environ["DATABASE_URL"])
    yield urlunsplit(url._replace(path=f"/{name}"))
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.close()


# What a restored site answers, asked in its own process (DEBUG on, so that it serves its
# static and media files itself).
CHECK_RESTORED_SITE = """
import hashlib, json
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django_tasks_db.models import DBTaskResult
from library.renditions import picture as rendition_picture
from news.models import NewsItem
from reversion.models import Version

def digest(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return hashlib.sha256(content).hexdigest()

def report_document(item):
    return item.documents.order_by("order", "pk").first().document

def pdf_url(item):
    return report_document(item).get_absolute_url()

client = Client()
User = get_user_model()
report = NewsItem.objects.get(slug="annual-report-2026")
pictured = NewsItem.objects.select_related("image").get(slug="with-a-picture")
members = NewsItem.objects.get(slug="for-members")
found = {}
page = client.get(report.get_absolute_url())
found["report_page"] = [page.status_code, "Annual report 2026" in page.content.decode()]
found["report_pdf"] = [client.get(pdf_url(report)).status_code, digest(client.get(pdf_url(report)))]
found["first_page"] = client.get(report_document(report).thumbnail_url).status_code
page = client.get(pictured.get_absolute_url())
header = rendition_picture(pictured.image, "header")
found["picture_page"] = [page.status_code, header.src in page.content.decode()]
found["rendition"] = client.get(header.src).status_code
found["partners"] = sorted(report.partners.values_list("name", flat=True))
found["history"] = [
    [version.revision.user.username, version.revision.comment]
    for version in Version.objects.get_for_object(report)
]
editor = User.objects.get(username="editor")
found["editor"] = [list(editor.groups.values_list("name", flat=True)),
                   editor.has_perm("news.change_newsitem")]
found["confirmed"] = EmailAddress.objects.filter(
    email="member@example.org", verified=True, primary=True).exists()
found["tasks"] = DBTaskResult.objects.count()
found["search"] = client.get("/en/search/", {"q": "Annual"}).status_code
found["login"] = client.login(username="member@example.org", password="%(password)s")
page = client.get(members.get_absolute_url())
found["members_page"] = "Members read this." in page.content.decode()
client.logout()
found["unsubscribe"] = client.post(
    "%(unsubscribe)s", {"List-Unsubscribe": "One-Click"}).status_code
found["subscribed"] = dict(User.objects.filter(email__endswith="@example.org",
    alerts_reports=True).values_list("email", "alerts_reports"))
print("RESULT " + json.dumps(found))
"""


def test_a_backup_restores_onto_a_fresh_database_with_every_row_and_file(
    site, tmp_path, fresh_database_url
):
    archive = make_backup(tmp_path / "backups")
    restored = tmp_path / "restored"
    env = {
        "DATABASE_URL": fresh_database_url,
        "DJANGO_MEDIA_ROOT": str(restored / "media"),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(restored / "private"),
        "DJANGO_LOG_FORMAT": "text",
    }
    result = manage("restore", str(archive), env=env)
    assert result.returncode == 0, result.stderr
    assert "as the archive's manifest counts" in result.stdout
    assert "news.newsitem: 4" in result.stdout

    # Every file, byte for byte: PDFs, first pages, the library's image and its renditions.
    media, private = files_in(settings.MEDIA_ROOT), files_in(settings.PRIVATE_MEDIA_ROOT)
    assert any(name.startswith("library/renditions/") for name in media)
    # Two reports' PDFs and an article's copy (library documents), each with its first page.
    assert len(private) == 6
    assert files_in(restored / "media") == media
    assert files_in(restored / "private") == private

    # Every row: the fresh database dumps exactly what the archive holds.
    for fixture, args in [
        (backup.CONTENT_FIXTURE, [*EXCLUDED, "--exclude", "auth.group"]),
        (backup.GROUPS_FIXTURE, ["auth.group", "--natural-primary"]),
    ]:
        dumped = manage("dumpdata", "--natural-foreign", "--all", *args, env=env)
        assert dumped.returncode == 0, dumped.stderr
        assert json.loads(dumped.stdout) == archived_json(archive, fixture)

    # Backed up again from there (from its own process, so from a snapshot on PostgreSQL),
    # it gives the same archive.
    again = manage("backup", "--output", str(tmp_path / "again.tar.gz"), env=env)
    assert again.returncode == 0, again.stderr
    for name in (*backup.FIXTURES, backup.MANIFEST):
        first, second = archived_json(archive, name), archived_json(tmp_path / "again.tar.gz", name)
        if name == backup.MANIFEST:
            first, second = first["counts"], second["counts"]
        assert first == second

    # And the site works on it.
    check = CHECK_RESTORED_SITE % {"password": PASSWORD, "unsubscribe": site["unsubscribe"]}
    answer = manage(
        "shell",
        "--no-imports",
        "-c",
        check,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "mped.settings.dev",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        },
    )
    assert answer.returncode == 0, answer.stderr
    found = json.loads(answer.stdout.split("RESULT ", 1)[1])
    assert found == {
        "report_page": [200, True],
        "report_pdf": [200, hashlib.sha256(PDF_BYTES).hexdigest()],
        "first_page": 200,
        "picture_page": [200, True],
        "rendition": 200,
        "partners": ["Backup Commune", "Town of Backup"],
        "history": [["editor", "Revised the summary"]],
        "editor": [["Editors"], True],
        "confirmed": True,
        "tasks": 1,
        "search": 200,
        "login": True,
        "members_page": True,
        # The unsubscribe link of an email sent before the backup still names the same member.
        "unsubscribe": 200,
        "subscribed": {"other@example.org": True},
    }


def test_the_archive_lists_its_rows_files_and_migrations(site, tmp_path):
    archive = make_backup(tmp_path)
    assert re.fullmatch(r"mped-\d{8}-\d{6}\.tar\.gz", archive.name)
    assert archive.stat().st_mode & 0o077 == 0, "only its owner may read it"
    manifest = archived_json(archive, backup.MANIFEST)
    assert manifest["format"] == "mped-backup" and manifest["version"] == 1
    assert manifest["database"] == connection.vendor
    counts = manifest["counts"]
    assert counts["news.newsitem"] == 4 and counts["news.article"] == 1
    assert counts["news.itemdocument"] == 2 and counts["library.document"] == 3
    assert counts["partners.municipality"] == 2 and counts["partners.partnership"] == 1
    assert counts["news.newsitem_partners"] == 2
    assert counts["accounts.user"] == 3 and counts["account.emailaddress"] == 2
    # The report's version and its list of documents' (followed by the history).
    assert counts["reversion.version"] == 2
    assert counts["django_tasks_database.dbtaskresult"] == 1
    assert not any(
        label.startswith(("contenttypes.", "sessions.")) or label == "auth.permission"
        for label in counts
    )
    assert "0001_initial" in manifest["migrations"]["news"]
    report = site["report"]
    assert manifest["files"][f"private/{report_document(report).file.name}"] == {
        "size": len(PDF_BYTES),
        "sha256": hashlib.sha256(PDF_BYTES).hexdigest(),
    }
    content = archived_json(archive, backup.CONTENT_FIXTURE)
    report_row = next(
        row
        for row in content
        if row["model"] == "news.newsitem" and row["fields"]["slug"] == "annual-report-2026"
    )
    assert report_row["pk"] == report.pk
    assert "search_public" not in report_row["fields"], "generated columns are not dumped"
    member_row = next(
        row
        for row in content
        if row["model"] == "accounts.user" and row["fields"]["email"] == "member@example.org"
    )
    assert member_row["pk"] == site["member"].pk, "users keep their ids"
    groups = archived_json(archive, backup.GROUPS_FIXTURE)
    assert {row["fields"]["name"] for row in groups} >= {"Editors", "Publishers"}
    assert all("pk" not in row for row in groups), "groups are matched by name"


def test_restore_refuses_a_database_with_content_and_changes_nothing(site, tmp_path):
    archive = make_backup(tmp_path)
    before = state()
    with pytest.raises(CommandError, match="already holds content.*--flush.*--force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert state() == before


def test_restore_with_flush_puts_the_site_back_as_it_was(site, tmp_path):
    archive = make_backup(tmp_path)
    before = state()
    report, pictured = site["report"], site["pictured"]
    NewsItem.objects.filter(pk=report.pk).update(title="Changed after the backup")
    pictured.delete()
    make_news("Written after the backup")
    Path(settings.PRIVATE_MEDIA_ROOT, report_document(report).file.name).unlink()
    stray = f"{Path(report_document(report).file.name).parent.as_posix()}/stray.pdf"
    Path(settings.PRIVATE_MEDIA_ROOT, stray).write_bytes(b"Not in the archive.")

    # As a commit would (PostgreSQL cannot empty tables with checks still pending).
    connection.check_constraints()
    out = io.StringIO()
    call_command("restore", str(archive), "--flush", stdout=out)
    assert "as the archive's manifest counts" in out.getvalue()
    assert NewsItem.objects.get(pk=report.pk).title == "Annual report 2026"
    assert NewsItem.objects.filter(slug="with-a-picture").exists()
    assert not NewsItem.objects.filter(slug="written-after-the-backup").exists()
    counts, media, private = state()
    assert (counts, media) == before[:2]
    # The missing PDF is back; a file the archive does not know is left for cleanup_files.
    assert private.pop(stray) == hashlib.sha256(b"Not in the archive.").hexdigest()
    assert private == before[2]


def test_restore_with_force_loads_the_archive_over_the_content(site, tmp_path):
    archive = make_backup(tmp_path)
    report = site["report"]
    NewsItem.objects.filter(pk=report.pk).update(title="Changed after the backup")
    make_news("Written after the backup")
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert NewsItem.objects.get(pk=report.pk).title == "Annual report 2026"
    assert NewsItem.objects.filter(slug="written-after-the-backup").exists()
    assert EmailAddress.objects.filter(email="member@example.org", verified=True).exists()
    assert get_user_model().objects.get(pk=site["member"].pk).email == "member@example.org"


def rewrite(archive, target, change):
    """A copy of `archive` with its members passed through `change(name, data)`, which returns
    the new (name, data), or None to leave the member out."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            changed = change(member.name, source.extractfile(member).read())
            if changed is not None:
                name, data = changed
                info = tarfile.TarInfo(name)
                info.size = len(data)
                copy.addfile(info, io.BytesIO(data))
    return target


def tampered_file(name, data):
    return (name, data + b"tampered") if name.startswith("private/") else (name, data)


def future_migration(name, data):
    if name == backup.MANIFEST:
        manifest = json.loads(data)
        manifest["migrations"]["news"].append("9999_from_the_future")
        data = json.dumps(manifest).encode()
    return name, data


def escaping(name, data):
    return ("../escaped.txt", data) if name == backup.MANIFEST else (name, data)


def without_manifest(name, data):
    return None if name == backup.MANIFEST else (name, data)


@pytest.mark.parametrize(
    "make_bad_archive, message",
    [
        (lambda archive, bad: bad, "There is no backup archive at"),
        (
            lambda archive, bad: bad.write_bytes(b"Not an archive at all.") and bad,
            "is not a backup archive",
        ),
        (
            lambda archive, bad: bad.write_bytes(archive.read_bytes()[:3000]) and bad,
            "is damaged or incomplete",
        ),
        (lambda archive, bad: rewrite(archive, bad, tampered_file), "is damaged: private/"),
        (lambda archive, bad: rewrite(archive, bad, without_manifest), "is not a backup archive"),
        (
            lambda archive, bad: rewrite(archive, bad, escaping),
            "holds an unexpected entry, ../escaped.txt",
        ),
        (
            lambda archive, bad: rewrite(archive, bad, future_migration),
            "newer version of the site.*news.9999_from_the_future",
        ),
    ],
    ids=["missing", "not-an-archive", "cut-off", "tampered", "no-manifest", "escaping", "newer"],
)
def test_a_bad_archive_is_refused_with_a_clear_message_and_nothing_changes(
    site, tmp_path, make_bad_archive, message
):
    archive = make_backup(tmp_path)
    bad = make_bad_archive(archive, tmp_path / "bad.tar.gz")
    before = state()
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(bad), "--flush", stdout=io.StringIO())
    assert state() == before
    assert not (tmp_path / "escaped.txt").exists()


def test_rows_that_cannot_be_loaded_leave_the_database_as_it_was(site, tmp_path):
    """An archive that is whole but whose rows do not load (here an alert for a member who is
    not in it): even with --flush, nothing is deleted."""
    archive = make_backup(tmp_path)
    fixed = {}

    def unknown_member(name, data):
        if name == backup.CONTENT_FIXTURE:
            rows = json.loads(data)
            alert = next(row for row in rows if row["model"] == "news.alertdelivery")
            alert["fields"]["user"] = ["nobody@example.org"]
            data = json.dumps(rows).encode()
            fixed[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if name == backup.MANIFEST:
            manifest = json.loads(data)
            manifest["data"].update(fixed)  # the content fixture comes before the manifest
            data = json.dumps(manifest).encode()
        return name, data

    bad = rewrite(archive, tmp_path / "bad.tar.gz", unknown_member)
    connection.check_constraints()
    before = state()
    with pytest.raises(CommandError, match="(?s)rows could not be loaded.*Nothing was restored"):
        call_command("restore", str(bad), "--flush", stdout=io.StringIO())
    assert state() == before
    assert NewsItem.objects.filter(slug="annual-report-2026").exists()


def test_a_bad_archive_exits_with_an_error_from_the_command_line(tmp_path):
    missing = manage("restore", str(tmp_path / "nowhere.tar.gz"))
    assert missing.returncode == 1
    assert "There is no backup archive at" in missing.stderr
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08 and then nothing sensible")
    result = manage("restore", str(broken))
    assert result.returncode == 1
    assert "is not a backup archive" in result.stderr or "damaged" in result.stderr


def run_make(*args, env):
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env=subprocess_environment(env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_restore_and_make_backup(site, tmp_path):
    archive = make_backup(tmp_path / "first")
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'made.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }
    usage = run_make("restore", env=env)
    assert usage.returncode != 0 and "make restore ARCHIVE=" in usage.stdout
    restored = run_make("restore", f"ARCHIVE={archive}", env=env)
    assert restored.returncode == 0, restored.stderr
    made = run_make("backup", f"BACKUP_DIR={tmp_path / 'second'}", env=env)
    assert made.returncode == 0, made.stderr
    (second,) = (tmp_path / "second").glob("*.tar.gz")
    assert re.fullmatch(r"mped-\d{8}-\d{6}\.tar\.gz", second.name)
    first_manifest = archived_json(archive, backup.MANIFEST)
    second_manifest = archived_json(second, backup.MANIFEST)
    assert second_manifest["counts"] == first_manifest["counts"]
    assert second_manifest["files"] == first_manifest["files"]
    assert DBTaskResult.objects.count() == 1  # the test database itself was not touched
    assert Version.objects.count() == 2  # the report's, with its list of documents
