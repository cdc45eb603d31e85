"""`manage.py restore` of an archive made before the Khmer words columns and the search
suggestions' words existed (before migrations news 0019, pages 0010, partners 0012 and search
0001): the restore makes them, as `segment_khmer` and `rebuild_search_words` would, and the
site search then finds an item by a Khmer word and suggests its words. Also: the archive's rows
are one a line, and an archive whose rows are all on one line (as `dumpdata` writes them)
restores the same."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from news.models import NewsItem
from ops import backup
from pages.models import ProgramPage
from partners.models import Municipality
from search.models import Word

from .helpers import make_municipality, make_news, make_page

PARTICIPATION = "ការចូលរួមរបស់ស្ត្រី"
WORDS_COLUMNS = ("km_words", "km_body_words")
BEFORE = {
    "news": "0019_khmer_words",
    "pages": "0010_khmer_words",
    "partners": "0012_khmer_words",
}


def make_backup(folder):
    call_command("backup", output_dir=str(folder), stdout=io.StringIO())
    (archive,) = Path(folder).glob("mped-*.tar.gz")
    return archive


def members(archive):
    with tarfile.open(archive, "r:gz") as source:
        return {member.name: source.extractfile(member).read() for member in source}


def write_archive(target, files):
    """An archive of `files` ({name: bytes}) with its manifest's sizes and hashes made again."""
    manifest = json.loads(files.pop(backup.MANIFEST))
    for name, data in files.items():
        listed = manifest["data"] if name in backup.FIXTURES else manifest["files"]
        listed[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    files[backup.MANIFEST] = json.dumps(manifest).encode()
    with tarfile.open(target, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


def as_older_archive(files):
    """The archive as a site without the Khmer words and the search words wrote it."""
    rows = json.loads(files[backup.CONTENT_FIXTURE])
    older = []
    for row in rows:
        if row["model"] == "search.word":
            continue
        for name in WORDS_COLUMNS:
            row["fields"].pop(name, None)
        older.append(row)
    manifest = json.loads(files[backup.MANIFEST])
    manifest["counts"].pop("search.word")
    manifest["migrations"].pop("search", None)
    for app_label, first_missing in BEFORE.items():
        applied = manifest["migrations"][app_label]
        manifest["migrations"][app_label] = applied[: applied.index(first_missing)]
    return {
        **files,
        backup.CONTENT_FIXTURE: json.dumps(older).encode(),
        backup.MANIFEST: json.dumps(manifest).encode(),
    }


def restore(archive):
    # As a commit would (PostgreSQL cannot empty tables with checks still pending).
    connection.check_constraints()
    out = io.StringIO()
    call_command("restore", str(archive), "--flush", stdout=out)
    assert "as the archive's manifest counts" in out.getvalue()


def test_an_older_archive_restores_with_its_khmer_words_and_search_words(client, db, tmp_path):
    item = make_news("Women in local politics", summary_km=f"<p>{PARTICIPATION}</p>")
    page = make_page("Capacity", body_km=f"<p>{PARTICIPATION}</p>")
    town = make_municipality("Kang Meas", description_km=f"<p>{PARTICIPATION}</p>")
    call_command("rebuild_search_words", verbosity=0)
    files = members(make_backup(tmp_path / "now"))
    rows = json.loads(files[backup.CONTENT_FIXTURE])
    assert any(row["model"] == "search.word" for row in rows)
    older = write_archive(tmp_path / "older.tar.gz", as_older_archive(files))

    restore(older)
    for model, pk in ((NewsItem, item.pk), (ProgramPage, page.pk), (Municipality, town.pk)):
        restored = model._base_manager.get(pk=pk)
        assert " ស្ត្រី " in restored.km_words + restored.km_body_words, model
    assert Word.objects.filter(text="politics").exists()
    response = client.get("/km/search/", {"q": "ស្ត្រី"})
    assert item.get_absolute_url() in response.content.decode()
    response = client.get("/en/search/", {"q": "politcs"})
    assert "politics" in response.content.decode()


def test_the_archives_rows_are_one_a_line_and_a_one_line_fixture_restores_the_same(db, tmp_path):
    make_news("Annual report 2026", summary_km=f"<p>{PARTICIPATION}</p>")
    archive = make_backup(tmp_path / "now")
    files = members(archive)
    lines = files[backup.CONTENT_FIXTURE].decode().splitlines()
    rows = json.loads(files[backup.CONTENT_FIXTURE])
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(rows) + 2
    one_line = {**files, backup.CONTENT_FIXTURE: json.dumps(rows).encode()}
    restore(write_archive(tmp_path / "one-line.tar.gz", one_line))
    dumped = io.StringIO()
    call_command(
        "dumpdata",
        "news.newsitem",
        "--natural-foreign",
        stdout=dumped,
    )
    assert json.loads(dumped.getvalue()) == [row for row in rows if row["model"] == "news.newsitem"]
