import re
from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _

from news.views import can_read_members_content

from . import khmer, words
from .engines import MAX_QUERY_LENGTH, clean_query, count_cap, engine_for

RESULTS_PER_PAGE = 10
TEMPLATE = "search/results.html"


class CappedPaginator(Paginator):
    """The results of `engine`, counted no further than count_cap(): a page says "more than"
    beyond it (`more`), and there are no pages past it.

    On PostgreSQL, which ranks a bounded set of candidates (search.engines), the ranked rows
    come in one query, at most the cap and one: their number is the count."""

    def __init__(self, engine):
        self.cap = count_cap()
        rows = engine.rows()
        if engine.bounded:
            rows = list(rows[: self.cap + 1])
        super().__init__(rows, RESULTS_PER_PAGE)
        self.engine = engine

    @cached_property
    def found(self):
        if isinstance(self.object_list, list):
            return len(self.object_list)
        return self.engine.count(self.cap)

    @cached_property
    def count(self):
        return min(self.found, self.cap)

    @property
    def more(self):
        return self.found > self.cap


def suggested_query(query, engine):
    """`query` with its words that the site does not use replaced by the nearest ones it
    does (search.words), or None when there is nothing to correct."""
    query_words = [word for term in engine.terms for word in term.split()]
    corrections = words.suggestion([*query_words, *engine.khmer_words])
    suggested = query
    for word, near in corrections.items():
        if khmer.has_khmer(word):
            suggested = suggested.replace(word, near)
        else:
            pattern = rf"(?<![^\W_]){re.escape(word)}(?![^\W_])"
            suggested = re.sub(pattern, near, suggested, flags=re.IGNORECASE)
    return suggested if suggested.casefold() != query.casefold() else None


def search(request):
    """The search page: the form, and the results of `?q=` ten a page (`&page=`).

    Results are counted up to count_cap() ("more than 1,000 results"), and paged that far.
    An empty query shows the form with a hint; a query longer than MAX_QUERY_LENGTH is refused
    (400) with a message; a page number that is not a page of the results is a 404.

    When nothing matches, the words the site does not use are corrected from its own words
    (search.words): the results of the corrected search are shown with a link to search
    exactly what was typed (`&exact=1`), which offers the correction ("Did you mean …?")."""
    query = clean_query(request.GET.get("q", ""))
    context = {"query": query, "max_length": MAX_QUERY_LENGTH}
    if len(query) > MAX_QUERY_LENGTH:
        context.update(
            query=query[:MAX_QUERY_LENGTH],
            error=_("Your search is too long. Use at most %(limit)s characters.")
            % {"limit": MAX_QUERY_LENGTH},
        )
        return render(request, TEMPLATE, context, status=400)
    if not query:
        return render(request, TEMPLATE, context)
    members = can_read_members_content(request.user)
    engine = engine_for(query, members=members)
    paginator = CappedPaginator(engine)
    results_query = query
    if paginator.count == 0 and engine.has_words():
        suggested = suggested_query(query, engine)
        if suggested:
            near_engine = engine_for(suggested, members=members)
            near = CappedPaginator(near_engine)
            if near.count and request.GET.get("exact") == "1":
                context["did_you_mean"] = format_html(
                    '<a href="?{}">{}</a>', urlencode({"q": suggested}), suggested
                )
            elif near.count:
                engine, paginator, results_query = near_engine, near, suggested
                context["exact_query"] = urlencode({"q": query, "exact": "1"})
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404(_("There is no such page of results.")) from None
    context.update(
        page_obj=page,
        paginator=paginator,
        is_paginated=page.has_other_pages(),
        hits=engine.hits(page.object_list),
        results_query=results_query,
        no_words=not engine.has_words(),
        query_prefix=urlencode({"q": results_query}) + "&",
    )
    return render(request, TEMPLATE, context)
