# Indexes for the admin and the lists at 100,000 items (issue 20). Written as SQL, outside the
# models' state: the trigram indexes exist on PostgreSQL only, and the others are plain B-trees
# that both databases make the same way.
#
# - news_newsitem_order: the order of the admin's list and of the public news list
#   (-published_at, -id; news.views relies on it), and the year filter's first and last dates.
# - news_newsitem_updated: the dashboard's lists by last change (needing translation) and
#   their bounded counts; news_newsitem_drafts, _members, _reports: its drafts, members-only
#   items and reports (small parts of the table, listed and counted from their own index).
# - news_*_trgm: a piece of a title or an address in the admin's search (ILIKE '%…%'), with
#   pg_trgm (created here if the search app's migration has not).
# - news_alertdelivery_order: the alert emails' list, newest first; news_newsitem_alerted: its
#   filter's latest items whose alerts went out.

from django.db import migrations

BTREE = {
    "news_newsitem_order": "news_newsitem (published_at DESC, id DESC)",
    "news_newsitem_updated": "news_newsitem (updated_at DESC, id DESC)",
    "news_newsitem_drafts": "news_newsitem (updated_at DESC, id DESC) WHERE NOT is_published",
    "news_newsitem_members": "news_newsitem (published_at DESC, id DESC) WHERE is_members_only",
    "news_newsitem_reports": "news_newsitem (published_at DESC, id DESC) WHERE kind = 'report'",
    "news_alertdelivery_order": "news_alertdelivery (created_at DESC, id DESC)",
    "news_newsitem_alerted": (
        "news_newsitem (alerts_queued_at DESC, id DESC) WHERE alerts_queued_at IS NOT NULL"
    ),
}
TRIGRAM = {
    "news_title_en_trgm": "title_en",
    "news_title_fr_trgm": "title_fr",
    "news_title_km_trgm": "title_km",
    "news_slug_trgm": "slug",
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Not Django's TrigramExtension(): undone, it would drop pg_trgm, which the search words'
    # index (search 0001) still needs, and it asks pg_extension even on SQLite.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON news_newsitem USING gin ({column} gin_trgm_ops)"
        )


def remove_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0020_khmer_search_vectors"),
    ]

    operations = [
        *(
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} ON {target}",
                f"DROP INDEX IF EXISTS {name}",
            )
            for name, target in BTREE.items()
        ),
        migrations.RunPython(add_trigram_indexes, remove_trigram_indexes),
    ]
