"""Khmer text as words, for the site search (the API the search uses: search/khmer.py).

Khmer is written without spaces between words, so PostgreSQL's text search (which splits text at
spaces and punctuation) would take a whole phrase for one word. ICU's word break iterator has a
Khmer dictionary: `segment` splits every Khmer run into its words, and the content apps keep the
result in stored columns (`KhmerWordsField`: `km_words`, `km_body_words`), filled whenever a row
is saved, which PostgreSQL's generated columns turn into tsvectors with the 'simple'
configuration (no stemming, no stop words: KHMER_CONFIG).

In the core because the content apps' models and migrations use it (the words columns), and the
core imports no app."""

import html
import re
import threading

import icu
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import migrations, models

from core.postgres import PostgresGinIndex, PostgresOnly

# PostgreSQL's text search configuration for the stored Khmer words: they are words already.
KHMER_CONFIG = "simple"

# The Khmer and Khmer Symbols blocks.
KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")

# Sanitised HTML (core.html) as text: the inline tags go (a bold part of a word stays in the
# word), the others separate words (paragraphs, list items, line breaks).
_INLINE_TAG = re.compile(r"</?(a|b|em|i|strong)(\s[^>]*)?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")

_local = threading.local()


def _word_breaker():
    """ICU's word BreakIterator for Khmer, one per thread (an iterator holds the text it walks,
    so it cannot be shared)."""
    breaker = getattr(_local, "breaker", None)
    if breaker is None:
        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale("km"))
    return breaker


def has_khmer(text):
    """Whether `text` has a Khmer character."""
    return bool(text) and KHMER.search(text) is not None


def words(text):
    """The words of `text`, in order: each Khmer run split by ICU's dictionary, other words as
    ICU's word rules find them (Unicode's word boundaries), all casefolded; spaces, punctuation
    (។ ៕ ៖, commas…) and symbols dropped."""
    if not text:
        return []
    breaker = _word_breaker()
    breaker.setText(text)
    found = []
    start = breaker.first()
    for end in breaker:
        piece = text[start:end]
        start = end
        # A word has a letter or a digit; the rest (spaces, ។, «, ៗ) separates words.
        if any(char.isalnum() for char in piece):
            found.append(piece.casefold())
    return found


def html_text(value):
    """The text of HTML: inline tags dropped, other tags made spaces, entities read."""
    return html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", value or "")))


def segment(text):
    """`text` as its words (see `words`), separated by single spaces."""
    return " ".join(words(text))


def words_column(*texts):
    """The stored form of the words of `texts` (plain text or HTML: tags are dropped, entities
    read): " word word … " with a space before, between and after the words, so that a word can
    be found in it with LIKE '% word %' as well as by the text search; "" when there are no
    words (not " ")."""
    found = []
    for text in texts:
        if text:
            found += words(html_text(text))
    return f" {' '.join(found)} " if found else ""


class KhmerWordsField(models.TextField):
    """The words of a row's Khmer texts (`words_column`), computed whenever the row is written:
    save() (the admin, drafts published, imports, publish()) and bulk_create(). `sources` names
    the row's attributes to read, in order; a callable attribute (a method) is called, for text
    kept in other rows (a program page's points). A queryset's update() or bulk_update() of the
    texts does not refresh it: `manage.py segment_khmer` does.

    Migrations see a plain TextField (deconstruct), so that the field's class and its sources
    can change without a migration."""

    def __init__(self, *args, sources=(), **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        self.sources = tuple(sources)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs

    def words_of(self, instance):
        texts = []
        for source in self.sources:
            value = getattr(instance, source)
            texts.append(value() if callable(value) else value)
        return words_column(*texts)

    def pre_save(self, instance, add):
        value = self.words_of(instance)
        setattr(instance, self.attname, value)
        return value


def khmer_words_fields(model):
    """The model's KhmerWordsFields."""
    return [field for field in model._meta.concrete_fields if isinstance(field, KhmerWordsField)]


def with_khmer_words(update_fields, model):
    """`update_fields` (a save()'s) with the model's Khmer words columns when it names one of
    their sources, so that save(update_fields=["title_km"]) refreshes km_words too; None
    stays None (every field)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in khmer_words_fields(model):
        if names & set(field.sources):
            names.add(field.name)
    return names


def khmer_search_vector_field():
    """A generated column on PostgreSQL (NULL on SQLite): the vector of a row's Khmer words,
    `km_words` weighted A and `km_body_words` C. (News items have their own, which leave a
    members-only body to members: news.models.search_vector_field.)"""
    return models.GeneratedField(
        expression=PostgresOnly(
            SearchVector("km_words", weight="A", config=KHMER_CONFIG)
            + SearchVector("km_body_words", weight="C", config=KHMER_CONFIG)
        ),
        output_field=SearchVectorField(),
        db_persist=True,
        serialize=False,
    )


class WithoutKhmerVectorManager(models.Manager):
    """A manager that loads rows without their `search_km` vector (only the search reads it, in
    SQL)."""

    def get_queryset(self):
        return super().get_queryset().defer("search_km")


def refresh_khmer_words(model, batch=500):
    """Make the model's Khmer words columns again for every row (after a change to the words'
    rules, ICU's dictionary, or a queryset update() of Khmer texts), streamed in batches; only
    the rows whose words changed are written (bulk_update: the rows' updated dates stay).
    Returns how many rows changed."""
    fields = khmer_words_fields(model)
    names = {field.name for field in model._meta.concrete_fields}
    loaded = {"pk"} | {field.name for field in fields}
    loaded |= {source for field in fields for source in field.sources if source in names}
    rows = model._base_manager.order_by("pk").only(*loaded)
    changed, pending = 0, []
    for row in rows.iterator(chunk_size=batch):
        before = [getattr(row, field.attname) for field in fields]
        after = [field.words_of(row) for field in fields]
        if after != before:
            for field, value in zip(fields, after, strict=True):
                setattr(row, field.attname, value)
            pending.append(row)
        if len(pending) >= batch:
            model._base_manager.bulk_update(pending, [field.name for field in fields])
            changed, pending = changed + len(pending), []
    if pending:
        model._base_manager.bulk_update(pending, [field.name for field in fields])
    return changed + len(pending)


# For the migrations that added the Khmer words (news 0019 and 0020, pages 0010 and 0011,
# partners 0012 and 0013): they use only the historical models they are given and the operations
# they return. What these do must never change (the migrations' effect would change with it): a
# later change of the columns gets its own migration, and its own function here if needed.

MIGRATION_BATCH = 200


def words_columns(model_name):
    """The AddField operations of a model's `km_words` and `km_body_words` columns."""
    return [
        migrations.AddField(
            model_name=model_name,
            name=name,
            field=models.TextField(blank=True, default="", editable=False),
        )
        for name in ("km_words", "km_body_words")
    ]


def fill_words_columns(model, words_of, body_words_of):
    """Fill `km_words` with words_of(row) and `km_body_words` with body_words_of(row) for every
    row of `model` (a historical model, from apps.get_model), MIGRATION_BATCH rows at a time."""
    rows = []
    for row in model._base_manager.order_by().iterator(chunk_size=MIGRATION_BATCH):
        row.km_words = words_of(row)
        row.km_body_words = body_words_of(row)
        rows.append(row)
        if len(rows) == MIGRATION_BATCH:
            model._base_manager.bulk_update(rows, ["km_words", "km_body_words"])
            rows = []
    model._base_manager.bulk_update(rows, ["km_words", "km_body_words"])


def words_vector(body):
    """The vector of a row's Khmer words: `km_words` weighted A, `body` (a column's name or an
    expression) C."""
    return SearchVector("km_words", config=KHMER_CONFIG, weight="A") + SearchVector(
        body, config=KHMER_CONFIG, weight="C"
    )


def search_km_column(model_name, index_name):
    """The operations adding a model's `search_km` column (words_vector of `km_body_words`,
    generated on PostgreSQL, NULL on SQLite) and its GIN index `index_name`."""
    return [
        migrations.AddField(
            model_name=model_name,
            name="search_km",
            field=models.GeneratedField(
                db_persist=True,
                expression=PostgresOnly(words_vector("km_body_words")),
                output_field=SearchVectorField(),
                serialize=False,
            ),
        ),
        migrations.AddIndex(
            model_name=model_name,
            index=PostgresGinIndex(fields=["search_km"], name=index_name),
        ),
    ]
