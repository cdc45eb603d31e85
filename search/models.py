"""The site's own words, for "Did you mean …?" (search/words.py).

Filled from the published text that anyone may read (`manage.py rebuild_search_words`, and a
task queued whenever something is published or unpublished): a word a visitor may not read is
never suggested to them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.postgres import PostgresGinIndex


class Word(models.Model):
    """A word of the site's public text in one language, and how often it occurs."""

    text = models.CharField(_("word"), max_length=60)
    language = models.CharField(_("language"), max_length=10)
    count = models.PositiveIntegerField(_("occurrences"), default=0)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        ordering = ["-count", "text"]
        constraints = [
            models.UniqueConstraint(fields=["text", "language"], name="search_word_unique")
        ]
        indexes = [
            # Near matches by trigram similarity (pg_trgm's `%`) on PostgreSQL.
            PostgresGinIndex(fields=["text"], opclasses=["gin_trgm_ops"], name="search_word_trgm"),
        ]

    def __str__(self):
        return self.text
