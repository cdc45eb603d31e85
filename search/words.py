"""The lexicon of "Did you mean …?": the words of the published text anyone may read, per
language (search.models.Word), and the nearest of them to a word that finds nothing.

- Built in full by `rebuild()` (`manage.py rebuild_search_words`, which `make migrate` runs, and
  the `rebuild_words` task queued whenever something is unpublished or expires): every row is
  streamed, never all loaded.
- Added to when something is published (the `add_item_words` task, queued by `queue_update`):
  only that row's words are counted and added, so a publish costs the same at 100,000 items as
  at 10. Its words are counted again if it is published again, and words an edit took out stay
  until the next full rebuild: the counts only order suggestions, and a leftover word still
  finds nothing wrong (the search runs on the text itself).
- Near words: on PostgreSQL pg_trgm's similarity (`%`, the GIN trigram index), on SQLite the
  words with the same first letter and about the same length; both then ranked with difflib.
"""

import difflib
import re
from collections import Counter

from django.apps import apps
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Value
from django.db.models.functions import Length
from django.utils import timezone
from django_tasks import task

from core.publishing import unpublished
from core.translated import column, languages
from news.models import NewsItem
from pages.models import ProgramPage
from partners.models import Municipality

from . import khmer
from .engines import plain_text
from .models import Word

# Words shorter than this are not worth suggesting; longer ones are not words.
MIN_LENGTH, MAX_LENGTH = 2, 60
# How many words to correct in one query, and candidates to rank for each.
MAX_WORDS = 5
CANDIDATES = 20
# How close a suggestion must be (difflib's ratio: 1.0 is the same word).
CUTOFF = 0.7
BATCH = 1000
_DIGITS = re.compile(r"\d+")

# The fields anyone may read, per model (a members-only news item's body is for members).
PUBLIC_FIELDS = {
    NewsItem: ("title", "summary"),
    ProgramPage: ("title", "summary", "body", "points_intro", "closing"),
    Municipality: ("summary", "description"),
}


class TrigramMatch(Func):
    """SQL: `text % word`, pg_trgm's similarity above pg_trgm.similarity_threshold, which the
    trigram index serves (django.contrib.postgres's lookup needs that app installed)."""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def words_of(text):
    """The casefolded words of plain text or HTML worth keeping (Khmer split into words)."""
    return [
        word
        for word in khmer.words(plain_text(text))
        if MIN_LENGTH <= len(word) <= MAX_LENGTH and not _DIGITS.fullmatch(word)
    ]


def _count(counts, rows):
    for lang, texts in rows:
        for text in texts:
            for word in words_of(text):
                counts[word, lang] += 1


def public_texts(querysets=None):
    """(language, texts) of every published row (or of the rows of `querysets`, published ones
    only), as anyone may read them, streamed."""
    if querysets is None:
        querysets = [model.objects.all() for model in PUBLIC_FIELDS]
    for queryset in querysets:
        model = queryset.model
        fields = PUBLIC_FIELDS[model]
        names = [column(field, lang) for field in fields for lang in languages()]
        extra = ["name", "region"] if model is Municipality else []
        if model is NewsItem:
            names += [column("body", lang) for lang in languages()]
            extra = ["is_members_only"]
        rows = queryset.published().values(*names, *extra).iterator(chunk_size=BATCH)
        for row in rows:
            for lang in languages():
                texts = [row[column(field, lang)] for field in fields]
                if model is NewsItem and not row["is_members_only"]:
                    texts.append(row[column("body", lang)])
                yield lang, [text for text in texts if text]
            if model is Municipality:
                yield "en", [row["name"], row["region"]]


def rebuild():
    """Replace the lexicon with the words of what is published now. Returns its size."""
    counts = Counter()
    _count(counts, public_texts())
    with transaction.atomic():
        Word.objects.all().delete()
        Word.objects.bulk_create(
            (Word(text=text, language=lang, count=n) for (text, lang), n in counts.items()),
            batch_size=BATCH,
        )
    return len(counts)


def add(queryset):
    """Add the words of the published rows of `queryset` to the lexicon (their counts to the
    words it has). Returns how many words were new."""
    counts = Counter()
    _count(counts, public_texts([queryset]))
    if not counts:
        return 0
    with transaction.atomic():
        known = Word.objects.select_for_update().filter(text__in={text for text, _lang in counts})
        changed = []
        for word in known:
            added = counts.pop((word.text, word.language), 0)
            if added:
                word.count += added
                changed.append(word)
        Word.objects.bulk_update(changed, ["count"], batch_size=BATCH)
        Word.objects.bulk_create(
            (Word(text=text, language=lang, count=n) for (text, lang), n in counts.items()),
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    return len(counts)


@task()
def rebuild_words():
    rebuild()


@task()
def add_item_words(model_label, pk):
    """Add one published row's words (nothing if it is not published when the task runs)."""
    add(apps.get_model(model_label)._default_manager.filter(pk=pk))


def queue_update(sender, item, signal, **kwargs):
    """After a publish or unpublish (core.publishing's signals), once the change is committed:
    a published row's words are added, now and again when its scheduled time comes (the
    task adds nothing for a row not yet public); an unpublished or expiring row's words go
    with a full rebuild (unpublishing is rare, and other rows may use the same words)."""
    now = timezone.now()
    if signal is unpublished:
        _enqueue(rebuild_words)
        return
    label = item._meta.label
    _enqueue(add_item_words, label, item.pk)
    published_at = getattr(item, "published_at", None)
    if published_at is not None and published_at > now:
        _enqueue(add_item_words, label, item.pk, when=published_at)
    unpublish_at = getattr(item, "unpublish_at", None)
    if unpublish_at is not None and unpublish_at > now:
        _enqueue(rebuild_words, when=unpublish_at)


def _enqueue(job, *args, when=None):
    transaction.on_commit(lambda: job.using(run_after=when).enqueue(*args))


def nearest(word):
    """The lexicon's word nearest to `word`, or None."""
    if connection.vendor == "postgresql":
        candidates = (
            Word.objects.filter(TrigramMatch(F("text"), Value(word)))
            .annotate(similarity=TrigramSimilarity("text", word))
            .order_by("-similarity", "-count")
        )
    else:
        size = len(word)
        candidates = (
            Word.objects.annotate(size=Length("text"))
            .filter(text__startswith=word[0], size__gte=size - 2, size__lte=size + 2)
            .order_by("-count")
        )
    found = list(candidates.values_list("text", "count")[:CANDIDATES])
    scored = [
        (difflib.SequenceMatcher(None, word, text).ratio(), count, text) for text, count in found
    ]
    best = max((entry for entry in scored if entry[0] >= CUTOFF), default=None)
    return best[2] if best else None


def suggestion(query_words):
    """{word: its nearest known word} for the words of a query the lexicon does not have."""
    wanted = list(dict.fromkeys(word.casefold() for word in query_words))
    known = set(Word.objects.filter(text__in=wanted).values_list("text", flat=True).distinct())
    unknown = [word for word in wanted if word not in known and len(word) >= MIN_LENGTH]
    corrections = {}
    for word in unknown[:MAX_WORDS]:
        near = nearest(word)
        if near and near != word:
            corrections[word] = near
    return corrections
