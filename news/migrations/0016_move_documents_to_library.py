# Every report PDF (in each language) and article copy becomes a library document: one per
# stored file, the same file in the private storage (nothing copied or removed), titled after
# the item, with its language, pages, size, text and first page; the items offer them in the
# same order, and saved versions and pending drafts are rewritten to match
# (news/move_documents.py). In its own migration: PostgreSQL refuses to alter a table in the
# transaction that updated its rows.

from django.db import migrations

from news.move_documents import move_documents, move_documents_back


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('editorial', '0001_initial'),
        ('library', '0003_roles'),
        ('news', '0015_item_documents'),
        ('reversion', '0002_add_index_on_version_for_content_type_and_db'),
    ]

    operations = [
        migrations.RunPython(move_documents, move_documents_back),
    ]
