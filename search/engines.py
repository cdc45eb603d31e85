"""The site search: what it searches, how, and the snippet shown with each result.

Published news items (title, summary, body and the text of the documents they offer), published
program pages (title, summary, body, points, closing text) and published municipalities (name,
province, summary, description) are searched together and ranked in one list.

- On PostgreSQL: full-text search with the English configuration (stemming, stop words),
  `websearch_to_tsquery` syntax ("a phrase", -word, or), ts_rank ranking with weights (title,
  then summary, then body, then the documents) and ts_headline snippets. News items are matched
  through the vectors stored in them (`news.models.search_vector`) and their GIN indexes.
- On SQLite (development, the default test run): every word must appear in some field
  (case-insensitive substring match, a "quoted phrase" counts as one word), ranked by matches in
  the title and summary, with a snippet around the first match.

Every language's text is searched, whatever the page's language: "femmes" finds the items whose
French text has it from /en/ too. Results show the texts in the reader's language, or in English
marked with `lang="en"`; a result that matched only in another language's text (neither the
reader's nor English, nor a document's) says "Found in the French text" and its snippet is
that text's, marked with its `lang`. On PostgreSQL each language is matched with its own
vectors (English and French configurations; for news items the stored, GIN-indexed ones) and
the ranks are summed.

Khmer is written without spaces between words: search.khmer (ICU's dictionary) splits it into
words when content is saved, into the columns km_words (title and summary) and km_body_words
(body), and on PostgreSQL into 'simple' tsvectors (search_public_km/search_members_km on news
items, search_km on program pages and municipalities). A Khmer query is split the same way and
each of its words must be a word there (on SQLite " word " in the columns): a piece of a
longer word does not match unless it is a word there. Khmer snippets are made in Python,
around the first match in the Khmer text.

What a visitor may not read is not searched for them: the body and documents' text of a
members-only item, and the text of a document marked members only (news.models keeps the
documents' text in the item's row: `documents_text`, `members_documents_text`).

Bounded (issue 20): results are counted no further than count_cap() (MPED_SEARCH_COUNT_CAP,
1,000: "More than 1,000 results"), and PostgreSQL ranks only the newest candidates_limit()
matching rows of each kind (MPED_SEARCH_CANDIDATES, more than the cap), found through the GIN
indexes: ranking reads each ranked row's vectors, so a word in every item must not rank them
all. Within the cap the results and count are those of an unbounded search; past it, the best
of the newest rows come first.

Queries: on SQLite one to count the results (up to the cap) and one for the page's (kind, id,
rank) rows; on PostgreSQL one for the ranked candidates (their number is the count); and one
per kind of result on the page to load them with their snippets and the languages they matched
in — never one per result. When nothing matches, search.words suggests the nearest of the site's
words (search/views.py).
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from itertools import chain
from operator import and_, or_

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    DateTimeField,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Left, NullIf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core.translated import (
    DEFAULT_LANGUAGE,
    Translated,
    column,
    columns,
    content_languages,
    language_name,
    languages,
    translated,
)
from news.models import (
    MEMBERS_ONLY_BODY,
    SEARCH_CONFIGS,
    NewsItem,
    body_visible_to,
    documents_text_visible_to,
)
from pages.models import PagePoint, ProgramPage
from partners.models import Municipality

from . import khmer

MAX_QUERY_LENGTH = 200


def count_cap():
    """How far results are counted: beyond it the page says "more than" (MPED_SEARCH_COUNT_CAP),
    and the pages go no further."""
    return getattr(settings, "MPED_SEARCH_COUNT_CAP", 1000)


def candidates_limit():
    """How many matching rows of each kind PostgreSQL ranks, the newest
    (MPED_SEARCH_CANDIDATES); always more than the count's cap, so that the candidates' number
    is the count (exact up to the cap) and every page of the results is full."""
    return max(getattr(settings, "MPED_SEARCH_CANDIDATES", 1000), count_cap() + 1)


# Words looked for on SQLite; the rest of a very wordy query is ignored.
MAX_TERMS = 20
# How much of the documents' text ts_headline reads for a snippet (it parses all it is given).
HEADLINE_DOCUMENTS_CHARS = 50_000
# Characters around the first match in a SQLite snippet.
SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 240

# Private-use characters that mark matches in ts_headline's output; the snippet is then escaped
# as a whole and only these become <mark> tags. (files.pdfs keeps them out of PDF text.)
MARK_START = "\ue000"
MARK_STOP = "\ue001"

NEWS, PAGE, PARTNER = "news", "page", "partner"
KHMER = "km"
# How a column's matches count on SQLite (a title's most).
TITLE, SUMMARY, PLAIN, RICH = "title", "summary", "plain", "rich"

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
# A letter or digit, or one of Khmer's vowel signs and other combining marks (which \w leaves
# out, and without which a Khmer word falls apart).
_LETTER = r"(?:[^\W_]|[\u17b4-\u17d3\u17dd])"
_WORD = rf"{_LETTER}+(?:['’]{_LETTER}+)*"
_PHRASE_OR_WORD = re.compile(rf'"([^"]*)"|({_WORD})')
# Tags inside a line of text (bold, italic, links) go without a trace; others leave a space.
INLINE_TAG = r"</?(a|b|em|i|strong)(\s[^>]*)?>"
_INLINE_TAG = re.compile(INLINE_TAG, re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def clean_query(raw):
    """The query as typed, without control characters (a NUL byte cannot even reach
    PostgreSQL) and with its spaces collapsed."""
    return " ".join(_CONTROL_CHARACTERS.sub(" ", raw).split())


def terms_of(query):
    """The words (and "quoted phrases") of a query, for the SQLite search: letters and digits,
    apostrophes inside words; punctuation, % and _ are not words."""
    terms = []
    for phrase, word in _PHRASE_OR_WORD.findall(query):
        term = " ".join(re.findall(_WORD, phrase)) if phrase else word
        if term and term.casefold() not in {t.casefold() for t in terms}:
            terms.append(term)
    return terms[:MAX_TERMS]


def plain_text(value):
    """The text of sanitised HTML (core.html): tags become spaces, entities characters."""
    return html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", value or "")))


class StripTags(Func):
    """SQL: the text of HTML, as `plain_text` but for entities (for ts_headline, which must not
    cut a tag in two)."""

    template = (
        f"REGEXP_REPLACE(REGEXP_REPLACE(%(expressions)s, '{INLINE_TAG}', '', 'gi'), "
        "'<[^>]*>', ' ', 'g')"
    )
    output_field = TextField()


class JoinText(Aggregate):
    """The texts of a group joined with spaces: STRING_AGG on PostgreSQL, GROUP_CONCAT on
    SQLite."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(" "), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def points_text(lang=DEFAULT_LANGUAGE):
    """A program page's points in `lang`, joined (one subquery, not a query per page)."""
    points = (
        PagePoint.objects.filter(page=OuterRef("pk"))
        .order_by()
        .values("page")
        .annotate(joined=JoinText(Coalesce(column("text", lang), Value(""))))
        .values("joined")
    )
    return Coalesce(Subquery(points), Value(""), output_field=TextField())


def first_text(*expressions):
    """SQL: the first of `expressions` that is not empty (a text in the reader's language, else
    in English)."""
    if len(expressions) == 1:
        return Coalesce(expressions[0], Value(""), output_field=TextField())
    return Coalesce(
        *(NullIf(expression, Value("")) for expression in expressions),
        Value(""),
        output_field=TextField(),
    )


@dataclass
class Hit:
    """One result as the template shows it."""

    kind: str  # for the label's class: report, press, news, page, partner
    label: str
    title: str
    url: str
    snippet: SafeString
    date: datetime | None = None
    place: str = ""
    members_only: bool = False
    # The language of the title and of the snippet when it is not the page's: the English
    # text of what is not yet translated.
    title_lang: str = ""
    snippet_lang: str = ""
    # The language of the text that matched, when only another language's text did.
    found_lang: str = ""

    @property
    def found_note(self):
        if not self.found_lang:
            return ""
        return _("Found in the %(language)s text") % {"language": language_name(self.found_lang)}

    @property
    def shown_title(self):
        """The title, marked as English with its note when it is not yet translated."""
        return Translated(self.title, self.title_lang, missing=bool(self.title_lang))


def fallback_lang(obj, field):
    """The language of `obj`'s `field` as the reader sees it, if it is a fallback."""
    shown = translated(obj, field)
    return shown.lang if shown.missing else ""


# Snippets ---------------------------------------------------------------------------------------


def headline_html(headline):
    """Safe HTML from ts_headline's output: the text escaped, the matches (between MARK_START
    and MARK_STOP) in <mark>. Whatever the text or the query, only <mark> tags come out."""
    parts, inside = [], False
    for piece in re.split(f"([{MARK_START}{MARK_STOP}])", headline or ""):
        if piece == MARK_START:
            if not inside:
                parts.append("<mark>")
                inside = True
        elif piece == MARK_STOP:
            if inside:
                parts.append("</mark>")
                inside = False
        else:
            parts.append(escape(html.unescape(piece)))
    if inside:
        parts.append("</mark>")
    return mark_safe(" ".join("".join(parts).split()))  # noqa: S308 - escaped above


def plain_snippet(texts, terms):
    """Safe HTML: the text around the first match of any term, escaped, each match in <mark>;
    the start of the text when nothing matches there (the match was in the title)."""
    text = " ".join(" ".join(text for text in texts if text).split())
    if not text:
        return mark_safe("")
    if not terms:
        return mark_safe(escape(Truncator(text).chars(SNIPPET_LENGTH)))  # noqa: S308 - escaped
    pattern = re.compile(
        "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )
    first = pattern.search(text)
    start = 0
    if first and first.start() > SNIPPET_BEFORE:
        start = text.find(" ", first.start() - SNIPPET_BEFORE, first.start()) + 1 or (
            first.start() - SNIPPET_BEFORE
        )
    end = start + SNIPPET_LENGTH
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    else:
        end = len(text)
    window = text[start:end]
    parts, last = [], 0
    for match in pattern.finditer(window):
        parts += [escape(window[last : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        last = match.end()
    parts.append(escape(window[last:]))
    return mark_safe(  # noqa: S308 - every piece of text is escaped
        ("… " if start else "") + "".join(parts) + (" …" if end < len(text) else "")
    )


# The engines ------------------------------------------------------------------------------------


class Engine:
    """A search for `query` by a reader who may (`members`) or may not read members' content.

    `rows()` is a queryset of (kind, id, rank, date) tuples, best first, to paginate;
    `count(cap)` counts them no further than `cap` + 1; `hits(rows)` loads the results of one
    page. `bounded`: `rows()` has at most candidates_limit() rows of each kind (so their number
    is the count up to the cap)."""

    bounded = False

    def __init__(self, query, *, members):
        self.query = query
        self.members = members
        # The languages results are shown in: the reader's, then English.
        self.languages = content_languages()
        # Every language's text is searched: a result found only in one of these says so.
        self.other_languages = [lang for lang in languages() if lang not in self.languages]
        terms = terms_of(query)
        self.terms = [term for term in terms if not khmer.has_khmer(term)]
        # Khmer is matched as words (search.khmer): each must be a word of the Khmer text.
        khmer_words = (khmer.words(term) for term in terms if khmer.has_khmer(term))
        self.khmer_words = list(dict.fromkeys(chain.from_iterable(khmer_words)))[:MAX_TERMS]
        # What snippets mark.
        self.marked = [*self.terms, *self.khmer_words]

    def has_words(self):
        return bool(self.terms or self.khmer_words)

    def rows(self):
        return self._ranked_rows(self.news(), self.pages(), self.partners())

    def _ranked_rows(self, news, pages, partners):
        news = self._rows(news, NEWS, F("published_at"))
        pages = self._rows(pages, PAGE, F("published_at"))
        partners = self._rows(partners, PARTNER, Value(None, DateTimeField()))
        return news.union(pages, partners, all=True).order_by(
            F("rank").desc(), F("date").desc(nulls_last=True), "kind_key", "ident"
        )

    def count(self, cap):
        """How many results there are, counted no further than `cap` + 1 (one query): a
        common word's every match is never counted."""
        keys = [
            queryset.order_by().annotate(kind_key=Value(key)).values_list("kind_key", "pk")
            for queryset, key in (
                (self.news(), NEWS),
                (self.pages(), PAGE),
                (self.partners(), PARTNER),
            )
        ]
        return keys[0].union(*keys[1:], all=True)[: cap + 1].count()

    def _rows(self, queryset, key, date):
        return (
            queryset.order_by()
            .annotate(kind_key=Value(key), ident=F("pk"), date=date)
            .values_list("kind_key", "ident", "rank", "date")
        )

    def hits(self, rows):
        ids = {NEWS: [], PAGE: [], PARTNER: []}
        for key, ident, _rank, _date in rows:
            ids[key].append(ident)
        found = {}
        if ids[NEWS]:
            found.update(self.news_hits(ids[NEWS]))
        if ids[PAGE]:
            found.update(self.page_hits(ids[PAGE]))
        if ids[PARTNER]:
            found.update(self.partner_hits(ids[PARTNER]))
        # A row deleted between the two queries is left out.
        return [found[key, ident] for key, ident, _rank, _date in rows if (key, ident) in found]

    def _other_columns(self, *fields):
        return [column(field, lang) for lang in self.other_languages for field in fields]

    def _with_found(self, queryset, kind):
        """The rows with `found_shown` (matched in a language shown) and `found_<lang>` for
        each other language."""
        queryset, shown, others = self.found_conditions(queryset, kind)

        def flag(condition):
            return Case(When(condition, then=Value(True)), default=Value(False))

        return queryset.annotate(
            found_shown=flag(shown),
            **{f"found_{lang}": flag(condition) for lang, condition in others.items()},
        )

    def _found_elsewhere(self, hit, obj, texts):
        """Mark `hit` as found in another language's text when it matched only there, with a
        snippet of that text (`texts(lang)`)."""
        if getattr(obj, "found_shown", True):
            return hit
        for lang in self.other_languages:
            if getattr(obj, f"found_{lang}", False):
                hit.found_lang = hit.snippet_lang = lang
                hit.snippet = plain_snippet(texts(lang), self.marked)
                break
        return hit

    def news_hits(self, ids):
        items = self._with_found(
            NewsItem.objects.filter(pk__in=ids)
            .order_by()
            .only(
                "kind",
                "title",
                "slug",
                "summary",
                "published_at",
                "is_members_only",
                *self._other_columns("summary", "body"),
            ),
            NEWS,
        )

        def texts(item):
            readable = self.members or not item.is_members_only
            return lambda lang: [
                getattr(item, column("summary", lang)),
                plain_text(getattr(item, column("body", lang))) if readable else "",
            ]

        return {
            (NEWS, item.pk): self._found_elsewhere(
                Hit(
                    kind=item.kind,
                    label=item.get_kind_display(),
                    title=item.title,
                    url=item.get_absolute_url(),
                    snippet=self.news_snippet(item),
                    date=item.published_at,
                    members_only=item.is_members_only,
                    title_lang=fallback_lang(item, "title"),
                    snippet_lang=fallback_lang(item, "summary"),
                ),
                item,
                texts(item),
            )
            for item in self.with_news_snippets(items)
        }

    def page_hits(self, ids):
        pages = self._with_found(
            ProgramPage.objects.filter(pk__in=ids)
            .order_by()
            .only(
                "title",
                "slug",
                "summary",
                *self._other_columns("summary", "body", "points_intro", "closing"),
            ),
            PAGE,
        )

        def texts(page):
            return lambda lang: [
                getattr(page, column("summary", lang)),
                plain_text(getattr(page, column("body", lang))),
                getattr(page, column("points_intro", lang)),
                plain_text(getattr(page, column("closing", lang))),
            ]

        return {
            (PAGE, page.pk): self._found_elsewhere(
                Hit(
                    kind=PAGE,
                    label=str(_("Program page")),
                    title=page.title,
                    url=page.get_absolute_url(),
                    snippet=self.page_snippet(page),
                    title_lang=fallback_lang(page, "title"),
                    snippet_lang=fallback_lang(page, "summary"),
                ),
                page,
                texts(page),
            )
            for page in self.with_page_snippets(pages)
        }

    def partner_hits(self, ids):
        partners = self._with_found(
            Municipality.objects.filter(pk__in=ids)
            .order_by()
            .only(
                "name",
                "slug",
                "country",
                "region",
                "summary",
                *self._other_columns("summary", "description"),
            ),
            PARTNER,
        )

        def texts(partner):
            return lambda lang: [
                getattr(partner, column("summary", lang)),
                plain_text(getattr(partner, column("description", lang))),
            ]

        return {
            (PARTNER, partner.pk): self._found_elsewhere(
                Hit(
                    kind=PARTNER,
                    label=str(_("Partner")),
                    title=partner.name,
                    url=partner.get_absolute_url(),
                    snippet=self.partner_snippet(partner),
                    place=", ".join(
                        part for part in (partner.region, partner.get_country_display()) if part
                    ),
                    snippet_lang=fallback_lang(partner, "summary"),
                ),
                partner,
                texts(partner),
            )
            for partner in self.with_partner_snippets(partners)
        }

    # Snippets made in Python (SQLite, and PostgreSQL for languages without full-text search):
    # the texts in the reader's language, else in English, around the first word found.

    def with_news_snippets(self, items):
        return items.annotate(
            body_text=first_text(*(body_visible_to(self.members, lang) for lang in self.languages)),
            documents_words=documents_text_visible_to(self.members),
        )

    def with_page_snippets(self, pages):
        return pages.annotate(
            body_text=first_text(*(F(name) for name in columns("body", self.languages))),
            points_words=first_text(*(points_text(lang) for lang in self.languages)),
            points_lead=first_text(*(F(name) for name in columns("points_intro", self.languages))),
            closing_text=first_text(*(F(name) for name in columns("closing", self.languages))),
        )

    def with_partner_snippets(self, partners):
        return partners.annotate(
            description_text=first_text(
                *(F(name) for name in columns("description", self.languages))
            )
        )

    def news_snippet(self, item):
        return plain_snippet(
            [item.summary, plain_text(item.body_text), item.documents_words or ""], self.marked
        )

    def page_snippet(self, page):
        texts = [page.summary, plain_text(page.body_text), page.points_lead, page.points_words]
        return plain_snippet([*texts, plain_text(page.closing_text)], self.marked)

    def partner_snippet(self, partner):
        return plain_snippet([partner.summary, plain_text(partner.description_text)], self.marked)

    def _body_allowed(self):
        """Where a visitor may search a news item's body: not in a members-only item."""
        return Q() if self.members else ~MEMBERS_ONLY_BODY

    def khmer_word_fields(self, kind):
        """The columns of Khmer words (search.khmer) and where the reader may search them."""
        body = self._body_allowed() if kind == NEWS else Q()
        return [("km_words", Q()), ("km_body_words", body)]


class PostgresEngine(Engine):
    """Full-text search in every language: English and French with their configurations,
    Khmer with the words stored by search.khmer (see the module's text)."""

    bounded = True

    def __init__(self, query, *, members):
        super().__init__(query, members=members)
        self.tsqueries = {
            lang: SearchQuery(query, search_type="websearch", config=SEARCH_CONFIGS[lang])
            for lang in languages()
            if lang in SEARCH_CONFIGS
        }
        if self.khmer_words:
            self.tsqueries[KHMER] = SearchQuery(
                khmer.segment(query), search_type="websearch", config=khmer.KHMER_CONFIG
            )
        # Snippets: ts_headline in the reader's language when it has full-text search.
        self.headline_language = self.languages[0] if self.languages[0] in SEARCH_CONFIGS else None

    def _combine(self, queryset, matches):
        """Rows that match in any language, ranked by the sum of their ranks."""
        conditions = [condition for condition, _rank in matches.values()]
        if not conditions:
            return queryset.none().annotate(rank=Value(0.0, FloatField()))
        return queryset.filter(reduce(or_, conditions)).annotate(rank=self._rank(matches))

    def _rank(self, matches):
        """The sum of each language's rank."""
        ranks = [Coalesce(rank, 0.0) for _condition, rank in matches.values()]
        return reduce(lambda a, b: a + b, ranks, Value(0.0, FloatField()))

    def _stored_match(self, lang, public, members=None):
        tsquery = self.tsqueries[lang]
        if members is None or not self.members:
            return Q(**{public: tsquery}), SearchRank(F(public), tsquery)
        # For members, the items with members-only content have a fuller vector.
        return (
            Q(**{public: tsquery}) | Q(**{members: tsquery}),
            SearchRank(Coalesce(F(members), F(public)), tsquery),
        )

    def _language_matches(self, queryset, kind, lang):
        """`queryset` and the (condition, rank) of a match of `kind`'s text in `lang`: through
        the vectors stored in the rows (GIN-indexed) where there are some, else through a
        vector computed in the query (annotated on `queryset`)."""
        if kind == NEWS:
            suffix = "" if lang == DEFAULT_LANGUAGE else f"_{lang}"
            return queryset, self._stored_match(
                lang, f"search_public{suffix}", f"search_members{suffix}"
            )
        if lang == KHMER or kind == PARTNER:
            # Municipalities: partners.models.search_vector_field.
            return queryset, self._stored_match(lang, f"search_{lang}")
        vector = self._page_vector(lang)
        name = f"search_{lang}"
        tsquery = self.tsqueries[lang]
        return queryset.annotate(**{name: vector}), (
            Q(**{name: tsquery}),
            SearchRank(vector, tsquery),
        )

    def _page_vector(self, lang):
        config = SEARCH_CONFIGS[lang]
        return (
            SearchVector(column("title", lang), weight="A", config=config)
            + SearchVector(column("summary", lang), weight="B", config=config)
            + SearchVector(
                column("body", lang),
                column("points_intro", lang),
                points_text(lang),
                column("closing", lang),
                weight="C",
                config=config,
            )
        )

    def _matches(self, queryset, kind):
        """`queryset` and {lang: (condition, rank)} for every language searched."""
        matches = {}
        for lang in self.tsqueries:
            queryset, matches[lang] = self._language_matches(queryset, kind, lang)
        return queryset, matches

    def rows(self):
        """The newest `candidates_limit()` matching rows of each kind, ranked: ranking reads
        every ranked row's vectors, so a word found in every item must not rank them all."""
        return self._ranked_rows(
            self._candidates(NewsItem, self.news(), NEWS, "-published_at"),
            self._candidates(ProgramPage, self.pages(), PAGE, "-published_at"),
            self._candidates(Municipality, self.partners(), PARTNER, "-pk"),
        )

    def _candidates(self, model, matching, kind, newest):
        # Found through the GIN indexes (or, for a word in most rows, the newest rows read in
        # order until enough match), then ranked by their ids.
        ids = matching.order_by(newest, "-pk").values("pk")[: candidates_limit()]
        queryset, matches = self._matches(model.objects.filter(pk__in=ids), kind)
        return queryset.annotate(rank=self._rank(matches))

    def news(self):
        return self._combine(*self._matches(NewsItem.objects.published(), NEWS))

    def pages(self):
        return self._combine(*self._matches(ProgramPage.objects.published(), PAGE))

    def partners(self):
        return self._combine(*self._matches(Municipality.objects.published(), PARTNER))

    def found_conditions(self, queryset, kind):
        queryset, matches = self._matches(queryset, kind)
        shown = [matches[lang][0] for lang in self.languages if lang in matches]
        others = {lang: matches[lang][0] for lang in self.other_languages if lang in matches}
        return queryset, reduce(or_, shown, Q(pk__in=[])), others

    def _headline(self, *texts):
        """ts_headline over plain text (tags stripped), matches between our private marks."""
        joined = []
        for text in texts:
            joined += [text, Value(" ")]
        lang = self.headline_language
        return SearchHeadline(
            Concat(*joined[:-1], output_field=TextField()),
            self.tsqueries[lang],
            config=SEARCH_CONFIGS[lang],
            start_sel=MARK_START,
            stop_sel=MARK_STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )

    def _shown(self, field):
        """SQL: `field` in the reader's language, else in English."""
        return first_text(*(F(name) for name in columns(field, self.languages)))

    def with_news_snippets(self, items):
        if self.headline_language is None:
            return super().with_news_snippets(items)
        body = first_text(*(body_visible_to(self.members, lang) for lang in self.languages))
        return items.annotate(
            snippet_html=self._headline(
                self._shown("summary"),
                StripTags(body),
                Left(documents_text_visible_to(self.members), HEADLINE_DOCUMENTS_CHARS),
            )
        )

    def with_page_snippets(self, pages):
        if self.headline_language is None:
            return super().with_page_snippets(pages)
        return pages.annotate(
            snippet_html=self._headline(
                self._shown("summary"),
                StripTags(self._shown("body")),
                self._shown("points_intro"),
                first_text(*(points_text(lang) for lang in self.languages)),
                StripTags(self._shown("closing")),
            )
        )

    def with_partner_snippets(self, partners):
        if self.headline_language is None:
            return super().with_partner_snippets(partners)
        return partners.annotate(
            snippet_html=self._headline(
                self._shown("summary"), StripTags(self._shown("description"))
            )
        )

    def news_snippet(self, item):
        if self.headline_language is None:
            return super().news_snippet(item)
        return headline_html(item.snippet_html)

    def page_snippet(self, page):
        if self.headline_language is None:
            return super().page_snippet(page)
        return headline_html(page.snippet_html)

    def partner_snippet(self, partner):
        if self.headline_language is None:
            return super().partner_snippet(partner)
        return headline_html(partner.snippet_html)


class SimpleEngine(Engine):
    """Every word in some text of any language, as a case-insensitive substring, and every
    Khmer word as a word of the Khmer text (SQLite)."""

    def fields(self, kind, lang):
        """[(column, where the reader may search it, how)] of `kind` in `lang` (None: the
        columns of no language, searched with the texts shown), `how` being title, summary,
        plain or rich (HTML, matched in its text, not in its tags)."""
        everyone = Q()
        if lang is None:
            if kind == NEWS:
                if self.members:
                    return [
                        ("documents_text", everyone, PLAIN),
                        ("members_documents_text", everyone, PLAIN),
                    ]
                return [("documents_text", ~MEMBERS_ONLY_BODY, PLAIN)]
            if kind == PARTNER:
                return [("name", everyone, TITLE), ("region", everyone, PLAIN)]
            return []
        found = [
            (column("title", lang), everyone, TITLE),
            (column("summary", lang), everyone, SUMMARY),
        ]
        if kind == NEWS:
            return found + [(column("body", lang), self._body_allowed(), RICH)]
        if kind == PAGE:
            return found + [
                (column("points_intro", lang), everyone, PLAIN),
                (f"points_{lang}", everyone, PLAIN),
                (column("body", lang), everyone, RICH),
                (column("closing", lang), everyone, RICH),
            ]
        return [
            (column("summary", lang), everyone, SUMMARY),
            (column("description", lang), everyone, RICH),
        ]

    def _term_in(self, term, fields):
        in_text = re.escape(html.escape(term, quote=False))
        found = [
            (
                Q(**{f"{name}__iregex": rf"(^|>)[^<]*{in_text}"})
                if how == RICH
                else Q(**{f"{name}__icontains": term})
            )
            & allowed
            for name, allowed, how in fields
        ]
        return reduce(or_, found, Q(pk__in=[]))

    def _word_in(self, word, kind):
        return reduce(
            or_,
            (
                Q(**{f"{name}__contains": f" {word} "}) & allowed
                for name, allowed in self.khmer_word_fields(kind)
            ),
        )

    def _all_fields(self, kind):
        return [f for lang in (*languages(), None) for f in self.fields(kind, lang)]

    def _matching(self, queryset, kind):
        if not self.has_words():
            return queryset.none().annotate(rank=Value(0.0, FloatField()))
        fields = self._all_fields(kind)
        conditions, scores = [], []
        for term in self.terms:
            conditions.append(self._term_in(term, fields))
            for how, score in ((TITLE, 1.0), (SUMMARY, 0.4)):
                chosen = [field for field in fields if field[2] == how]
                if chosen:
                    scores.append(Case(When(self._term_in(term, chosen), then=score), default=0.0))
        for word in self.khmer_words:
            conditions.append(self._word_in(word, kind))
            title = Q(km_words__contains=f" {word} ")
            scores.append(Case(When(title, then=0.7), default=0.0))
        rank = reduce(lambda a, b: a + b, scores, Value(0.1))
        return queryset.filter(reduce(and_, conditions)).annotate(rank=rank)

    def _found_in(self, kind, lang):
        fields = self.fields(kind, lang)
        found = [self._term_in(term, fields) for term in self.terms]
        if lang == KHMER:
            found += [self._word_in(word, kind) for word in self.khmer_words]
        return reduce(or_, found, Q(pk__in=[]))

    def found_conditions(self, queryset, kind):
        if kind == PAGE:
            queryset = self.with_points(queryset, languages())
        shown = reduce(or_, (self._found_in(kind, lang) for lang in (*self.languages, None)))
        others = {lang: self._found_in(kind, lang) for lang in self.other_languages}
        return queryset, shown, others

    def with_points(self, pages, langs):
        return pages.annotate(**{f"points_{lang}": points_text(lang) for lang in langs})

    def news(self):
        return self._matching(NewsItem.objects.published(), NEWS)

    def pages(self):
        pages = self.with_points(ProgramPage.objects.published(), languages())
        return self._matching(pages, PAGE)

    def partners(self):
        return self._matching(Municipality.objects.published(), PARTNER)


def engine_for(query, *, members):
    """Full-text search on PostgreSQL, the simpler search elsewhere."""
    engine = PostgresEngine if connection.vendor == "postgresql" else SimpleEngine
    return engine(query, members=members)
