# Every municipality's image becomes a library image: one per distinct stored file, the same file
# (nothing copied or removed), titled with its name, with its alt text in each language; saved
# versions and pending drafts are rewritten to match (files/move_to_library.py). In its own
# migration: PostgreSQL refuses to alter a table in the transaction that updated its rows.

from django.db import migrations

from files.move_to_library import move_images, move_images_back


def title_of(fields):
    return fields.get("name") or ""


def forwards(apps, schema_editor):
    move_images(apps, "partners", "municipality", title_of)


def backwards(apps, schema_editor):
    move_images_back(apps, "partners", "municipality")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('editorial', '0001_initial'),
        ('library', '0003_roles'),
        ('partners', '0009_library_image'),
        ('reversion', '0002_add_index_on_version_for_content_type_and_db'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
