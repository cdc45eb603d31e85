"""Links in account emails go to the site's configured address (MPED_SITE_URL), not to the port
or host a request's Host header named: ALLOWED_HOSTS ignores ports, so `Host: 127.0.0.1:6666`
is let through."""

import re

import pytest
from django.conf import settings
from django.core import mail

from .helpers import PASSWORD, make_member

FORGED_HOST = "127.0.0.1:6666"


def links(message):
    return re.findall(r"https?://[^\s\"'<>]+", message.body)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.MPED_SITE_URL = "https://mped.example.org"


def test_a_password_reset_link_uses_the_site_address(client, db):
    assert "127.0.0.1" in settings.ALLOWED_HOSTS
    make_member("ana@example.org")
    response = client.post(
        "/en/accounts/password/reset/", {"email": "ana@example.org"}, HTTP_HOST=FORGED_HOST
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    (link,) = [link for link in links(message) if "/password/reset/key/" in link]
    assert link.startswith("https://mped.example.org/en/accounts/password/reset/key/")
    assert "6666" not in message.body
    # The link works on the site.
    page = client.get(link.removeprefix(settings.MPED_SITE_URL), follow=True)
    assert page.status_code == 200
    assert 'name="password1"' in page.content.decode()


def test_a_sign_up_confirmation_link_uses_the_site_address(client, db):
    response = client.post(
        "/en/accounts/signup/",
        {
            "email": "sokha@example.org",
            "first_name": "Sokha",
            "last_name": "Chan",
            "organisation": "",
            "municipality": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        HTTP_HOST=FORGED_HOST,
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    (link,) = [link for link in links(message) if "/confirm-email/" in link]
    assert link.startswith(f"{settings.MPED_SITE_URL}/en/accounts/confirm-email/")
    assert "6666" not in message.body
    assert "mped.example.org" in message.body


def test_a_sign_up_with_a_taken_address_links_to_the_site_address(client, db):
    """The email sent instead of a confirmation (allauth's account_already_exists) links to
    the reset and sign-up pages: on the site address too."""
    make_member("ana@example.org")
    client.post(
        "/en/accounts/signup/",
        {
            "email": "ana@example.org",
            "first_name": "Ana",
            "last_name": "Sok",
            "organisation": "",
            "municipality": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        HTTP_HOST=FORGED_HOST,
    )
    (message,) = mail.outbox
    assert links(message)
    for link in links(message):
        assert link.startswith(f"{settings.MPED_SITE_URL}/"), link


def test_a_reset_for_an_unknown_address_links_to_the_site_address(client, db):
    client.post(
        "/en/accounts/password/reset/", {"email": "nobody@example.org"}, HTTP_HOST=FORGED_HOST
    )
    messages = [m for m in mail.outbox if m.to == ["nobody@example.org"]]
    for message in messages:
        for link in links(message):
            assert link.startswith(f"{settings.MPED_SITE_URL}/"), link
