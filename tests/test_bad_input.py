"""Bad input on the public site: odd addresses, odd query strings and bad form input give a
clear page (a 404 in the site's layout, or the form again with its errors), never a 500."""

import pytest
import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path

from mped.urls import urlpatterns as site_urlpatterns
from news.models import Kind, NewsItem
from pages.models import ProgramPage

from .helpers import make_municipality, make_news, make_page, visible_text

SKIP_LINK = "Skip to main content"
GOOD_PASSWORD = "Rice-fields-at-dawn-42"


def assert_site_404(response):
    assert response.status_code == 404
    page = visible_text(response)
    assert "Page not found" in page
    assert "We could not find the page you asked for." in page
    assert SKIP_LINK in page
    assert "Go to the home page" in page


# The news list's page and kind ------------------------------------------------------------------


@pytest.fixture
def twelve_news_items(db):
    return [make_news(f"News item {number}", days_ago=number) for number in range(1, 13)]


def assert_news_list_error(response, status, message):
    """The news list's own page for an address that names no page of it (news.views
    BadListAddress): the status, the reason, and the ways on (the newest news, the years)."""
    assert response.status_code == status
    page = visible_text(response)
    assert message in page
    assert "Go to the newest news" in page
    assert "All years" in page
    assert SKIP_LINK in page


def test_the_second_page_of_news_exists_when_there_are_more_than_ten_items(
    client, twelve_news_items
):
    page = visible_text(client.get("/en/news/?page=2"))
    assert "Page 2 of 2" in page
    assert "News item 11" in page
    assert "News item 1 " not in page
    # Django's paginator's "last", from links made before the list had cursors: the oldest.
    oldest = visible_text(client.get("/en/news/?page=last"))
    assert "News item 12" in oldest and "Newer" in oldest


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "%00", ""])
def test_a_page_number_that_is_not_a_number_is_a_400(client, twelve_news_items, page):
    response = client.get(f"/en/news/?page={page}")
    assert_news_list_error(response, 400, "A page number is a whole number from 1.")


def test_a_page_past_the_end_is_a_404(client, twelve_news_items):
    response = client.get("/en/news/?page=3")
    assert_news_list_error(response, 404, "The news list has 2 pages.")


@pytest.mark.parametrize("page", ["99999", "9" * 5000])
def test_a_page_past_the_numbered_ones_is_a_404(client, twelve_news_items, page):
    response = client.get(f"/en/news/?page={page}")
    assert_news_list_error(response, 404, "Pages past page 50 of the news list have no number")


def test_page_99999_is_a_404(client, demo):
    assert client.get("/en/news/?page=99999").status_code == 404


def test_a_negative_page_is_a_400(client, demo):
    assert client.get("/en/news/?page=-1").status_code == 400


def test_a_kind_of_news_that_does_not_exist_is_a_404(client, demo):
    assert_site_404(client.get("/en/news/?kind=nonsense"))


@pytest.mark.parametrize("kind", ["REPORT", "report ", "%00", "x" * 10_000])
def test_a_kind_that_is_nearly_right_or_very_long_is_a_404(client, demo, kind):
    assert_site_404(client.get(f"/en/news/?kind={kind}"))


def test_a_real_kind_with_page_abc_is_a_400(client, demo):
    response = client.get("/en/news/?kind=report&page=abc")
    assert_news_list_error(response, 400, "A page number is a whole number from 1.")


def test_a_real_kind_lists_only_that_kind(client, demo):
    page = visible_text(client.get(f"/en/news/?kind={Kind.REPORT}"))
    assert "The latest: Report" in page
    assert "New report: Encouraging women's participation in local politics" in page
    assert "Canada in the spotlight" not in page


@pytest.mark.parametrize("url", ["/en/", "/en/news/", "/en/partners/", "/en/program/"])
def test_a_query_string_of_ten_thousand_characters_is_not_a_server_error(client, demo, url):
    response = client.get(f"{url}?{'q=' + 'x' * 9_998}")

    assert response.status_code in (200, 404)
    assert SKIP_LINK in visible_text(response)


@pytest.mark.parametrize("url", ["/en/", "/en/news/", "/en/partners/"])
def test_a_long_query_string_of_many_parameters_is_not_a_server_error(client, demo, url):
    query = "&".join(f"p{number}=%FF%00<>" for number in range(1_000))[:10_000]
    response = client.get(f"{url}?{query}")

    assert response.status_code in (200, 404)
    assert SKIP_LINK in visible_text(response)


@pytest.mark.parametrize(
    "url", ["/en/", "/en/news/", "/en/news/canada-in-the-spotlight/", "/en/partners/"]
)
def test_posting_to_a_public_page_is_refused_without_a_server_error(client, demo, url):
    assert client.post(url, {"page": "abc"}).status_code in (403, 405)


# Unknown addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/en/news/no-such-item/",
        "/en/program/no-such-page/",
        "/en/partners/no-such-partner/",
        "/en/news/bad%20slug!/",
        "/en/news/%00/",
        "/en/partners/caf%C3%A9/",
        f"/en/program/{'x' * 2000}/",
        "/no-such-section/",
    ],
)
def test_an_unknown_address_is_a_404_in_the_site_layout(client, demo, url):
    response = client.get(url)

    assert_site_404(response)
    page = visible_text(response)
    assert "Municipal Partners for Economic Development" in page  # the site's own header
    assert "The program" in page  # and its footer


def test_unpublished_content_is_a_404_like_a_missing_page(client, db):
    make_news("Draft story", published=False)
    make_news("Future story", days_ago=-3)
    make_page("Draft page", published=False)
    make_municipality("Draft town", published=False)

    for url in [
        "/en/news/draft-story/",
        "/en/news/future-story/",
        "/en/program/draft-page/",
        "/en/partners/draft-town/",
    ]:
        response = client.get(url)
        assert_site_404(response)
        assert "Draft" not in visible_text(response)


# Server errors ----------------------------------------------------------------------------------


def test_the_500_page_renders_without_a_request_and_shows_the_site_layout():
    # Django's server_error handler renders 500.html with no context at all, so it must not
    # need the database, the request or the logged-in user.
    page = visible_text(render_to_string("500.html"))

    assert "Something went wrong" in page
    assert "please try again in a few minutes" in page
    assert SKIP_LINK in page
    assert "Go to the home page" in page


def broken_view(request):
    raise RuntimeError("a test-only view that always fails")


# This module is also the URLconf of the test below: the site's own URLs plus one that fails.
urlpatterns = [path("test-only-broken/", broken_view), *site_urlpatterns]


@pytest.mark.urls("tests.test_bad_input")
def test_an_error_in_a_view_shows_the_500_page_in_the_site_layout(settings, db):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/test-only-broken/")

    assert response.status_code == 500
    page = visible_text(response)
    assert "Something went wrong" in page
    assert SKIP_LINK in page
    assert "RuntimeError" not in page
    assert "a test-only view that always fails" not in page


# Years, filters and searches the database cannot take ------------------------------------------


@pytest.mark.parametrize("year", ["9999", "0001", "0000", "1899"])
def test_a_year_the_archive_cannot_have_is_a_404_not_a_server_error(client, demo, year):
    # 9999 used to overflow once the time zone turned the year into a range of instants.
    assert_site_404(client.get(f"/en/news/?year={year}"))


ADMIN_LIST_FILTERS_THE_DATABASE_CANNOT_TAKE = [
    ("/admin/news/newsitem/?updated_at__year=0", "updated_at__year"),
    ("/admin/news/newsitem/?updated_at__year=" + "9" * 20, "updated_at__year"),
    ("/admin/news/newsitem/?title_en__regex=(", "title_en__regex"),
    # The libraries' lists too: one middleware for every ModelAdmin.
    ("/admin/auth/group/?name__regex=(", "name__regex"),
    ("/admin/reversion/revision/?comment__regex=(", "comment__regex"),
]


@pytest.fixture
def revision(staff_client, demo):
    """One revision by the staff member of staff_client ("boss"), with a comment."""
    with reversion.create_revision():
        ProgramPage.objects.first().save()
        reversion.set_user(get_user_model().objects.get(username="boss"))
        reversion.set_comment("Fixed a typo")


@pytest.mark.parametrize(("url", "name"), ADMIN_LIST_FILTERS_THE_DATABASE_CANNOT_TAKE)
def test_an_admin_list_filter_the_database_cannot_take_is_a_400_with_a_message(
    staff_client, revision, url, name
):
    response = staff_client.get(url)

    assert response.status_code == 400
    page = visible_text(response)
    assert f"This list cannot be filtered by “{name}”: the value is not valid." in page
    assert "MPED staff" in page  # the admin's own layout
    list_url = url.partition("?")[0]
    assert f'href="{list_url}"' in response.content.decode()
    # Nothing is left broken (PostgreSQL refuses queries after a failed one until a rollback):
    # the same list, and a change, work at once.
    assert staff_client.get(list_url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [f"/admin/news/newsitem/?pk__in=1,{10**20}", "/admin/account/emailaddress/?id__in=" + "9" * 25],
)
def test_an_admin_list_filter_beyond_64_bits_is_not_a_server_error(staff_client, demo, url):
    response = staff_client.get(url)

    # SQLite cannot take the number: a 400 that names the filter. PostgreSQL compares it as a
    # number and finds no such row.
    if connection.vendor == "sqlite":
        assert response.status_code == 400
        assert "This list cannot be filtered by" in visible_text(response)
    else:
        assert response.status_code == 200


def test_after_a_bad_filter_the_admin_still_saves(staff_client, demo):
    item = NewsItem.objects.first()
    assert staff_client.get("/admin/news/newsitem/?title_en__regex=(").status_code == 400
    NewsItem.objects.filter(pk=item.pk).update(title="Still saved")
    assert NewsItem.objects.get(pk=item.pk).title == "Still saved"


def test_searching_the_admin_list_of_revisions_finds_them_by_user_and_comment(
    staff_client, revision
):
    for query, found in [("boss", 1), ("typo", 1), ("nobody", 0), ("(", 0), ("%FF", 0)]:
        # Its search used to compare the user (a relation) with text: a 500 for any search.
        response = staff_client.get(f"/admin/reversion/revision/?q={query}")
        assert response.status_code == 200, query
        assert f"{found} revision" in visible_text(response), query


@pytest.mark.parametrize(
    "url",
    [
        "/admin/news/newsitem/{pk}/change/?_to_field=",
        "/admin/news/newsitem/{pk}/delete/?_to_field=",
        "/admin/auth/group/{group}/change/?_to_field=&_popup=1",
    ],
)
def test_an_empty_to_field_in_an_admin_address_is_ignored(staff_client, demo, url):
    # The admin took it for a field named "": FieldDoesNotExist, a 500 on every ModelAdmin.
    item, group = NewsItem.objects.first(), Group.objects.first()
    response = staff_client.get(url.format(pk=item.pk, group=group.pk))

    assert response.status_code == 200
    assert (item.title if "newsitem" in url else group.name) in visible_text(response)


def test_a_to_field_the_admin_does_not_allow_is_still_a_400(staff_client, demo):
    item = NewsItem.objects.first()
    assert (
        staff_client.get(f"/admin/news/newsitem/{item.pk}/change/?_to_field=body").status_code
        == 400
    )


@pytest.mark.parametrize(
    "url",
    [
        "/en/news/documents/%00",
        "/en/news/documents/news/%00.pdf",
        "/admin/news/newsitem/%00/history/",
    ],
)
def test_a_nul_in_the_path_is_a_404(staff_client, demo, url):
    # PostgreSQL refuses a NUL in a query: these looked the path up and answered 500 there.
    assert staff_client.get(url).status_code == 404


def test_a_nul_in_a_public_path_is_the_site_404_page(client, db):
    assert_site_404(client.get("/en/news/documents/%00"))
