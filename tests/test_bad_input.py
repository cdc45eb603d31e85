"""Bad input on the public site: odd addresses, odd query strings and bad form input give a
clear page (a 404 in the site's layout, or the form again with its errors), never a 500."""

import html

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path
from django.utils.html import strip_tags

from mped.urls import urlpatterns as site_urlpatterns
from news.models import Kind

from .conftest import make_municipality, make_news, make_page

SKIP_LINK = "Skip to main content"
GOOD_PASSWORD = "Rice-fields-at-dawn-42"


def text(response_or_markup):
    """What a reader sees: the page's text without tags, entities decoded, spaces collapsed."""
    markup = getattr(response_or_markup, "content", response_or_markup)
    if isinstance(markup, bytes):
        markup = markup.decode()
    return " ".join(html.unescape(strip_tags(markup)).split())


def assert_site_404(response):
    assert response.status_code == 404
    page = text(response)
    assert "Page not found" in page
    assert "We could not find the page you asked for." in page
    assert SKIP_LINK in page
    assert "Go to the home page" in page


# The news list's page and kind ------------------------------------------------------------------


@pytest.fixture
def twelve_news_items(db):
    return [make_news(f"News item {number}", days_ago=number) for number in range(1, 13)]


def test_the_second_page_of_news_exists_when_there_are_more_than_ten_items(
    client, twelve_news_items
):
    page = text(client.get("/news/?page=2"))
    assert "Page 2 of 2" in page
    assert "News item 11" in page
    assert "News item 1 " not in page
    assert "Page 2 of 2" in text(client.get("/news/?page=last"))


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "3", "1.5", "%00", "9" * 5000])
def test_a_page_number_that_does_not_exist_is_a_404(client, twelve_news_items, page):
    assert_site_404(client.get(f"/news/?page={page}"))


def test_an_empty_page_number_shows_the_first_page(client, twelve_news_items):
    response = client.get("/news/?page=")
    assert response.status_code == 200
    assert "Page 1 of 2" in text(response)


def test_page_abc_is_a_404(client, db):
    assert_site_404(client.get("/news/?page=abc"))


def test_page_zero_is_a_404(client, db):
    assert_site_404(client.get("/news/?page=0"))


def test_page_99999_is_a_404(client, demo):
    assert_site_404(client.get("/news/?page=99999"))


def test_a_negative_page_is_a_404(client, demo):
    assert_site_404(client.get("/news/?page=-1"))


def test_a_kind_of_news_that_does_not_exist_is_a_404(client, demo):
    assert_site_404(client.get("/news/?kind=nonsense"))


@pytest.mark.parametrize("kind", ["REPORT", "report ", "%00", "x" * 10_000])
def test_a_kind_that_is_nearly_right_or_very_long_is_a_404(client, demo, kind):
    assert_site_404(client.get(f"/news/?kind={kind}"))


def test_a_real_kind_with_page_abc_is_a_404(client, demo):
    assert_site_404(client.get("/news/?kind=report&page=abc"))


def test_a_real_kind_lists_only_that_kind(client, demo):
    page = text(client.get(f"/news/?kind={Kind.REPORT}"))
    assert "The latest: Report" in page
    assert "New report: Encouraging women's participation in local politics" in page
    assert "Canada in the spotlight" not in page


@pytest.mark.parametrize("url", ["/", "/news/", "/partners/", "/program/"])
def test_a_query_string_of_ten_thousand_characters_is_not_a_server_error(client, demo, url):
    response = client.get(f"{url}?{'q=' + 'x' * 9_998}")

    assert response.status_code in (200, 404)
    assert SKIP_LINK in text(response)


@pytest.mark.parametrize("url", ["/", "/news/", "/partners/"])
def test_a_long_query_string_of_many_parameters_is_not_a_server_error(client, demo, url):
    query = "&".join(f"p{number}=%FF%00<>" for number in range(1_000))[:10_000]
    response = client.get(f"{url}?{query}")

    assert response.status_code in (200, 404)
    assert SKIP_LINK in text(response)


@pytest.mark.parametrize("url", ["/", "/news/", "/news/canada-in-the-spotlight/", "/partners/"])
def test_posting_to_a_public_page_is_refused_without_a_server_error(client, demo, url):
    assert client.post(url, {"page": "abc"}).status_code in (403, 405)


# Unknown addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/news/no-such-item/",
        "/program/no-such-page/",
        "/partners/no-such-partner/",
        "/news/bad%20slug!/",
        "/news/%00/",
        "/partners/caf%C3%A9/",
        f"/program/{'x' * 2000}/",
        "/no-such-section/",
    ],
)
def test_an_unknown_address_is_a_404_in_the_site_layout(client, demo, url):
    response = client.get(url)

    assert_site_404(response)
    page = text(response)
    assert "Municipal Partners for Economic Development" in page  # the site's own header
    assert "The program" in page  # and its footer


def test_unpublished_content_is_a_404_like_a_missing_page(client, db):
    make_news("Draft story", published=False)
    make_news("Future story", days_ago=-3)
    make_page("Draft page", published=False)
    make_municipality("Draft town", published=False)

    for url in [
        "/news/draft-story/",
        "/news/future-story/",
        "/program/draft-page/",
        "/partners/draft-town/",
    ]:
        response = client.get(url)
        assert_site_404(response)
        assert "Draft" not in text(response)


# Signing up -------------------------------------------------------------------------------------


def signup(client, email="alice@example.org", password1=GOOD_PASSWORD, password2=None):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "password1": password1,
            "password2": password1 if password2 is None else password2,
        },
    )


def assert_signup_refused(response, message, django_user_model, users_before=0):
    assert response.status_code == 200
    page = text(response)
    assert "Create an account" in page
    assert message in page
    assert django_user_model.objects.count() == users_before
    assert "_auth_user_id" not in response.client.session


def test_the_signup_page_asks_for_an_email_and_a_password(client, db):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    page = text(response)
    assert "Create an account" in page
    assert "Email address" in page
    assert SKIP_LINK in page


def test_an_empty_signup_form_is_refused(client, django_user_model):
    response = client.post("/accounts/signup/", {})
    assert_signup_refused(response, "This field is required.", django_user_model)
    assert set(response.context["form"].errors) == {"email", "password1", "password2"}


def test_a_signup_with_an_invalid_email_is_refused(client, django_user_model):
    response = signup(client, email="alice-at-example")
    assert_signup_refused(response, "Enter a valid email address.", django_user_model)


def test_a_signup_with_an_overlong_email_is_refused(client, django_user_model):
    response = signup(client, email=f"{'a' * 150}@example.org")
    assert_signup_refused(
        response, "Ensure this value has at most 150 characters", django_user_model
    )


def test_a_signup_with_passwords_that_do_not_match_is_refused(client, django_user_model):
    response = signup(client, password2="Rice-fields-at-dusk-42")
    assert_signup_refused(response, "The two password fields didn’t match.", django_user_model)


def test_a_signup_with_a_too_common_password_is_refused(client, django_user_model):
    response = signup(client, password1="password")
    assert_signup_refused(response, "This password is too common.", django_user_model)


def test_a_signup_with_an_all_numbers_password_is_refused(client, django_user_model):
    response = signup(client, password1="4815162342108")
    assert_signup_refused(response, "This password is entirely numeric.", django_user_model)


def test_a_signup_with_a_password_like_the_email_is_refused(client, django_user_model):
    response = signup(client, email="ricefarmer@example.org", password1="ricefarmer@example")
    assert_signup_refused(
        response, "The password is too similar to the email address.", django_user_model
    )


@pytest.mark.parametrize("email", ["alice@example.org", "ALICE@Example.org", " alice@example.org "])
def test_a_signup_with_an_email_already_registered_is_refused(client, django_user_model, email):
    django_user_model.objects.create_user("alice@example.org", "alice@example.org", "x-Long-pw-1")

    response = signup(client, email=email)

    assert_signup_refused(
        response,
        "An account with this email address already exists.",
        django_user_model,
        users_before=1,
    )


def test_a_signup_with_an_email_used_as_a_staff_username_is_refused(client, django_user_model):
    django_user_model.objects.create_user("editor@example.org", "", "x-Long-pw-1")

    response = signup(client, email="Editor@example.org")

    assert_signup_refused(
        response,
        "An account with this email address already exists.",
        django_user_model,
        users_before=1,
    )


def test_a_refused_signup_keeps_the_email_but_not_the_passwords(client, db):
    response = signup(client, password2="something-else-entirely")
    assert 'value="alice@example.org"' in response.content.decode()
    assert GOOD_PASSWORD not in response.content.decode()


def test_a_good_signup_creates_the_user_and_logs_them_in(client, django_user_model):
    home = text(client.get("/"))
    assert "Don't have an account? Create one now" in home
    assert "Logged in as" not in home

    response = signup(client, email="Alice@Example.org")

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = django_user_model.objects.get()
    assert user.email == "alice@example.org"
    assert user.username == "alice@example.org"
    assert user.check_password(GOOD_PASSWORD)
    assert not user.is_staff
    home = text(client.get("/"))
    assert "Don't have an account?" not in home
    assert "Logged in as alice@example.org" in home
    assert "Log out" in home


def test_a_new_user_can_log_out_and_log_in_again_with_their_email(client, db):
    signup(client)
    client.post("/accounts/logout/")
    assert "Don't have an account?" in text(client.get("/"))

    response = client.post(
        "/accounts/login/", {"username": "alice@example.org", "password": GOOD_PASSWORD}
    )

    assert response.status_code == 302
    assert "Logged in as alice@example.org" in text(client.get("/"))


# Logging in -------------------------------------------------------------------------------------


def test_the_login_page_shows_in_the_site_layout_with_the_site_text(client, demo):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    page = text(response)
    assert "Log in – MPED" in page  # the title uses the site settings, not the domain name
    assert SKIP_LINK in page
    assert "Don't have an account? Create one now" in page
    assert "Page Updated: 18/05/2016" in page


def test_a_login_with_a_wrong_password_is_refused_with_an_error(client, django_user_model):
    django_user_model.objects.create_user("alice@example.org", "alice@example.org", GOOD_PASSWORD)

    response = client.post(
        "/accounts/login/", {"username": "alice@example.org", "password": "wrong-password"}
    )

    assert response.status_code == 200
    page = text(response)
    assert "Please enter a correct username and password." in page
    assert "Logged in as" not in page
    assert "_auth_user_id" not in client.session


def test_a_login_for_an_unknown_user_or_with_empty_fields_is_refused(client, db):
    response = client.post("/accounts/login/", {"username": "nobody@example.org", "password": "x"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in text(response)

    response = client.post("/accounts/login/", {})
    assert response.status_code == 200
    assert "This field is required." in text(response)


def test_a_login_does_not_send_people_to_another_site(client, django_user_model):
    django_user_model.objects.create_user("alice@example.org", "alice@example.org", GOOD_PASSWORD)

    response = client.post(
        "/accounts/login/",
        {
            "username": "alice@example.org",
            "password": GOOD_PASSWORD,
            "next": "https://evil.example/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


# Server errors ----------------------------------------------------------------------------------


def test_the_500_page_renders_without_a_request_and_shows_the_site_layout():
    # Django's server_error handler renders 500.html with no context at all, so it must not
    # need the database, the request or the logged-in user.
    page = text(render_to_string("500.html"))

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
    page = text(response)
    assert "Something went wrong" in page
    assert SKIP_LINK in page
    assert "RuntimeError" not in page
    assert "a test-only view that always fails" not in page
