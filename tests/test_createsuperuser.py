"""`manage.py createsuperuser` on the server makes an account that can enter the admin at once:
its email address is recorded as confirmed (staff log in by email, which must be confirmed)."""

import builtins
import getpass
import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from .helpers import make_member

PASSWORD = "Tonle-Sap-at-dusk-2024"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def superuser_env(monkeypatch, email="Operator@Example.org"):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "operator")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", email)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)


def test_superuser_made_with_noinput_logs_in_by_email_and_enters_the_admin(db, client, monkeypatch):
    superuser_env(monkeypatch)
    out = io.StringIO()
    call_command("createsuperuser", "--noinput", stdout=out)

    address = EmailAddress.objects.get(user__username="operator")
    assert (address.email, address.verified, address.primary) == (
        "operator@example.org",
        True,
        True,
    )
    assert "operator@example.org is recorded as confirmed" in out.getvalue()
    assert "(/admin/)" in out.getvalue()

    response = client.post(
        "/en/accounts/login/", {"login": "operator@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "confirm" not in response["Location"]
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert "Site content" in admin.text


def test_next_steps_name_two_factor_set_up_when_staff_need_it(db, monkeypatch, settings):
    settings.MPED_STAFF_REQUIRE_2FA = True
    superuser_env(monkeypatch)
    out = io.StringIO()
    call_command("createsuperuser", "--noinput", stdout=out)
    assert "set up an authenticator app" in out.getvalue()


def test_superuser_without_a_password_is_told_how_to_set_one(db, monkeypatch):
    superuser_env(monkeypatch)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD")
    out = io.StringIO()
    call_command("createsuperuser", "--noinput", stdout=out)
    assert "manage.py changepassword operator" in out.getvalue()


def test_noinput_without_an_email_address_is_refused(db, monkeypatch):
    superuser_env(monkeypatch, email="")
    with pytest.raises(CommandError, match="log in with their email address"):
        call_command("createsuperuser", "--noinput", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="operator").exists()


def test_email_address_of_another_account_is_refused_and_nothing_is_made(db, monkeypatch):
    make_member("member@example.org")
    superuser_env(monkeypatch, email="MEMBER@example.org")
    with pytest.raises(CommandError, match="belongs to another account"):
        call_command("createsuperuser", "--noinput", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="operator").exists()
    assert EmailAddress.objects.filter(email="member@example.org").count() == 1


def test_interactive_command_asks_again_for_a_missing_or_taken_email(db, client, monkeypatch):
    make_member("member@example.org")
    # What the operator types at the prompts: username, then three tries at the email.
    typed = iter(["chief", "", "member@example.org", "chief@example.org"])
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(typed))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": PASSWORD)
    out, err = io.StringIO(), io.StringIO()
    call_command("createsuperuser", stdin=Terminal(), stdout=out, stderr=err)

    assert "log in with their email address" in err.getvalue()
    assert "belongs to another account" in err.getvalue()
    user = get_user_model().objects.get(username="chief")
    assert user.is_superuser
    assert user.emailaddress_set.filter(email="chief@example.org", verified=True).exists()
    client.post("/en/accounts/login/", {"login": "chief@example.org", "password": PASSWORD})
    assert client.get("/admin/").status_code == 200


def test_demo_admin_still_gets_a_confirmed_address(db):
    call_command("create_demo_admin", stdout=io.StringIO())
    assert EmailAddress.objects.get(email="admin@example.org").verified
