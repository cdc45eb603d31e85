"""Khmer words for the search (issue 19): ICU splits Khmer text, written without spaces between
words, into words when content is saved (core/khmer.py, the search's API in search/khmer.py);
the words are stored (km_words, km_body_words) and, on PostgreSQL, in GIN-indexed vectors."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from news.models import NewsItem
from pages.models import PagePoint, ProgramPage
from partners.models import Country, Municipality
from search.khmer import KHMER_CONFIG, has_khmer, segment, words, words_column

from .helpers import (
    add_pairing_row,
    admin_form_data,
    change_url,
    form_errors,
    make_municipality,
    make_news,
    make_page,
    news_post,
)

# "Women's participation in local economic development."
PARTICIPATION = "ការចូលរួមរបស់ស្ត្រីក្នុងការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន"
# "Farmers come into the town." (ចូល, "to enter", is a word here.)
ENTER = "កសិករចូលទីក្រុង។"
# "Women take part in the meeting." (ចូលរួម, "to take part", is a word here.)
TAKE_PART = "ស្ត្រីចូលរួមប្រជុំ"
# "Commune councils support the community." and "Markets of Kampong Cham province."
COUNCILS = "ក្រុមប្រឹក្សាឃុំគាំទ្រសហគមន៍។"
MARKETS = "ផ្សារនៃខេត្តកំពង់ចាម៖"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search vectors are PostgreSQL's"
)


def stored_words(column):
    return column.split()


# ICU's words ------------------------------------------------------------------------------------


def test_icu_splits_a_khmer_phrase_into_its_words():
    found = words(PARTICIPATION)

    assert {"ស្ត្រី", "សេដ្ឋកិច្ច", "មូលដ្ឋាន", "របស់", "ក្នុង"} <= set(found)
    assert "".join(found) == PARTICIPATION, "nothing of the text is lost between the words"
    assert segment(PARTICIPATION) == " ".join(found)


def test_khmer_punctuation_and_spaces_are_not_words_and_other_words_are_kept_casefolded():
    text = f"{ENTER} Kang Meas, 2016 ៕ {MARKETS}\u200b«ឃុំ»"

    found = words(text)

    assert found[:3] == ["កសិករ", "ចូល", "ទីក្រុង"]
    assert {"kang", "meas", "2016", "ផ្សារ", "ខេត្ត", "ឃុំ"} <= set(found)
    assert not {"។", "៕", "៖", "«", "»", ",", "\u200b"} & set(found)
    assert segment(text) == " ".join(found)
    assert "  " not in segment(text)


def test_a_word_inside_a_longer_word_is_not_a_word_of_its_own():
    # ICU keeps ការចូលរួម ("participation") as one word: neither ចូល ("to enter") nor ចូលរួម
    # ("to take part") is a word of the phrase, though both are in it as substrings.
    assert "ការចូលរួម" in words(PARTICIPATION)
    assert "ចូល" in PARTICIPATION and "ចូល" not in words(PARTICIPATION)
    assert "ចូលរួម" in PARTICIPATION and "ចូលរួម" not in words(PARTICIPATION)
    # Where they are words, they are found as words.
    assert "ចូល" in words(ENTER)
    assert "ចូលរួម" in words(TAKE_PART)


def test_the_stored_column_has_a_space_around_each_word_and_reads_html():
    column = words_column("<p>ក្រុមប្រឹក្សា<strong>ឃុំ</strong></p><p>គាំទ្រ &amp; សហគមន៍</p>")

    assert column == " ក្រុមប្រឹក្សា ឃុំ គាំទ្រ សហគមន៍ "
    assert words_column("", None, "<p></p>", "។") == ""


def test_has_khmer_tells_khmer_text_from_other_text():
    assert has_khmer(f"Kang Meas {MARKETS}")
    assert not has_khmer("Kang Meas")
    assert not has_khmer("")


def test_each_thread_splits_with_its_own_iterator():
    from concurrent.futures import ThreadPoolExecutor

    texts = [PARTICIPATION, ENTER, COUNCILS, MARKETS] * 25
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(words, texts))

    assert results == [words(text) for text in texts]


# Filled when content is saved -------------------------------------------------------------------


def test_a_news_item_added_in_the_admin_keeps_the_words_of_its_khmer_texts(staff_client):
    response = staff_client.post(
        reverse("admin:news_newsitem_add"),
        news_post(
            title_km="ផ្សារថ្មីនៃខេត្តកំពង់ចាម",
            summary_km=COUNCILS,
            body_km=f"<p>{PARTICIPATION}</p>",
        ),
    )
    assert response.status_code == 302, form_errors(response)

    item = NewsItem.objects.get(slug="council-opens-a-farmers-market")
    assert {"ផ្សារថ្មី", "កំពង់ចាម", "សហគមន៍"} <= set(stored_words(item.km_words))
    assert item.km_body_words == words_column(PARTICIPATION)
    assert "ស្ត្រី" in stored_words(item.km_body_words)


def test_changing_a_news_items_khmer_body_in_the_admin_changes_its_words(staff_client):
    item = make_news("Draft story", published=False, body_km=f"<p>{ENTER}</p>")
    assert "ទីក្រុង" in stored_words(item.km_body_words)

    data = admin_form_data(staff_client.get(change_url(item)))
    data["body_km"] = f"<p>{PARTICIPATION}</p>"
    response = staff_client.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)

    item.refresh_from_db()
    assert "ទីក្រុង" not in stored_words(item.km_body_words)
    assert "សេដ្ឋកិច្ច" in stored_words(item.km_body_words)


def test_a_program_pages_words_follow_its_points_added_and_removed_in_the_admin(staff_client):
    url = reverse("admin:pages_programpage_add")
    data = admin_form_data(staff_client.get(url))
    data.update(
        title_en="Local economic development",
        title_km="ការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន",
        slug="led",
        body_km=f"<p>{COUNCILS}</p>",
        points_intro_km="យើងជួយ៖",
    )
    add_pairing_row(data, "points", text_en="Markets", text_km=MARKETS, order="1")
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    page = ProgramPage.objects.get(slug="led")
    assert {"សេដ្ឋកិច្ច", "មូលដ្ឋាន"} <= set(stored_words(page.km_words))
    assert page.km_body_words == words_column(COUNCILS, "យើងជួយ៖", MARKETS)

    data = admin_form_data(staff_client.get(change_url(page)))
    data["points-0-DELETE"] = "on"
    response = staff_client.post(change_url(page), data)
    assert response.status_code == 302, form_errors(response)

    page.refresh_from_db()
    assert not page.points.exists()
    assert page.km_body_words == words_column(COUNCILS, "យើងជួយ៖")


def test_a_live_pages_words_change_when_its_draft_is_published_not_before(editor, publisher):
    page = make_page("Local finance", body_km=f"<p>{COUNCILS}</p>")
    page.points.create(text_en="Markets", text_km=MARKETS, order=1)
    page.refresh_from_db()
    before = page.km_body_words
    assert "ផ្សារ" in stored_words(before)

    data = admin_form_data(editor.get(change_url(page)))
    data["body_km"] = f"<p>{PARTICIPATION}</p>"
    data["points-0-DELETE"] = "on"
    add_pairing_row(data, "points", text_en="Farmers", text_km=ENTER, order="2")
    response = editor.post(change_url(page), data)
    assert response.status_code == 302, form_errors(response)
    page.refresh_from_db()
    assert page.km_body_words == before, "a draft changes nothing readers search"

    form = publisher.get(change_url(page))
    data = admin_form_data(form)
    add_pairing_row(data, "points", text_en="Farmers", text_km=ENTER, order="2")
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(change_url(page), data)
    assert response.status_code == 302, form_errors(response)

    page.refresh_from_db()
    assert page.km_body_words == words_column(PARTICIPATION, ENTER)


def test_a_point_saved_or_deleted_anywhere_updates_its_pages_words_not_its_date(db):
    page = make_page("Capacity", published=False)
    updated = page.updated_at

    point = PagePoint.objects.create(page=page, text_en="Markets", text_km=MARKETS)
    page.refresh_from_db()
    assert "ផ្សារ" in stored_words(page.km_body_words)
    assert page.updated_at == updated

    PagePoint.objects.filter(pk=point.pk).delete()
    page.refresh_from_db()
    assert "ផ្សារ" not in stored_words(page.km_body_words)


def test_a_municipality_saved_in_the_admin_keeps_the_words_of_its_name_and_khmer_texts(
    staff_client,
):
    url = reverse("admin:partners_municipality_add")
    data = admin_form_data(staff_client.get(url))
    data.update(
        name="Kang Meas District",
        slug="kang-meas",
        country=Country.CAMBODIA,
        region="Kampong Cham",
        summary_km=COUNCILS,
        description_km=f"<p>{PARTICIPATION}</p><ul><li>{MARKETS}</li></ul>",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    municipality = Municipality.objects.get(slug="kang-meas")
    assert municipality.km_words == words_column("Kang Meas District", "Kampong Cham", COUNCILS)
    assert {"ស្ត្រី", "ផ្សារ"} <= set(stored_words(municipality.km_body_words))


def test_a_save_of_some_fields_refreshes_the_words_of_those_fields(db):
    municipality = make_municipality("Kang Meas", country=Country.CAMBODIA, summary_km=ENTER)

    municipality.summary_km = COUNCILS
    municipality.save(update_fields=["summary_km"])

    municipality.refresh_from_db()
    assert "សហគមន៍" in stored_words(municipality.km_words)


def test_rows_made_by_bulk_create_get_their_words_too(db):
    # scale_demo_content makes its rows so.
    Municipality.objects.bulk_create(
        [
            Municipality(
                name="Kang Meas", slug="kang-meas", country=Country.CAMBODIA, summary_km=MARKETS
            )
        ]
    )

    assert "ផ្សារ" in stored_words(Municipality.objects.get().km_words)


def test_segment_khmer_catches_up_with_texts_changed_by_a_queryset_update(db):
    item = make_news("Story", body_km=ENTER)
    page = make_page("Capacity", published=False)
    PagePoint.objects.bulk_create([PagePoint(page=page, text_en="Markets", text_km=MARKETS)])
    NewsItem.objects.filter(pk=item.pk).update(body_km=COUNCILS)

    call_command("segment_khmer", verbosity=0)

    item.refresh_from_db()
    page.refresh_from_db()
    assert item.km_body_words == words_column(COUNCILS)
    assert "ផ្សារ" in stored_words(page.km_body_words)


def test_the_vectors_are_not_loaded_with_the_rows(db):
    make_page("Capacity")
    make_municipality("Kang Meas")
    make_news("Story")

    for model, vectors in (
        (ProgramPage, {"search_km"}),
        (Municipality, {"search_km"}),
        (NewsItem, {"search_public_km", "search_members_km"}),
    ):
        assert vectors <= model.objects.get().get_deferred_fields()


# The vectors on PostgreSQL ----------------------------------------------------------------------


def tsquery(word):
    """to_tsquery('simple', word)."""
    return SearchQuery(word, config=KHMER_CONFIG, search_type="raw")


@on_postgresql
def test_the_khmer_vector_matches_a_word_and_not_a_substring_that_is_not_a_word(db):
    meeting = make_news("Meeting", summary_km=TAKE_PART)
    item = make_news("Participation", summary_km=PARTICIPATION)
    page = make_page("Capacity", body_km=f"<p>{PARTICIPATION}</p>")
    municipality = make_municipality("Kang Meas", description_km=f"<p>{PARTICIPATION}</p>")

    for queryset, column in (
        (NewsItem.objects.filter(pk=item.pk), "search_public_km"),
        (ProgramPage.objects.filter(pk=page.pk), "search_km"),
        (Municipality.objects.filter(pk=municipality.pk), "search_km"),
    ):
        for word in ("ស្ត្រី", "សេដ្ឋកិច្ច", "ការចូលរួម"):
            assert queryset.filter(**{column: tsquery(word)}).exists(), (column, word)
        for substring in ("ចូល", "ចូលរួម", "ស្ត្រ"):
            assert not queryset.filter(**{column: tsquery(substring)}).exists(), substring
    # ចូលរួម finds the item where it is a word, not the one where it is part of a word.
    assert list(NewsItem.objects.filter(search_public_km=tsquery("ចូលរួម"))) == [meeting]


@on_postgresql
def test_a_members_only_items_khmer_body_is_only_in_the_members_vector(db):
    make_news("Members story", is_members_only=True, title_km=MARKETS, body_km=COUNCILS)

    items = NewsItem.objects.all()
    assert items.filter(search_public_km=tsquery("ផ្សារ")).exists()
    assert not items.filter(search_public_km=tsquery("សហគមន៍")).exists()
    assert items.filter(search_members_km=tsquery("សហគមន៍")).exists()


@on_postgresql
def test_the_khmer_vectors_have_gin_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%USING gin%%_km)%%'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {
        "news_search_public_km",
        "news_search_members_km",
        "pages_search_km",
        "partners_search_km",
    }


# The migrations fill the words of existing rows -------------------------------------------------

BEFORE_KHMER_WORDS = [
    ("news", "0018_item_documents_for_editors_and_publishers"),
    ("pages", "0009_remove_home_fields"),
    ("partners", "0011_remove_old_image_fields"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    return executor._create_project_state(with_applied_migrations=True).apps


def test_the_migrations_fill_the_words_of_rows_that_existed_before(transactional_db):
    apps = migrate(BEFORE_KHMER_WORDS)
    try:
        page = apps.get_model("pages", "ProgramPage").objects.create(
            title_en="Capacity", slug="capacity", title_km=COUNCILS, body_km=f"<p>{ENTER}</p>"
        )
        apps.get_model("pages", "PagePoint").objects.create(
            page=page, text_en="Markets", text_km=MARKETS
        )
        apps.get_model("partners", "Municipality").objects.create(
            name="Kang Meas", slug="kang-meas", country="KH", summary_km=MARKETS
        )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    page = ProgramPage.objects.get(slug="capacity")
    assert page.km_words == words_column(COUNCILS)
    assert page.km_body_words == words_column(ENTER, MARKETS)
    assert "ផ្សារ" in stored_words(Municipality.objects.get(slug="kang-meas").km_words)
    if connection.vendor == "postgresql":
        assert ProgramPage.objects.filter(search_km=tsquery("ផ្សារ")).exists()
