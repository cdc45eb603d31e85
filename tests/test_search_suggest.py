""" "Did you mean …?": a misspelt search finds the results of the nearest words the site uses
(search.Word, built from the published text anyone may read), says so, and links to the search
exactly as typed; the words of drafts and of members-only text are never suggested. On SQLite
and on PostgreSQL (pg_trgm)."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.workflow import publish, unpublish
from search.models import Word

from .helpers import make_member, make_news, make_page, run_worker, visible_text


def search(client, query, lang="en", **params):
    return client.get(f"/{lang}/search/", {"q": query, **params}, HTTP_ACCEPT_LANGUAGE=lang)


def titles(response):
    return [hit.title for hit in response.context["hits"]]


def rebuild():
    call_command("rebuild_search_words", verbosity=0)


@pytest.fixture
def women(db):
    make_news("Women in local councils", summary="Elected women met in Takeo.")
    make_page("Local economic development", summary="Councils plan markets with farmers.")
    rebuild()


def test_womne_shows_the_results_for_women_and_says_so(client, women):
    response = search(client, "womne")
    assert response.status_code == 200
    assert titles(response) == ["Women in local councils"]
    text = visible_text(response)
    assert "No results for “womne”. Showing results for “women”." in text
    assert "1 result for “women”" in text
    content = response.content.decode()
    assert '<a href="?q=womne&amp;exact=1">Search instead for “womne”</a>' in content
    assert "<mark>women</mark>" in content


def test_searching_exactly_what_was_typed_offers_did_you_mean(client, women):
    response = search(client, "womne", exact="1")
    assert response.status_code == 200
    assert titles(response) == []
    assert "0 results for “womne”" in visible_text(response)
    assert "Did you mean women?" in visible_text(response)
    assert '<a href="?q=women">women</a>' in response.content.decode()


def test_each_word_of_a_query_is_corrected(client, women):
    response = search(client, "Counclis farmres")
    assert "Showing results for “councils farmers”" in visible_text(response)
    assert titles(response) == ["Local economic development"]


def test_a_search_that_finds_something_suggests_nothing(client, women):
    response = search(client, "women")
    assert "Showing results for" not in visible_text(response)
    assert "Did you mean" not in visible_text(response)


def test_a_word_nothing_is_near_gets_the_plain_no_results(client, women):
    response = search(client, "xylophonist")
    assert titles(response) == []
    assert "Nothing matches" in visible_text(response)
    assert "Did you mean" not in visible_text(response)


def test_drafts_and_members_only_words_are_never_suggested(client, db):
    make_news("Draft", slug="draft", summary="The zebrafish study.", published=False)
    make_news(
        "Members' notes",
        slug="members-notes",
        summary="For members.",
        body="<p>The quagmire of budgets.</p>",
        is_members_only=True,
    )
    make_news("Public", slug="public", summary="A giraffe report.")
    rebuild()
    words = set(Word.objects.values_list("text", flat=True))
    assert "giraffe" in words and "members" in words
    assert "zebrafish" not in words and "quagmire" not in words
    assert "giraffe" in visible_text(search(client, "girafe"))
    for member in (False, True):
        if member:
            client.force_login(make_member())
        for typo in ("zebrafsh", "quagmir"):
            assert "Did you mean" not in visible_text(search(client, typo, exact="1"))
            assert "Showing results for" not in visible_text(search(client, typo))


def test_publishing_and_unpublishing_refresh_the_words(client, transactional_db):
    # Committed for real (transactional_db): the worker runs the task as the real one does.
    item = make_news("Okapis", slug="okapis", summary="An okapi census.", published=False)
    publish(item, by=None)
    run_worker()
    assert Word.objects.filter(text="okapi").exists()
    assert "Showing results for “okapi”" in visible_text(search(client, "okapu"))
    unpublish(item, by=None)
    run_worker()
    assert not Word.objects.filter(text="okapi").exists()


def test_publishing_one_item_adds_its_words_without_a_full_rebuild(
    client, transactional_db, uncached
):
    rebuild()
    # Saved as published without publish(): its words are not in the lexicon, and only a full
    # rebuild would put them there.
    make_news("Quokkas", slug="quokkas", summary="A quokka census.")
    assert "Showing results for" not in visible_text(search(client, "quokkka"))
    item = make_news("Okapis", slug="okapis", summary="An okapi census.", published=False)
    publish(item, by=None)
    run_worker()
    assert "Showing results for “okapi”" in visible_text(search(client, "okapu"))
    assert "Showing results for" not in visible_text(search(client, "quokkka"))
    rebuild()
    assert "Showing results for “quokka”" in visible_text(search(client, "quokkka"))


def test_the_demo_content_leaves_the_words_filled(client, demo):
    assert Word.objects.filter(text="women", language="en").exists()
    response = search(client, "womne")
    assert "Showing results for “women”" in visible_text(response)


@pytest.mark.parametrize(
    "query",
    ["womne", "w" * 60, "%_%", "'; DROP TABLE search_word; --", "\x00womne", "!!! ???"],
)
def test_odd_queries_with_no_results_get_a_page(client, women, query):
    response = search(client, query)
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


def test_punctuation_alone_is_told_it_has_no_words(client, women):
    for query in ("!!! ???", "%_%", "«»"):
        response = search(client, query)
        assert response.status_code == 200
        assert "Your search has no words to look for: type letters or digits." in visible_text(
            response
        )
    assert "no words to look for" not in visible_text(search(client, "xylophonist"))


def test_bad_page_numbers_of_a_corrected_search_are_404(client, women):
    assert search(client, "womne", page="abc").status_code == 404
    assert search(client, "womne", page="99999").status_code == 404


def test_queries_of_a_corrected_search_are_bounded(client, women, uncached):
    def count(query):
        with CaptureQueriesContext(connection) as queries:
            assert search(client, query).status_code == 200
        return len(queries)

    count("womne")
    one_word = count("womne")
    for number in range(20):
        make_news(f"Women {number}", slug=f"women-{number}", summary="Women again.")
    rebuild()
    assert count("womne") == one_word
    # One lookup of the words, one for each unknown word's neighbours (five at most).
    assert count("womne " * 12) <= one_word + 4
    assert re.search(r"\d", str(one_word))
