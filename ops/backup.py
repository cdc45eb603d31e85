"""The site's backup archive: one .tar.gz with everything needed to rebuild the site on a fresh
database (`manage.py backup`, `manage.py restore`, `make backup`, `make restore`).

    manifest.json       what the archive holds: counts of rows per model, the migrations
                        applied, the size and SHA-256 of every other file in it
    data/groups.json    the staff groups (Editors, Publishers…), matched by name on restore
    data/content.json   every other row, as `dumpdata --natural-foreign` writes it, one row a
                        line (ops/fixtures.py writes and reads it a batch of rows at a time)
    media/…             every file of the default storage (images and their renditions)
    private/…           every file of the private storage (report PDFs, first pages, articles)

Rows refer to content types, permissions, groups and users by their natural keys (names), so
they load into a database whose `migrate` numbered those differently. Every other row keeps its
id: links in emails already sent (unsubscribe tokens carry a user id), history entries
(django-reversion keeps ids as text) and queued tasks still point at the same rows. Content
types, permissions and sessions are not kept: `migrate` makes the first two again, and everyone
simply logs in again. PostgreSQL's generated search columns are not serialized either (the
database computes them again as rows are loaded)."""

import hashlib
import json
import posixpath
import tarfile
import zlib
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from files.storage import private_storage

FORMAT = "mped-backup"
VERSION = 1
MANIFEST = "manifest.json"
GROUPS_FIXTURE = "data/groups.json"
CONTENT_FIXTURE = "data/content.json"
FIXTURES = (GROUPS_FIXTURE, CONTENT_FIXTURE)

# Made again by `migrate` (content types, permissions) or of no use elsewhere (sessions).
EXCLUDED = ("contenttypes", "auth.permission", "sessions")
# Rows that `migrate` itself makes (the Editors and Publishers groups and their permissions):
# a fresh database has them, so they neither count as content nor keep their ids.
MADE_BY_MIGRATIONS = ("auth.group", "auth.group_permissions")

CHUNK = 1024 * 1024
# gzip's level 3: at 10,000 news items (180 MB of rows, most of it PDF text) 7 s instead of
# level 9's 26 s, for an archive 16% larger.
COMPRESS_LEVEL = 3


def file_storages():
    """The storages whose files the archive holds, by the archive's folder for them."""
    return {"media": default_storage, "private": private_storage}


def is_excluded(model):
    opts = model._meta
    return opts.app_label in EXCLUDED or opts.label_lower in EXCLUDED


def backed_up_models():
    """The models whose rows the archive holds (with the many-to-many tables, for counts)."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        and model._meta.managed
        and not is_excluded(model)
        and not (
            model._meta.auto_created and is_excluded(model._meta.auto_created)  # m2m of these
        )
    ]


def row_counts():
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in sorted(backed_up_models(), key=lambda model: model._meta.label_lower)
    }


def applied_migrations():
    applied = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


class HashingReader:
    """Reads a file for tarfile while counting its bytes and computing its SHA-256."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def file_entry(size, digest):
    return {"size": size, "sha256": digest}


def copy_hashing(source, target):
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        target.write(chunk)
    return file_entry(size, digest.hexdigest())


def sha256_of(handle):
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def is_safe_member_name(name):
    """A relative path inside the archive's own folders, without tricks."""
    if name in (MANIFEST, *FIXTURES):
        return True
    folder = name.split("/", 1)[0]
    return (
        folder in file_storages()
        and "\\" not in name
        and "\x00" not in name
        and posixpath.normpath(name) == name
        and not name.startswith("/")
        and ".." not in name.split("/")
    )


def read_archive(path, workdir):
    """Check the archive at `path` and unpack it into `workdir`; its manifest. Raises
    CommandError, saying what is wrong, for a missing file, a file that is not a backup archive,
    or one that is damaged or incomplete; nothing is changed then."""
    path = Path(path)
    if not path.is_file():
        raise CommandError(_("There is no backup archive at %(path)s.") % {"path": path})
    not_an_archive = _(
        "%(path)s is not a backup archive of this site (a .tar.gz file made by `manage.py backup`)."
    ) % {"path": path}
    try:
        archive = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the `with` below
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise CommandError(not_an_archive) from error
    found = {}
    try:
        with archive:
            for member in archive:
                if member.isdir():
                    continue
                if not member.isfile() or not is_safe_member_name(member.name):
                    raise CommandError(
                        _(
                            "%(path)s holds an unexpected entry, %(name)s: it is not a backup "
                            "archive of this site."
                        )
                        % {"path": path, "name": member.name}
                    )
                target = Path(workdir, *member.name.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, target.open("wb") as copy:
                    found[member.name] = copy_hashing(source, copy)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise CommandError(
            _("%(path)s is damaged or incomplete: %(error)s") % {"path": path, "error": error}
        ) from error
    if MANIFEST not in found:
        raise CommandError(not_an_archive)
    try:
        manifest = json.loads(Path(workdir, MANIFEST).read_text(encoding="utf-8"))
        listed = {**manifest["data"], **manifest["files"]}
        valid = manifest.get("format") == FORMAT and isinstance(manifest["counts"], dict)
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise CommandError(not_an_archive)
    if manifest.get("version") != VERSION:
        raise CommandError(
            _(
                "%(path)s is a backup of format version %(version)s; this site reads version "
                "%(expected)s."
            )
            % {"path": path, "version": manifest.get("version"), "expected": VERSION}
        )
    found.pop(MANIFEST)
    damaged = sorted(name for name, entry in listed.items() if found.get(name) != entry)
    damaged += sorted(name for name in found if name not in listed)
    if damaged or any(name not in manifest["data"] for name in FIXTURES):
        raise CommandError(
            _("%(path)s is damaged: %(names)s do not match its manifest.")
            % {"path": path, "names": ", ".join(damaged) or ", ".join(FIXTURES)}
        )
    return manifest


def known_migrations():
    """Every migration this code knows, squashed ones' originals included."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or ())
    return known, set(loader.migrated_apps)
