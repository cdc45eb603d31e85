"""The site search: what it searches, how, and the snippet shown with each result.

Published news items (title, summary, body and the text of their PDFs), published program pages
(title, summary, body, points, closing text) and published municipalities (name, province,
summary, description) are searched together and ranked in one list.

- On PostgreSQL: full-text search with the English configuration (stemming, stop words),
  `websearch_to_tsquery` syntax ("a phrase", -word, or), ts_rank ranking with weights (title,
  then summary, then body, then the PDF) and ts_headline snippets. News items are matched
  through the vectors stored in them (`news.models.search_vector`) and their GIN indexes.
- On SQLite (development, the default test run): every word must appear in some field
  (case-insensitive substring match, a "quoted phrase" counts as one word), ranked by matches in
  the title and summary, with a snippet around the first match.

What a visitor may not read is not searched for them: the body and PDF text of a members-only
item, and the text of a members-only PDF.

Queries: one to count the results, one for the page's (kind, id, rank) rows, and one per kind
of result on the page to load them with their snippets — never one per result.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import and_, or_

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
from django.db.models.functions import Coalesce, Concat, Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from news.models import (
    MEMBERS_ONLY_BODY,
    MEMBERS_ONLY_PDF,
    SEARCH_CONFIG,
    NewsItem,
    body_visible_to,
    pdf_text_visible_to,
)
from pages.models import PagePoint, ProgramPage
from partners.models import Municipality

MAX_QUERY_LENGTH = 200
# Words looked for on SQLite; the rest of a very wordy query is ignored.
MAX_TERMS = 20
# How much of a PDF's text ts_headline reads for a snippet (it parses all it is given).
HEADLINE_PDF_CHARS = 50_000
# Characters around the first match in a SQLite snippet.
SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 240

# Private-use characters that mark matches in ts_headline's output; the snippet is then escaped
# as a whole and only these become <mark> tags. (mped.pdfs keeps them out of PDF text.)
MARK_START = "\ue000"
MARK_STOP = "\ue001"

NEWS, PAGE, PARTNER = "news", "page", "partner"

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\ue000\ue001]")
_WORD = r"[^\W_]+(?:['’][^\W_]+)*"
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
    """The text of sanitised HTML (mped.html): tags become spaces, entities characters."""
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


def points_text():
    """A program page's points, joined (one subquery, not a query per page)."""
    points = (
        PagePoint.objects.filter(page=OuterRef("pk"))
        .order_by()
        .values("page")
        .annotate(text=JoinText("text"))
        .values("text")
    )
    return Coalesce(Subquery(points), Value(""), output_field=TextField())


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
    text = " ".join(" ".join(texts).split())
    if not text:
        return mark_safe("")  # noqa: S308 - empty
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
    `hits(rows)` loads the results of one page."""

    def __init__(self, query, *, members):
        self.query = query
        self.members = members

    def rows(self):
        news = self._rows(self.news(), NEWS, F("published_at"))
        pages = self._rows(self.pages(), PAGE, F("published_at"))
        partners = self._rows(self.partners(), PARTNER, Value(None, DateTimeField()))
        return news.union(pages, partners, all=True).order_by(
            F("rank").desc(), F("date").desc(nulls_last=True), "kind_key", "ident"
        )

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

    def news_hits(self, ids):
        items = (
            NewsItem.objects.filter(pk__in=ids)
            .order_by()
            .only(
                "kind",
                "title",
                "slug",
                "summary",
                "published_at",
                "is_members_only",
                "pdf_members_only",
            )
        )
        return {
            (NEWS, item.pk): Hit(
                kind=item.kind,
                label=item.get_kind_display(),
                title=item.title,
                url=item.get_absolute_url(),
                snippet=self.news_snippet(item),
                date=item.published_at,
                members_only=item.is_members_only,
            )
            for item in self.with_news_snippets(items)
        }

    def page_hits(self, ids):
        pages = ProgramPage.objects.filter(pk__in=ids).order_by().only("title", "slug", "summary")
        return {
            (PAGE, page.pk): Hit(
                kind=PAGE,
                label=str(_("Program page")),
                title=page.title,
                url=page.get_absolute_url(),
                snippet=self.page_snippet(page),
            )
            for page in self.with_page_snippets(pages)
        }

    def partner_hits(self, ids):
        partners = (
            Municipality.objects.filter(pk__in=ids)
            .order_by()
            .only("name", "slug", "country", "region", "summary")
        )
        return {
            (PARTNER, partner.pk): Hit(
                kind=PARTNER,
                label=str(_("Partner")),
                title=partner.name,
                url=partner.get_absolute_url(),
                snippet=self.partner_snippet(partner),
                place=", ".join(
                    part for part in (partner.region, partner.get_country_display()) if part
                ),
            )
            for partner in self.with_partner_snippets(partners)
        }


class PostgresEngine(Engine):
    def __init__(self, query, *, members):
        super().__init__(query, members=members)
        self.tsquery = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)

    def _matching(self, queryset, vector):
        return (
            queryset.annotate(search=vector)
            .filter(search=self.tsquery)
            .annotate(rank=SearchRank(vector, self.tsquery))
        )

    def news(self):
        # The vectors stored in the item (GIN-indexed), not computed for each query.
        items = NewsItem.objects.published()
        if not self.members:
            return items.filter(search_public=self.tsquery).annotate(
                rank=SearchRank(F("search_public"), self.tsquery)
            )
        # For members, the items with members-only content have a fuller vector of their own.
        return items.filter(
            Q(search_public=self.tsquery) | Q(search_members=self.tsquery)
        ).annotate(rank=SearchRank(Coalesce(F("search_members"), F("search_public")), self.tsquery))

    def pages(self):
        vector = (
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
            + SearchVector(
                "body", "points_intro", points_text(), "closing", weight="C", config=SEARCH_CONFIG
            )
        )
        return self._matching(ProgramPage.objects.published(), vector)

    def partners(self):
        vector = (
            SearchVector("name", weight="A", config=SEARCH_CONFIG)
            + SearchVector("region", "summary", weight="B", config=SEARCH_CONFIG)
            + SearchVector("description", weight="C", config=SEARCH_CONFIG)
        )
        return self._matching(Municipality.objects.published(), vector)

    def _headline(self, *texts):
        """ts_headline over plain text (tags stripped), matches between our private marks."""
        joined = []
        for text in texts:
            joined += [text, Value(" ")]
        return SearchHeadline(
            Concat(*joined[:-1], output_field=TextField()),
            self.tsquery,
            config=SEARCH_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )

    def with_news_snippets(self, items):
        return items.annotate(
            snippet_html=self._headline(
                F("summary"),
                StripTags(body_visible_to(self.members)),
                Left(pdf_text_visible_to(self.members), HEADLINE_PDF_CHARS),
            )
        )

    def with_page_snippets(self, pages):
        return pages.annotate(
            snippet_html=self._headline(
                F("summary"),
                StripTags(F("body")),
                F("points_intro"),
                points_text(),
                StripTags(F("closing")),
            )
        )

    def with_partner_snippets(self, partners):
        return partners.annotate(
            snippet_html=self._headline(F("summary"), StripTags(F("description")))
        )

    def news_snippet(self, item):
        return headline_html(item.snippet_html)

    page_snippet = partner_snippet = news_snippet


class SimpleEngine(Engine):
    """Every word in some field, as a case-insensitive substring (SQLite)."""

    def __init__(self, query, *, members):
        super().__init__(query, members=members)
        self.terms = terms_of(query)

    def _matching(self, queryset, title, summary, plain=(), rich=()):
        """Rows where each term is in one of the fields: `plain` text fields (a Q per field
        name gives the condition under which the reader may search it), `rich` HTML fields
        (matched in their text, not in their tags)."""
        if not self.terms:
            return queryset.none().annotate(rank=Value(0.0, FloatField()))
        conditions, scores = [], []
        for term in self.terms:
            in_text = re.escape(html.escape(term, quote=False))
            matches = [Q(**{f"{title}__icontains": term}), Q(**{f"{summary}__icontains": term})]
            for field, allowed in plain:
                matches.append(Q(**{f"{field}__icontains": term}) & allowed)
            for field, allowed in rich:
                # Text is what follows a tag (or the start) up to the next tag.
                matches.append(Q(**{f"{field}__iregex": rf"(^|>)[^<]*{in_text}"}) & allowed)
            conditions.append(reduce(or_, matches))
            scores += [
                Case(When(**{f"{title}__icontains": term}, then=1.0), default=0.0),
                Case(When(**{f"{summary}__icontains": term}, then=0.4), default=0.0),
            ]
        rank = reduce(lambda a, b: a + b, scores, Value(0.1))
        return queryset.filter(reduce(and_, conditions)).annotate(rank=rank)

    def news(self):
        everyone = Q()
        if self.members:
            body = pdf = everyone
        else:
            body = ~MEMBERS_ONLY_BODY
            pdf = ~MEMBERS_ONLY_PDF
        return self._matching(
            NewsItem.objects.published(),
            "title",
            "summary",
            plain=[("pdf_text", pdf)],
            rich=[("body", body)],
        )

    def pages(self):
        everyone = Q()
        return self._matching(
            ProgramPage.objects.published().annotate(points_text=points_text()),
            "title",
            "summary",
            plain=[("points_intro", everyone), ("points_text", everyone)],
            rich=[("body", everyone), ("closing", everyone)],
        )

    def partners(self):
        everyone = Q()
        return self._matching(
            Municipality.objects.published(),
            "name",
            "summary",
            plain=[("region", everyone)],
            rich=[("description", everyone)],
        )

    def with_news_snippets(self, items):
        return items.annotate(
            body_text=body_visible_to(self.members),
            pdf_words=pdf_text_visible_to(self.members),
        )

    def with_page_snippets(self, pages):
        return pages.annotate(
            body_text=F("body"),
            points_words=points_text(),
            points_lead=F("points_intro"),
            closing_text=F("closing"),
        )

    def with_partner_snippets(self, partners):
        return partners.annotate(description_text=F("description"))

    def news_snippet(self, item):
        return plain_snippet(
            [item.summary, plain_text(item.body_text), item.pdf_words or ""], self.terms
        )

    def page_snippet(self, page):
        texts = [page.summary, plain_text(page.body_text), page.points_lead, page.points_words]
        return plain_snippet([*texts, plain_text(page.closing_text)], self.terms)

    def partner_snippet(self, partner):
        return plain_snippet([partner.summary, plain_text(partner.description_text)], self.terms)


def engine_for(query, *, members):
    """Full-text search on PostgreSQL, the simpler search elsewhere."""
    engine = PostgresEngine if connection.vendor == "postgresql" else SimpleEngine
    return engine(query, members=members)
