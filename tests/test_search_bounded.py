"""Bounded search (issue 20): results are counted no further than MPED_SEARCH_COUNT_CAP, which
the page says ("More than 1,000 results"), pages go no further, and on PostgreSQL only the newest
MPED_SEARCH_CANDIDATES matching rows of each kind are ranked. Within the cap the results and the
count are those of an unbounded search; the queries stay the same as items grow; bad query
strings get a page or a 4xx. On SQLite and on PostgreSQL."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import number_format

from news.models import NewsItem

from .helpers import make_municipality, make_news, make_page, visible_text

CAP = 20
UNBOUNDED = 100_000


@pytest.fixture(autouse=True)
def _uncached(uncached):
    """Every search rendered: the page cache's key does not know the caps these tests change."""


def search(client, query, lang="en", **params):
    return client.get(f"/{lang}/search/", {"q": query, **params}, HTTP_ACCEPT_LANGUAGE=lang)


def bound(settings, cap=CAP, candidates=CAP):
    settings.MPED_SEARCH_COUNT_CAP = cap
    settings.MPED_SEARCH_CANDIDATES = candidates


def add_items(start, count):
    """`count` news items about pangolins, ranked unlike their dates: every third has the word
    in its title (ranked first), the others only in their summary or body, some of them
    newer than the title matches."""
    for number in range(start, start + count):
        if number % 3 == 0:
            make_news(f"Pangolin census {number}", days_ago=number + 1)
        elif number % 3 == 1:
            make_news(f"Forest survey {number}", summary="Pangolins seen.", days_ago=number + 1)
        else:
            make_news(
                f"Village report {number}",
                summary="A walk in the forest.",
                body="<p>A pangolin crossed the road.</p>",
                days_ago=number + 1,
            )


@pytest.fixture
def pangolins(db):
    add_items(0, 30)
    make_page("Pangolin programme", summary="Pangolins and people.")
    make_municipality("Pangolin Bay", summary="A pangolin town.")


def all_results(client, query):
    """(urls of every result, page after page; the count line) as a reader sees them."""
    urls, page = [], 1
    first = search(client, query)
    assert first.status_code == 200
    response = first
    while True:
        urls += [hit.url for hit in response.context["hits"]]
        if not response.context["page_obj"].has_next():
            break
        page += 1
        response = search(client, query, page=page)
        assert response.status_code == 200
    return urls, first.context["paginator"].count, count_line(first)


def count_line(response):
    """The line that says how many results there are."""
    found = re.search(r'<p class="search-count"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    return html.unescape(found[1])


def newest_news_urls(count):
    items = NewsItem.objects.published().order_by("-published_at", "-pk")
    return {
        item.get_absolute_url()
        for item in items.filter(title__iregex="pangolin|survey|village")[:count]
    }


# Within the cap: the same as an unbounded search ------------------------------------------------


def test_within_the_cap_results_and_count_are_those_of_an_unbounded_search(
    client, pangolins, settings
):
    bound(settings, cap=UNBOUNDED, candidates=UNBOUNDED)
    unbounded, unbounded_count, _line = all_results(client, "pangolin")
    assert unbounded_count == 32 and len(unbounded) == 32
    # The title matches (and the page and the town) rank before the rest.
    assert unbounded.index("/en/news/pangolin-census-27/") < unbounded.index(
        "/en/news/forest-survey-1/"
    )
    bound(settings, cap=32, candidates=32)
    bounded, count, line = all_results(client, "pangolin")
    assert (bounded, count) == (unbounded, unbounded_count)
    assert line == "32 results for “pangolin”"


def test_past_the_cap_the_page_says_more_than_and_pages_stop_at_the_cap(
    client, pangolins, settings
):
    bound(settings, cap=UNBOUNDED, candidates=UNBOUNDED)
    unbounded, _count, _line = all_results(client, "pangolin")
    bound(settings)
    bounded, count, line = all_results(client, "pangolin")
    assert line == "More than 20 results for “pangolin”"
    assert count == CAP and len(bounded) == CAP and len(set(bounded)) == CAP
    assert search(client, "pangolin", page=2).status_code == 200
    assert search(client, "pangolin", page=3).status_code == 404
    if connection.vendor == "postgresql":
        # The newest 20 of each kind are ranked, as the unbounded search ranks them.
        candidates = newest_news_urls(CAP) | {"/en/program/pangolin-programme/"}
        candidates |= {url for url in unbounded if "/partners/" in url}
        assert bounded == [url for url in unbounded if url in candidates][:CAP]
    else:
        # SQLite ranks every match: the first 20 of the unbounded search.
        assert bounded == unbounded[:CAP]


def test_more_than_appears_exactly_when_the_cap_is_reached(client, db, settings):
    bound(settings)
    add_items(0, 19)
    assert count_line(search(client, "pangolin")) == "19 results for “pangolin”"
    add_items(19, 1)
    response = search(client, "pangolin")
    assert count_line(response) == "20 results for “pangolin”"
    assert "More than" not in visible_text(response)
    add_items(20, 1)
    assert count_line(search(client, "pangolin")) == "More than 20 results for “pangolin”"
    assert count_line(search(client, "pangolin", page=2)) == "More than 20 results for “pangolin”"


def test_the_default_cap_is_a_thousand_written_as_the_language_writes_numbers(client, db):
    now = timezone.now()
    NewsItem.objects.bulk_create(
        NewsItem(
            title=f"Market day {number}",
            slug=f"market-day-{number}",
            summary="Farmers at the market.",
            is_published=True,
            published_at=now - datetime.timedelta(hours=number + 1),
        )
        for number in range(1001)
    )
    response = search(client, "market")
    assert count_line(response) == "More than 1,000 results for “market”"
    assert search(client, "market", page=100).status_code == 200
    assert search(client, "market", page=101).status_code == 404
    with translation.override("fr"):
        thousand = number_format(1000, force_grouping=True)
    assert thousand != "1000"
    assert f"{thousand} " in count_line(search(client, "market", lang="fr"))


# Queries ----------------------------------------------------------------------------------------


def queries(client, query, **params):
    with CaptureQueriesContext(connection) as captured:
        assert search(client, query, **params).status_code == 200
    return len(captured)


def test_queries_stay_the_same_as_items_grow_past_the_cap(client, db, settings):
    bound(settings)
    add_items(0, 5)
    queries(client, "pangolin")  # the first request also makes the site's settings
    few = queries(client, "pangolin")
    add_items(5, 20)
    assert queries(client, "pangolin") == few
    add_items(25, 40)
    assert queries(client, "pangolin") == few
    assert queries(client, "pangolin", page=2) == few
    # Other kinds of results: one more query for each kind on the page, never one per result.
    make_page("Pangolin programme", summary="Pangolins and people.")
    make_municipality("Pangolin Bay", summary="A pangolin town.")
    assert few < queries(client, "pangolin") <= few + 2
    # Nothing found: no results to load, but the suggestions' word lookups (search.words).
    assert queries(client, "xylophonist") <= few + 1


# Bad query strings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": "0"},
        {"page": "abc"},
        {"page": "1.5"},
        {"page": "9" * 40},
        {"page": "3"},
        {"page": "\x00"},
        {"q": "pangolin" * 625},
        {"q": "pangolin\x00census"},
        {"q": "\x00"},
        {"q": "a" * 5000},
        {"q": "pangolin", "exact": "\x00"},
    ],
)
def test_bad_query_strings_get_a_page_or_a_4xx_never_an_error(client, pangolins, settings, params):
    bound(settings)
    response = client.get("/en/search/", {"q": "pangolin", **params})
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:
        assert 'name="q"' in response.content.decode()
    else:
        assert "Skip to main content" in visible_text(response)


def test_a_very_long_query_is_refused_with_its_message(client, pangolins):
    response = search(client, "pangolin " * 600)
    assert response.status_code == 400
    assert "Your search is too long." in visible_text(response)
