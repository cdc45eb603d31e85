"""Site search in every language: a word of any language's text is found whatever the page's
language, the result shown in the reader's language and marked when it was found only in
another language's text; Khmer is matched as words (ICU's segmentation, search.khmer), never as
a piece of a longer word. On SQLite and on PostgreSQL."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .helpers import make_member, make_municipality, make_news, make_page, visible_text

KHMER_SUMMARY = "ការចូលរួមរបស់ស្ត្រីក្នុងការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន"


def search(client, lang, query, **params):
    return client.get(f"/{lang}/search/", {"q": query, **params}, HTTP_ACCEPT_LANGUAGE=lang)


def titles(response):
    assert response.status_code == 200
    return [hit.title for hit in response.context["hits"]]


def result_html(response, title):
    """The <li> of the result titled `title`."""
    content = response.content.decode()
    for item in re.findall(r'<li class="search-result">.*?</li>', content, re.S):
        if title in item:
            return item
    raise AssertionError(f"{title!r} is not a result")


def french_item(**extra):
    item = make_news("Women in local councils", summary="Councillors met in Takeo.", **extra)
    item.title_fr = "Les femmes dans les conseils"
    item.summary_fr = "Des femmes élues se sont réunies à Takeo."
    item.body_fr = "<p>Trois femmes maires ont parlé du budget.</p>"
    item.save()
    return item


def test_femmes_under_english_finds_the_french_text_and_says_so(client, db):
    french_item()
    make_news("Roads", summary="Nothing French here.")
    response = search(client, "en", "femmes")
    assert titles(response) == ["Women in local councils"]  # the reader's language
    item = result_html(response, "Women in local councils")
    assert "Found in the French text" in visible_text(response)
    assert '<p class="search-found-in">Found in the French text</p>' in item
    snippet = re.search(r'<p class="search-snippet" lang="fr">(.*?)</p>', item, re.S)[1]
    assert "<mark>femmes</mark>" in snippet.lower() and "Takeo" in snippet


def test_a_match_in_the_readers_own_language_is_not_marked(client, db):
    french_item()
    response = search(client, "fr", "femmes")
    assert titles(response) == ["Les femmes dans les conseils"]
    assert "search-found-in" not in response.content.decode()
    response = search(client, "en", "councillors")
    assert titles(response) == ["Women in local councils"]
    assert "search-found-in" not in response.content.decode()


def test_program_pages_and_partners_are_found_in_any_language(client, db):
    page = make_page("Local finance", summary="Budgets.")
    page.summary_fr = "Des budgets municipaux transparents."
    page.save()
    town = make_municipality("Kampot", summary="A river town.")
    town.summary_fr = "Une ville fluviale."
    town.save()
    assert titles(search(client, "en", "transparents")) == ["Local finance"]
    response = search(client, "en", "fluviale")
    assert titles(response) == ["Kampot"]
    assert '<p class="search-snippet" lang="fr">' in result_html(response, "Kampot")


def test_members_only_french_body_stays_hidden_from_visitors_in_every_language(client, db):
    item = make_news(
        "Members' notes", slug="members-notes", summary="For members.", is_members_only=True
    )
    item.body_fr = "<p>Le tapirisme des marchés.</p>"
    item.save()
    assert titles(search(client, "en", "tapirisme")) == []
    client.force_login(make_member())
    response = search(client, "en", "tapirisme")
    assert titles(response) == ["Members' notes"]
    assert "Found in the French text" in visible_text(response)


# Khmer as words ---------------------------------------------------------------------------------


def khmer_item(**extra):
    item = make_news("Women in the local economy", summary="Participation.", **extra)
    item.title_km = "ស្ត្រីក្នុងសេដ្ឋកិច្ច"
    item.summary_km = KHMER_SUMMARY
    item.save()
    return item


def test_a_khmer_word_is_found_as_a_word(client, db):
    khmer_item()
    response = search(client, "km", "ស្ត្រី")
    assert titles(response) == ["ស្ត្រីក្នុងសេដ្ឋកិច្ច"]
    assert "<mark>ស្ត្រី</mark>" in result_html(response, "ស្ត្រីក្នុងសេដ្ឋកិច្ច")
    # Two words typed without a space between them, as Khmer is written.
    assert titles(search(client, "km", "អភិវឌ្ឍសេដ្ឋកិច្ច")) == ["ស្ត្រីក្នុងសេដ្ឋកិច្ច"]


def test_a_piece_of_a_khmer_word_that_is_no_word_there_finds_nothing(client, db):
    khmer_item()
    # ដ្ឋ is inside សេដ្ឋកិច្ច and មូលដ្ឋាន, but is not one of the text's words.
    assert titles(search(client, "km", "ដ្ឋ")) == []
    assert titles(search(client, "en", "ដ្ឋ")) == []


def test_a_khmer_word_is_found_from_the_english_site_and_marked(client, db):
    khmer_item()
    response = search(client, "en", "ស្ត្រី")
    assert titles(response) == ["Women in the local economy"]
    item = result_html(response, "Women in the local economy")
    assert "Found in the Khmer text" in item
    snippet = re.search(r'<p class="search-snippet" lang="km">(.*?)</p>', item, re.S)[1]
    assert "<mark>ស្ត្រី</mark>" in snippet


def test_a_members_only_khmer_body_is_searched_for_members_only(client, db):
    item = make_news(
        "Members' Khmer notes", slug="members-km", summary="For members.", is_members_only=True
    )
    item.body_km = f"<p>{KHMER_SUMMARY}</p>"
    item.save()
    assert titles(search(client, "km", "មូលដ្ឋាន")) == []
    client.force_login(make_member())
    assert titles(search(client, "km", "មូលដ្ឋាន")) == ["Members' Khmer notes"]


@pytest.mark.parametrize("lang", ["en", "fr", "km"])
def test_queries_stay_the_same_whatever_the_number_of_results(client, db, uncached, lang):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = search(client, lang, "femmes")
        assert response.status_code == 200
        return len(queries)

    for number in range(2):
        french_item(slug=f"women-{number}")
    count()  # the site's settings and menus, cached after the first page
    with_2 = count()
    for number in range(2, 25):
        french_item(slug=f"women-{number}")
    assert count() == with_2
