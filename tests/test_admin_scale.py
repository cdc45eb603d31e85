"""The admin at 100,000 items (issue 20): every change list of the content apps and the dashboard
costs the same number of queries with 3 rows as with 30; the news items' search finds an item by
a word of its title or body, the start of a word and (PostgreSQL) a French or Khmer word, and a
piece of its title or its address; bad search input gives a page, never an error; counts past
the limit say "more than"."""

import datetime

import pytest
import reversion
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial import dashboard
from editorial.admin import KeysFirstPaginator
from library.models import DownloadCount
from news.models import AlertDelivery, NewsItem
from pages.models import ProgramPage
from partners.models import Country, Municipality, Partnership
from website.models import HomeBlock, HomePage, Menu, MenuLink

from .helpers import (
    make_document,
    make_library_image,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    visible_text,
)

pytestmark = pytest.mark.usefixtures("uncached")

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search on PostgreSQL"
)


def queries_of(client, url):
    client.get(url)  # the process's caches (content types, site settings) warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


# What grows, n at a time: each function adds n rows a change list shows.


def add_news(n, start):
    for number in range(start, start + n):
        make_news(f"Bulk item {number}", days_ago=number % 40, slug=f"bulk-item-{number}")


def add_pages(n, start):
    for number in range(start, start + n):
        make_page(f"Bulk page {number}", slug=f"bulk-page-{number}")


def add_municipalities(n, start):
    for number in range(start, start + n):
        make_municipality(f"Bulk town {number}", slug=f"bulk-town-{number}")


def add_partnerships(n, start):
    for number in range(start, start + n):
        canadian = make_municipality(f"Bulk canadian {number}", slug=f"bulk-ca-{number}")
        cambodian = make_municipality(
            f"Bulk commune {number}", country=Country.CAMBODIA, slug=f"bulk-kh-{number}"
        )
        make_partnership(canadian, cambodian)


def member(email):
    # No password: hashing one takes most of a second.
    return get_user_model().objects.create(username=email, email=email)


def add_users(n, start):
    for number in range(start, start + n):
        member(f"bulk{number}@example.org")


def add_deliveries(n, start):
    item = make_news(f"Alerted item {start}", slug=f"alerted-item-{start}")
    for number in range(start, start + n):
        someone = member(f"alerted{number}@example.org")
        AlertDelivery.objects.create(news_item=item, user=someone, attempts=1)


def add_revisions(n, start):
    for number in range(start, start + n):
        with reversion.create_revision():
            make_news(f"Revised item {number}", slug=f"revised-item-{number}")
            reversion.set_comment(f"Change {number}.")


def add_images(n, start):
    for number in range(start, start + n):
        make_library_image(title=f"Bulk image {number}", name=f"bulk-{number}.png")


def add_documents(n, start):
    for number in range(start, start + n):
        make_document(f"Bulk document {number}", name=f"bulk-{number}.pdf")


def add_downloads(n, start):
    document = make_document(f"Downloaded {start}", name=f"downloaded-{start}.pdf")
    first = datetime.date(2020, 1, 1)
    for number in range(n):
        month = datetime.date(first.year + (number // 12), number % 12 + 1, 1)
        DownloadCount.objects.create(document=document, month=month, downloads=number + 1)


def add_menu_links(n, start):
    menu = Menu.objects.get(place=Menu.Place.HEADER)
    for number in range(start, start + n):
        MenuLink.objects.create(
            menu=menu, label=f"Link {number}", target="url", url="https://example.org/"
        )


def add_home_blocks(n, start):
    home = HomePage.objects.first() or HomePage.objects.create()
    for number in range(start, start + n):
        HomeBlock.objects.create(home=home, kind="text", heading=f"Block {number}", body="<p>x</p>")


LISTS = [
    (NewsItem, add_news, ""),
    (NewsItem, add_news, "?q=bulk"),
    (NewsItem, add_news, "?status=published"),
    (NewsItem, add_news, f"?year={timezone.now().year}"),
    (ProgramPage, add_pages, ""),
    (Municipality, add_municipalities, ""),
    (Partnership, add_partnerships, ""),
    ("accounts.User", add_users, ""),
    (AlertDelivery, add_deliveries, ""),
    ("reversion.Revision", add_revisions, ""),
    ("reversion.Version", add_revisions, ""),
    ("library.Image", add_images, ""),
    ("library.Document", add_documents, ""),
    (DownloadCount, add_downloads, ""),
    (Menu, add_menu_links, ""),
]


def model_of(model):
    if isinstance(model, str):
        from django.apps import apps

        return apps.get_model(model)
    return model


@pytest.mark.parametrize(
    ("model", "grow", "query"),
    LISTS,
    ids=[f"{model_of(m)._meta.label}{q}" for m, _g, q in LISTS],
)
def test_a_change_list_makes_the_same_queries_with_3_rows_as_with_30(
    staff_client, model, grow, query
):
    url = changelist(model_of(model)) + query
    grow(3, 0)
    few = queries_of(staff_client, url)
    grow(27, 100)
    assert queries_of(staff_client, url) == few


def test_the_home_page_form_makes_the_same_queries_with_3_blocks_as_with_30(staff_client):
    home = HomePage.objects.first() or HomePage.objects.create()
    url = reverse("admin:website_homepage_change", args=[home.pk])
    add_home_blocks(3, 0)
    few = queries_of(staff_client, url)
    add_home_blocks(27, 100)
    assert queries_of(staff_client, url) == few


def test_the_dashboard_makes_the_same_queries_with_3_items_as_with_30(staff_client):
    url = reverse("admin:index")
    for grow in (add_news, add_pages, add_municipalities):
        grow(3, 0)
    make_news("A draft", published=False, slug="a-draft")
    few = queries_of(staff_client, url)
    for grow in (add_news, add_pages, add_municipalities):
        grow(27, 100)
    for number in range(27):
        make_news(f"Draft {number}", published=False, slug=f"draft-{number}")
    assert queries_of(staff_client, url) == few


def test_the_dashboard_says_more_than_the_limit_when_its_count_stops(staff_client, monkeypatch):
    monkeypatch.setattr(dashboard, "COUNT_LIMIT", 5)
    for number in range(7):
        make_news(f"Draft {number}", published=False, slug=f"draft-{number}")
    text = visible_text(staff_client.get(reverse("admin:index")))
    assert "more than 5 in all" in text
    assert "News items: show all (more than 5)" in text


def test_a_searched_list_past_the_limit_says_more_than(staff_client, monkeypatch):
    monkeypatch.setattr(KeysFirstPaginator, "COUNT_LIMIT", 5)
    add_news(8, 0)
    text = visible_text(staff_client.get(changelist(NewsItem) + "?q=bulk"))
    assert "more than 5 results" in text
    assert "more than 5 news items" in text
    # The whole list is counted exactly.
    whole = visible_text(staff_client.get(changelist(NewsItem)))
    assert f"{NewsItem.objects.count()} news items" in whole


def test_a_deep_page_of_the_news_list_shows_its_own_items_in_order(staff_client, settings):
    add_news(30, 0)
    expected = list(
        NewsItem.objects.order_by("-published_at", "-id").values_list("title", flat=True)
    )
    from news.admin import NewsItemAdmin

    per_page = NewsItemAdmin.list_per_page
    NewsItemAdmin.list_per_page = 10
    try:
        response = staff_client.get(changelist(NewsItem) + "?p=3")
    finally:
        NewsItemAdmin.list_per_page = per_page
    shown = [str(item) for item in response.context["cl"].result_list]
    assert shown == expected[20:30]


# The news items' search --------------------------------------------------------------------------


def found(client, term):
    response = client.get(changelist(NewsItem), {"q": term})
    assert response.status_code == 200
    return {str(item) for item in response.context["cl"].result_list}


@pytest.fixture
def searchable(db):
    make_news(
        "Councillors meet in Battambang",
        slug="councillors-meet",
        body="<p>The delegation discussed irrigation budgets.</p>",
    )
    make_news(
        "Women lead the league",
        slug="women-lead",
        title_fr="Les femmes mènent la ligue",
        title_km="ស្ត្រីដឹកនាំសម្ព័ន្ធ",
    )
    make_news("Unrelated story", slug="unrelated-story", body="<p>Nothing to see.</p>")


def test_the_news_search_finds_an_item_by_a_word_of_its_title(staff_client, searchable):
    assert found(staff_client, "Battambang") == {"Councillors meet in Battambang"}


def test_the_news_search_finds_an_item_by_a_word_of_its_body(staff_client, searchable):
    assert found(staff_client, "irrigation") == {"Councillors meet in Battambang"}


def test_the_news_search_finds_an_item_by_the_start_of_a_word(staff_client, searchable):
    assert found(staff_client, "wome") == {"Women lead the league"}
    assert found(staff_client, "irrig") == {"Councillors meet in Battambang"}


def test_the_news_search_finds_an_item_by_a_piece_of_its_title_or_its_slug(
    staff_client, searchable
):
    assert found(staff_client, "ouncillors me") == {"Councillors meet in Battambang"}
    assert found(staff_client, "unrelated-story") == {"Unrelated story"}


@postgres_only
def test_the_news_search_finds_an_item_by_a_french_or_a_khmer_word(staff_client, searchable):
    assert found(staff_client, "femmes") == {"Women lead the league"}
    assert found(staff_client, "ស្ត្រី") == {"Women lead the league"}


@pytest.mark.parametrize(
    "term",
    ["x" * 5000, "a\x00b", "'\"", "&|!():*", "women & !(league | :*)", "'''", "\\", "%_%", "  "],
)
def test_bad_search_input_gives_a_page(staff_client, searchable, term):
    for model in (NewsItem, AlertDelivery, "reversion.Revision", "accounts.User"):
        response = staff_client.get(changelist(model_of(model)), {"q": term})
        assert response.status_code < 500, (model, term)


def test_the_year_filter_lists_the_years_and_filters_by_one(staff_client):
    make_news("Old item", slug="old-item", days_ago=3 * 366)
    make_news("New item", slug="new-item", days_ago=1)
    old_year = (timezone.now() - datetime.timedelta(days=3 * 366)).year
    response = staff_client.get(changelist(NewsItem), {"year": str(old_year)})
    assert {str(item) for item in response.context["cl"].result_list} == {"Old item"}
    assert f"?year={old_year}" in response.content.decode()
    # A year that is no number is ignored, not an error.
    assert staff_client.get(changelist(NewsItem), {"year": "20x4"}).status_code < 500
