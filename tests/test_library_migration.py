"""The move into the media library (issue 17), run on a copy of the demo content with Django's
migration executor, backwards to before the move and forwards again, as a site that had items
with their own files would be migrated.

IMAGES (this section; helper "images-into-content", migrations news 0012-0014 and partners
0009-0011, files/move_to_library.py): every item shows the same image file before and after,
the file is neither copied nor removed (its old public address still has it), the alt text
moves to the library image in each language, and a history version saved before the move
restores, as does a pending draft.

DOCUMENTS: helper "documents-into-news" adds its half in its own section below, or in its own
file."""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from library.models import Image
from news.models import NewsItem
from partners.models import Municipality

from .helpers import image_bytes, markup

# Before the images' move: the last migrations in which items kept their own image files.
BEFORE_IMAGES = [
    ("news", "0011_slug_help_text_escaped"),
    ("partners", "0008_publishers_publish_partners"),
]

OLD_PICTURE = "news/images/2015/old-market.png"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The models as the database has them now (every app's applied migrations).
    executor = MigrationExecutor(connection)
    return executor._create_project_state(with_applied_migrations=True).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def before_the_move(transactional_db, media_root):
    """The demo content, taken back to before the move (its images on the items again); the
    database migrated forwards again afterwards, whatever the test did."""
    call_command("load_demo_content", verbosity=0)
    shown = {
        (type(item)._meta.label, item.pk): (
            item.image.file.name,
            item.image.alt_en,
            item.image.alt_fr,
        )
        for model in (NewsItem, Municipality)
        for item in model.objects.exclude(image=None).select_related("image")
    }
    assert len(shown) >= 2, "the demo content shows images on news items and municipalities"
    try:
        yield migrate(BEFORE_IMAGES), shown
    finally:
        migrate_to_latest()


def stored_files():
    """The public media folder's files, but the renditions (made from them)."""
    root = Path(settings.MEDIA_ROOT)
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not str(path.relative_to(root)).startswith("library/renditions/")
    }


def old_version(apps, item, **changes):
    """A history version of `item` (a historical model's row) as django-reversion saved one
    before the move: the whole row serialized, with `changes` applied to its fields."""
    Revision = apps.get_model("reversion", "Revision")
    OldVersion = apps.get_model("reversion", "Version")
    ContentType = apps.get_model("contenttypes", "ContentType")
    data = json.loads(serializers.serialize("json", [item]))
    data[0]["model"] = "news.newsitem"
    data[0]["fields"].update(changes)
    revision = Revision.objects.create(
        date_created=timezone.now() - datetime.timedelta(days=30), comment="Before the library"
    )
    content_type, _created = ContentType.objects.get_or_create(app_label="news", model="newsitem")
    return OldVersion.objects.create(
        revision=revision,
        object_id=str(item.pk),
        content_type=content_type,
        db="default",
        format="json",
        serialized_data=json.dumps(data),
        object_repr=item.title,
    )


def test_the_move_keeps_every_items_image_file_and_alt_text(before_the_move):
    apps, shown = before_the_move
    OldImage = apps.get_model("library", "Image")
    # Backwards, the items got their files and alt texts back.
    for (label, pk), (name, alt_en, alt_fr) in shown.items():
        row = apps.get_model(label).objects.get(pk=pk)
        assert (row.image.name, row.image_alt_en, row.image_alt_fr) == (name, alt_en, alt_fr)
        assert row.image_width and row.image_height
    # A site from before the library has no library images: the move makes them.
    OldImage.objects.all().delete()
    files = {name: Path(settings.MEDIA_ROOT, name).read_bytes() for name, *_ in shown.values()}
    stored = stored_files()

    migrate_to_latest()

    for (label, pk), (name, alt_en, alt_fr) in shown.items():
        item = {"news.NewsItem": NewsItem, "partners.Municipality": Municipality}[label].objects
        item = item.select_related("image").get(pk=pk)
        assert item.image.file.name == name  # the same stored file, not a copy
        assert (item.image.alt_en, item.image.alt_fr) == (alt_en, alt_fr)
        assert (item.image.focal_x, item.image.focal_y) == (50, 50)
        assert item.image.uploaded_by is None
        assert item.image.width and item.image.height
    # One library image per distinct file (the demo's market is on a news item and a
    # municipality), named after an item; nothing copied, nothing lost.
    assert Image.objects.count() == len(files)
    for name, content in files.items():
        assert Path(settings.MEDIA_ROOT, name).read_bytes() == content
    assert stored_files() == stored  # no copy made, none removed

    # The pages show them: their renditions made (as a deploy does after migrating), the old
    # public address of each file still the file.
    call_command("make_renditions", verbosity=0)
    client = Client()
    for label, pk in shown:
        model = {"news.NewsItem": NewsItem, "partners.Municipality": Municipality}[label]
        item = model.objects.select_related("image").get(pk=pk)
        page = markup(client.get(item.get_absolute_url()))
        assert "<picture>" in page
        assert f'alt="{item.image.alt_en}"' in page
        src = page.split('<img src="', 1)[1].split('"', 1)[0]
        assert Path(settings.MEDIA_ROOT, src.removeprefix(settings.MEDIA_URL)).exists()
        assert (item.image.file.url) == settings.MEDIA_URL + item.image.file.name


def test_a_version_saved_before_the_move_restores_its_image(before_the_move):
    apps, shown = before_the_move
    OldNewsItem = apps.get_model("news", "NewsItem")
    item = OldNewsItem.objects.exclude(image="").first()
    assert item is not None
    # An older picture, still on disk (cleanup_files keeps what a version names), shown in a
    # version saved a month ago, with its alt text then.
    default_storage.save(OLD_PICTURE, ContentFile(image_bytes((400, 300))))
    version = old_version(
        apps,
        item,
        image=OLD_PICTURE,
        image_width=400,
        image_height=300,
        image_alt="An older picture of the market",
        image_alt_en="An older picture of the market",
        image_alt_fr="Une photo plus ancienne du marché",
    )
    current_file = item.image.name
    # A version that names a file gone from disk: restores without an image.
    lost = old_version(apps, item, image="news/images/2014/lost.png", image_alt_en="Lost")
    # A pending draft of the live item, saved before the move, with a new picture it uploaded.
    Draft = apps.get_model("editorial", "Draft")
    ContentType = apps.get_model("contenttypes", "ContentType")
    draft = Draft.objects.create(
        content_type=ContentType.objects.get(app_label="news", model="newsitem"),
        object_id=str(item.pk),
        data={
            "fields": {
                "title_en": "A new title",
                "image": OLD_PICTURE,
                "image_width": 400,
                "image_height": 300,
                "image_alt_en": "An older picture of the market",
            },
            "m2m": {},
            "inlines": {},
            "uploads": [OLD_PICTURE],
        },
    )

    migrate_to_latest()

    data = json.loads(Version.objects.get(pk=version.pk).serialized_data)[0]["fields"]
    older = Image.objects.get(file=OLD_PICTURE)
    assert data["image"] == older.pk
    assert not any(key.startswith("image_") for key in data)
    assert older.alt_en == "An older picture of the market"
    assert older.alt_fr == "Une photo plus ancienne du marché"
    assert (older.width, older.height) == (400, 300)
    assert json.loads(Version.objects.get(pk=lost.pk).serialized_data)[0]["fields"]["image"] is None

    live = NewsItem.objects.get(pk=item.pk)
    assert live.image.file.name == current_file
    Version.objects.get(pk=version.pk).revert()
    restored = NewsItem.objects.select_related("image").get(pk=item.pk)
    assert restored.image == older
    assert restored.image.file.name == OLD_PICTURE

    from editorial.models import Draft as LiveDraft

    fields = LiveDraft.objects.get(pk=draft.pk).data["fields"]
    assert fields["image_id"] == older.pk
    assert "image" not in fields and "image_alt_en" not in fields
    assert LiveDraft.objects.get(pk=draft.pk).data["uploads"] == []  # the library's file now


def test_backwards_and_forwards_again_leaves_the_same_images(before_the_move):
    """Migrating back (items get their files again) keeps the library images; forwards again
    points the items at the same ones, no duplicates."""
    apps, shown = before_the_move
    count = apps.get_model("library", "Image").objects.count()

    migrate_to_latest()

    assert Image.objects.count() == count
    for (label, pk), (name, *_alts) in shown.items():
        model = {"news.NewsItem": NewsItem, "partners.Municipality": Municipality}[label]
        assert model.objects.get(pk=pk).image.file.name == name
