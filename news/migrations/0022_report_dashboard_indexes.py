# The dashboard's "Reports missing a summary or alt text" at 100,000 items (issue 20): with none
# missing it read every report (about 70 ms for its count, as long for its list). Each arm of its
# condition (news/dashboard.py incomplete_report_q) now has a partial index: the reports without
# an English summary, in the list's order, and the reports by image (looked up with the few
# images that have no alt text). Plain SQL: both databases make partial indexes the same way.

from django.db import migrations

INDEXES = {
    "news_newsitem_report_summary": (
        "news_newsitem (published_at DESC, id DESC) "
        "WHERE kind = 'report' AND (summary_en IS NULL OR summary_en = '')"
    ),
    "news_newsitem_report_image": "news_newsitem (image_id) WHERE kind = 'report'",
}


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0021_admin_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {target}", f"DROP INDEX IF EXISTS {name}"
        )
        for name, target in INDEXES.items()
    ]
