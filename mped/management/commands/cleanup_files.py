"""Delete uploaded files that nothing refers to any more.

A file is kept while a row refers to it or a saved version (django-reversion) that can still
be restored does, so "recover" and "revert" always find their files. Never run at save time:
staff run it, or a timer does (see the README)."""

import json
import os
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models
from reversion.models import Version

# Generated files (image renditions) live here and are remade on demand.
SKIPPED_FOLDERS = {"CACHE"}


def file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def referenced_names():
    """Every stored name a row or a restorable version points at, by storage location."""
    names = {}
    for model, field in file_fields():
        location = Path(field.storage.location)
        keep = names.setdefault(location, set())
        keep.update(
            model._base_manager.exclude(**{field.name: ""})
            .exclude(**{f"{field.name}__isnull": True})
            .values_list(field.name, flat=True)
        )
        for data in Version.objects.get_for_model(model).values_list("serialized_data", flat=True):
            try:
                value = json.loads(data)[0]["fields"].get(field.name)
            except (ValueError, KeyError, IndexError, TypeError):
                continue
            if value:
                keep.add(value)
    return names


def stored_files(location):
    for folder, subfolders, files in os.walk(location):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS]
        for filename in files:
            path = Path(folder) / filename
            yield path, path.relative_to(location).as_posix()


class Command(BaseCommand):
    help = "Delete uploaded files that no item and no restorable version refers to."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        deleted = kept = 0
        for location, keep in referenced_names().items():
            if not location.is_dir():
                continue
            for path, name in stored_files(location):
                if name in keep:
                    kept += 1
                    continue
                deleted += 1
                self.stdout.write(f"{'Would delete' if dry_run else 'Deleted'} {path}")
                if not dry_run:
                    path.unlink()
        self.stdout.write(
            self.style.SUCCESS(
                f"{kept} files in use; {deleted} unused "
                f"{'found (dry run)' if dry_run else 'deleted'}."
            )
        )
