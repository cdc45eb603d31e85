"""Write the whole site, database and uploaded files, into one .tar.gz archive (ops/backup.py
says what it holds). `make backup` runs it; `manage.py restore` puts it back."""

import io
import json
import os
import tarfile
import tempfile
import time
from pathlib import Path

import django
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from files.storage import stored_files
from ops import backup, fixtures


class Command(BaseCommand):
    help = _("Write the database and every uploaded file into one .tar.gz backup archive.")

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--output", help=_("The archive to write (it must not exist yet)."))
        where.add_argument(
            "--output-dir",
            default="backups",
            help=_("Write mped-YYYYmmdd-HHMMSS.tar.gz in this folder (default: backups)."),
        )

    def handle(self, *args, output=None, output_dir="backups", **options):
        if output is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(output_dir) / f"mped-{stamp}.tar.gz"
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        if output.exists():
            raise CommandError(_("%(path)s exists already.") % {"path": output})
        partial = output.with_name(output.name + ".partial")
        try:
            # Only the owner may read it: it holds email addresses and password hashes.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(
                _(
                    "%(path)s exists: another backup is being written, or one was interrupted "
                    "(delete it then)."
                )
                % {"path": partial}
            ) from None
        try:
            with os.fdopen(descriptor, "wb") as handle:
                manifest = self.write(handle)
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        rows = sum(manifest["counts"].values())
        files = len(manifest["files"])
        size = sum(entry["size"] for entry in manifest["files"].values())
        self.stdout.write(
            _("Backed up %(rows)d rows and %(files)d files (%(megabytes).1f MB) to %(path)s")
            % {"rows": rows, "files": files, "megabytes": size / 1e6, "path": output}
        )

    def write(self, handle):
        with tempfile.TemporaryDirectory(prefix="mped-backup-") as workdir:
            manifest = {
                "format": backup.FORMAT,
                "version": backup.VERSION,
                "created_at": timezone.now().isoformat(),
                "django": django.get_version(),
                "database": connection.vendor,
                **self.dump(Path(workdir)),
                "data": {},
                "files": {},
            }
            with tarfile.open(
                fileobj=handle, mode="w:gz", compresslevel=backup.COMPRESS_LEVEL
            ) as archive:
                for name in backup.FIXTURES:
                    path = Path(workdir, name)
                    with path.open("rb") as source:
                        manifest["data"][name] = self.add(
                            archive, name, source, path.stat().st_size
                        )
                for folder, storage in backup.file_storages().items():
                    for name in stored_files(storage):
                        with storage.open(name, "rb") as source:
                            manifest["files"][f"{folder}/{name}"] = self.add(
                                archive, f"{folder}/{name}", source, storage.size(name)
                            )
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                self.add(archive, backup.MANIFEST, io.BytesIO(data), len(data))
        return manifest

    def dump(self, workdir):
        """The database's rows into the two fixtures, and their counts, from one snapshot of
        the database: rows the site writes meanwhile are left out of all three."""
        Path(workdir, "data").mkdir()
        snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
        with transaction.atomic():
            if snapshot:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            options = {"format": "json", "use_natural_foreign_keys": True, "verbosity": 0}
            options["use_base_manager"] = True  # every row, whatever a default manager hides
            with Path(workdir, backup.GROUPS_FIXTURE).open("w", encoding="utf-8") as out:
                call_command(
                    "dumpdata", "auth.group", use_natural_primary_keys=True, stdout=out, **options
                )
            with Path(workdir, backup.CONTENT_FIXTURE).open("w", encoding="utf-8") as out:
                fixtures.write_fixture(out, excluded=[*backup.EXCLUDED, "auth.group"])
            return {"migrations": backup.applied_migrations(), "counts": backup.row_counts()}

    @staticmethod
    def add(archive, name, source, size):
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(time.time())
        info.mode = 0o600
        reader = backup.HashingReader(source)
        archive.addfile(info, reader)
        return backup.file_entry(reader.size, reader.digest.hexdigest())
