"""Put a backup archive (`manage.py backup`) back: onto a fresh database, or over an existing one
with --flush (everything in it is deleted first) or --force (the archive's rows replace those
with the same ids; the rest stay).

The archive is checked in full before anything changes. Then `migrate` makes the tables, and
the rows and files are loaded in one transaction: if anything fails, the database is left as it
was after `migrate`."""

import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from ops import backup, fixtures


class Command(BaseCommand):
    help = _("Restore the database and the uploaded files from a backup archive.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("The .tar.gz file written by `manage.py backup`."))
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--flush",
            action="store_true",
            help=_("Delete everything in the database before restoring."),
        )
        existing.add_argument(
            "--force",
            action="store_true",
            help=_(
                "Load the archive over the database's content (rows with the same ids are "
                "replaced, the others stay)."
            ),
        )

    def handle(self, *args, archive, flush=False, force=False, **options):
        with tempfile.TemporaryDirectory(prefix="mped-restore-") as workdir:
            manifest = backup.read_archive(archive, workdir)
            self.check_migrations(manifest)
            content = self.content_in_database()
            if content and not (flush or force):
                raise CommandError(
                    _(
                        "The database already holds content (%(models)s): restore onto a fresh "
                        "database, or add --flush to delete everything in it first, or --force "
                        "to load the archive over it. Nothing was changed."
                    )
                    % {"models": ", ".join(content)}
                )
            call_command("migrate", interactive=False, verbosity=0)
            with transaction.atomic():
                if flush:
                    call_command("flush", interactive=False, verbosity=0)
                if not force:
                    self.delete_rows_made_by_migrate()
                try:
                    call_command("loaddata", Path(workdir, backup.GROUPS_FIXTURE), verbosity=0)
                    path = Path(workdir, backup.CONTENT_FIXTURE)
                    with path.open(encoding="utf-8") as handle:
                        fixtures.Loader().load(handle)
                except (DeserializationError, DatabaseError) as error:
                    raise CommandError(
                        _(
                            "The archive's rows could not be loaded: %(error)s. Nothing was "
                            "restored."
                        )
                        % {"error": error}
                    ) from error
                counts = self.check_counts(manifest["counts"], exact=not force)
                fixtures.after_load(manifest)
                written, unchanged = self.restore_files(workdir, manifest["files"])
        self.summary(archive, manifest, counts, written, unchanged)

    def check_migrations(self, manifest):
        known, migrated_apps = backup.known_migrations()
        newer = sorted(
            f"{app_label}.{name}"
            for app_label, names in manifest["migrations"].items()
            for name in names
            if app_label in migrated_apps and (app_label, name) not in known
        )
        if newer:
            raise CommandError(
                _(
                    "The archive was made by a newer version of the site (migrations %(names)s "
                    "are unknown here): deploy that version first. Nothing was changed."
                )
                % {"names": ", ".join(newer)}
            )

    @staticmethod
    def content_in_database():
        """The models that have rows, besides those `migrate` makes; none on a fresh database
        (whose tables may not even exist yet)."""
        tables = set(connection.introspection.table_names())
        return [
            model._meta.label_lower
            for model in backup.backed_up_models()
            if model._meta.label_lower not in backup.MADE_BY_MIGRATIONS
            and model._meta.db_table in tables
            and model._base_manager.exists()
        ]

    @staticmethod
    def delete_rows_made_by_migrate():
        """The rows `migrate` made (the menus' links and the home page's blocks of a fresh
        site) go: the archive's rows replace them, and those the site's staff deleted since
        must not come back. (The groups stay: the archive's are matched by name.)"""
        for model in backup.backed_up_models():
            if model._meta.label_lower not in backup.MADE_BY_MIGRATIONS:
                model._base_manager.all()._raw_delete(connection.alias)

    def check_counts(self, expected, exact):
        """Each model has as many rows as the archive says (at least as many with --force);
        the rows `migrate` made may add to the groups."""
        counts, missing = {}, []
        for label, number in expected.items():
            try:
                model = apps.get_model(label)
            except LookupError:
                missing.append(f"{label} ({number})")
                continue
            counts[label] = found = model._base_manager.count()
            more_allowed = not exact or label in backup.MADE_BY_MIGRATIONS
            if found < number or (found > number and not more_allowed):
                missing.append(f"{label} ({found}/{number})")
        if missing:
            raise CommandError(
                _(
                    "The restored rows do not match the archive's manifest: %(models)s. Nothing "
                    "was restored."
                )
                % {"models": ", ".join(missing)}
            )
        return counts

    @staticmethod
    def restore_files(workdir, files):
        """Every file of the archive into its storage, under its own name; a file already
        stored with the same bytes is left alone."""
        storages = backup.file_storages()
        written = unchanged = 0
        for archived_name in files:
            folder, name = archived_name.split("/", 1)
            storage = storages[folder]
            source = Path(workdir, *archived_name.split("/"))
            if storage.exists(name):
                with storage.open(name, "rb") as stored:
                    if backup.sha256_of(stored) == files[archived_name]["sha256"]:
                        unchanged += 1
                        continue
                storage.delete(name)
            with source.open("rb") as handle:
                saved = storage.save(name, File(handle, name=name))
            if saved != name:
                raise CommandError(
                    _("The storage saved %(name)s as %(saved)s. Nothing was restored.")
                    % {"name": name, "saved": saved}
                )
            written += 1
        return written, unchanged

    def summary(self, archive, manifest, counts, written, unchanged):
        self.stdout.write(
            _("Restored %(archive)s, made on %(created)s:")
            % {"archive": archive, "created": manifest["created_at"]}
        )
        for label, number in sorted(counts.items()):
            if number:
                self.stdout.write(f"  {label}: {number}")
        self.stdout.write(
            _("  %(files)d files (%(written)d written, %(unchanged)d already there)")
            % {"files": written + unchanged, "written": written, "unchanged": unchanged}
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)d rows and %(files)d files, as the archive's manifest counts.")
                % {"rows": sum(manifest["counts"].values()), "files": len(manifest["files"])}
            )
        )
