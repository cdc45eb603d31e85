from urllib.parse import urlencode

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from news.views import can_read_members_content

from .engines import MAX_QUERY_LENGTH, clean_query, engine_for

RESULTS_PER_PAGE = 10
TEMPLATE = "search/results.html"


def search(request):
    """The search page: the form, and the results of `?q=` ten a page (`&page=`).

    An empty query shows the form with a hint; a query longer than MAX_QUERY_LENGTH is refused
    (400) with a message; a page number that is not a page of the results is a 404."""
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
    engine = engine_for(query, members=can_read_members_content(request.user))
    paginator = Paginator(engine.rows(), RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404(_("There is no such page of results.")) from None
    context.update(
        page_obj=page,
        paginator=paginator,
        is_paginated=page.has_other_pages(),
        hits=engine.hits(page.object_list),
        query_prefix=urlencode({"q": query}) + "&",
    )
    return render(request, TEMPLATE, context)
