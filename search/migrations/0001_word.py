from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

import core.postgres


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        # pg_trgm for the word suggestions; Django's CreateExtension does nothing on SQLite.
        TrigramExtension(),
        migrations.CreateModel(
            name="Word",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.CharField(max_length=60, verbose_name="word")),
                ("language", models.CharField(max_length=10, verbose_name="language")),
                (
                    "count",
                    models.PositiveIntegerField(default=0, verbose_name="occurrences"),
                ),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
                "ordering": ["-count", "text"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("text", "language"), name="search_word_unique"
                    )
                ],
                "indexes": [
                    core.postgres.PostgresGinIndex(
                        fields=["text"], name="search_word_trgm", opclasses=["gin_trgm_ops"]
                    )
                ],
            },
        ),
    ]
