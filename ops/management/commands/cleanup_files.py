"""Delete uploaded files that nothing refers to any more.

A file is kept while a row refers to it or a saved version (django-reversion) that can still
be restored does, so "recover" and "revert" always find their files; and while a pending
draft of a live item (editorial/drafts.py) that uploaded it waits to be published. Never run at
save time: staff run it, or a timer does (see docs/operations.md).

Files are listed and deleted through each field's storage, so this works the same on the local
disk and on S3-compatible object storage."""

import json

import reversion
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models
from reversion.models import Version

from editorial.models import Draft
from files.storage import stored_files
from library.models import Image, Rendition
from library.renditions import planned

# Generated files (image renditions) live here and are remade on demand.
SKIPPED_FOLDERS = {"CACHE"}


def file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def referenced_names():
    """Every stored name a row or a restorable version points at, by storage: a list of
    (storage, names), one entry per storage."""
    by_storage = []
    for model, field in file_fields():
        keep = next((names for storage, names in by_storage if storage is field.storage), None)
        if keep is None:
            keep = set()
            by_storage.append((field.storage, keep))
        keep.update(
            model._base_manager.exclude(**{field.name: ""})
            .exclude(**{f"{field.name}__isnull": True})
            .values_list(field.name, flat=True)
        )
        if not reversion.is_registered(model):  # no history kept (a rendition, for one)
            continue
        for data in Version.objects.get_for_model(model).values_list("serialized_data", flat=True):
            try:
                value = json.loads(data)[0]["fields"].get(field.name)
            except (ValueError, KeyError, IndexError, TypeError):
                continue
            if value:
                keep.add(value)
    # The files a pending draft of a live item uploaded: its row refers to them once published.
    drafted = draft_uploads()
    for _storage, keep in by_storage:
        keep.update(drafted)
    # The renditions each library image names now (library/renditions.py), made or being made,
    # whether or not their rows are committed yet; a deleted image's, or those of a file or
    # focal point since replaced, are not named and go.
    rendition_storage = Rendition._meta.get_field("file").storage
    keep = next((names for storage, names in by_storage if storage is rendition_storage), None)
    if keep is not None:
        images = Image.objects.only("file", "width", "height", "focal_x", "focal_y")
        for image in images.iterator(chunk_size=500):
            keep.update(item.name for item in planned(image))
    return by_storage


def draft_uploads():
    names = set()
    for data in Draft.objects.filter(data__isnull=False).values_list("data", flat=True):
        names.update(data.get("uploads", []) if isinstance(data, dict) else [])
    return names


class Command(BaseCommand):
    help = "Delete uploaded files that no item and no restorable version refers to."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        deleted = kept = 0
        for storage, keep in referenced_names():
            for name in stored_files(storage, skip=SKIPPED_FOLDERS):
                if name in keep:
                    kept += 1
                    continue
                deleted += 1
                self.stdout.write(f"{'Would delete' if dry_run else 'Deleted'} {name}")
                if not dry_run:
                    storage.delete(name)
        self.stdout.write(
            self.style.SUCCESS(
                f"{kept} files in use; {deleted} unused "
                f"{'found (dry run)' if dry_run else 'deleted'}."
            )
        )
