"""Security through HTTP: the headers and cookies of real responses, `check --deploy` with
production settings, the admin login's lock-out, the admin's address, and two-factor
authentication for staff, set up and used through the real pages."""

import html
import importlib
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from urllib.parse import unquote

import pytest
import reversion
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from reversion.models import Version

from .helpers import PASSWORD, ROOT, directives, make_member, make_news, totp_code

LOCKED_OUT = "Too many failed login attempts. Try again later."


def make_staff(email="staff@example.org", password=PASSWORD, **extra):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=password, is_staff=True, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def login(client, email, password=PASSWORD, next_url=None):
    path = "/en/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(path, {"login": email, "password": password})


def messages_in(response):
    return [html.unescape(m) for m in re.findall(r'class="message[^"]*">(.*?)<', response.text)]


# Headers and cookies ----------------------------------------------------------------------------


def test_a_public_page_sends_every_security_header(client, demo):
    response = client.get("/en/", secure=True)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["font-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "nonce-" not in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/en/news/",
        "/en/partners/",
        "/en/program/",
        "/en/search/?q=women",
        "/en/accounts/login/",
        "/nowhere/",
    ],
)
def test_public_pages_carry_the_same_nonce_free_policy_on_every_response(client, demo, path):
    """Whole public pages may be cached and served to anyone: their policy holds no nonce."""
    first = client.get(path)["Content-Security-Policy"]
    second = client.get(path)["Content-Security-Policy"]
    assert first == second
    assert "nonce-" not in first and "unsafe-inline" not in first


def test_the_admin_editor_gets_a_fresh_nonce_on_its_import_map(client, db):
    user = make_staff(is_superuser=True)
    client.force_login(user)
    with reversion.create_revision():
        item = make_news("Rice harvest report")
    version = Version.objects.get_for_object(item).get()
    nonces = []
    for url in [
        reverse("admin:news_newsitem_change", args=[item.pk]),
        reverse("admin:news_newsitem_change", args=[item.pk]),
        reverse("admin:news_newsitem_add"),
        # django-reversion renders this one inside its view.
        reverse("admin:news_newsitem_revision", args=[item.pk, version.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        policy = directives(response["Content-Security-Policy"])
        nonce = re.search(r'<script type="importmap" nonce="([^"]+)">', response.text).group(1)
        assert f"'nonce-{nonce}'" in policy["script-src"]
        assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]
        nonces.append(nonce)
    assert len(set(nonces)) == 4


def test_the_session_and_csrf_cookies_are_http_only_and_same_site_lax(client, db):
    make_member()
    page = client.get("/en/accounts/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    response = client.post(
        "/en/accounts/login/", {"login": "member@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


def test_http_is_redirected_to_https_except_the_health_check(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/en/news/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/en/news/?page=2"
    assert client.get("/health/").status_code != 301
    assert client.get("/en/news/", secure=True).status_code == 200


def production_environment(**extra):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "mped.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "mped.example.org",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://mped.example.org",
        "DATABASE_URL": "sqlite:////tmp/mped-check-deploy.sqlite3",
        "MPED_SITE_URL": "https://mped.example.org",
    }
    return env | extra


def test_check_deploy_finds_nothing_with_production_settings():
    # A fresh interpreter with the production settings, as on the real server.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_strict_by_default():
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.MPED_STAFF_REQUIRE_2FA, s.SECURE_HSTS_SECONDS, s.SECURE_REDIRECT_EXEMPT)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "True True True True 31536000 ['^health/']"


# The admin login --------------------------------------------------------------------------------


def test_the_admin_login_is_allauths_login_page(client, db):
    response = client.get("/admin/", follow=True)
    assert unquote(response.redirect_chain[-1][0]) == "/en/accounts/login/?next=/admin/"
    staff = make_staff()
    response = login(client, staff.email, next_url="/admin/")
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_demo_admin_logs_in_to_the_admin_with_the_printed_email_and_password(client, db):
    out = StringIO()
    call_command("create_demo_admin", stdout=out)
    email, password = re.search(
        r"address '([^']+)' and the password '([^']+)'", out.getvalue()
    ).groups()
    assert email == "admin@example.org"
    assert login(client, email, password, next_url="/admin/")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_five_failed_admin_logins_lock_the_account_even_for_the_right_password(client, db):
    staff = make_staff()
    for _ in range(5):
        response = login(client, staff.email, "Wrong-password-1", next_url="/admin/")
        assert response.status_code == 200
        assert "The email address and/or password you specified are not correct." in (
            html.unescape(response.text)
        )
    response = login(client, staff.email, next_url="/admin/")
    assert response.status_code == 200
    assert LOCKED_OUT in html.unescape(response.text)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_lock_out_is_per_account(client, db):
    staff = make_staff()
    other = make_staff("other@example.org")
    for _ in range(5):
        login(client, staff.email, "Wrong-password-1")
    assert LOCKED_OUT in html.unescape(login(client, staff.email).text)
    assert login(client, other.email)["Location"] == "/en/accounts/"


def test_a_member_who_is_not_staff_cannot_open_the_admin(client, db):
    make_member()
    assert login(client, "member@example.org")["Location"] == "/en/accounts/"
    assert client.get("/admin/", follow=True).status_code == 403
    assert client.get(reverse("admin:news_newsitem_changelist"), follow=True).status_code == 403


@pytest.fixture
def admin_elsewhere():
    """The URLs rebuilt as with DJANGO_ADMIN_URL=staff-only/."""
    import mped.urls

    try:
        with override_settings(MPED_ADMIN_URL="staff-only/"):
            importlib.reload(mped.urls)
            clear_url_caches()
            yield
    finally:
        importlib.reload(mped.urls)
        clear_url_caches()


def test_the_admin_can_live_at_another_address(client, db, admin_elsewhere):
    staff = make_staff(is_superuser=True)
    assert client.get("/admin/").status_code == 404
    response = client.get("/staff-only/", follow=True)
    assert unquote(response.redirect_chain[-1][0]) == "/en/accounts/login/?next=/staff-only/"
    login(client, staff.email)
    assert client.get("/staff-only/").status_code == 200
    assert client.get("/admin/").status_code == 404
    assert reverse("admin:index") == "/staff-only/"


# Two-factor authentication ----------------------------------------------------------------------


@pytest.fixture
def require_2fa(settings):
    settings.MPED_STAFF_REQUIRE_2FA = True


def activate_totp(client, password=PASSWORD):
    """Set up an authenticator app through the real pages; returns its secret."""
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    if page.redirect_chain and "/reauthenticate/" in page.redirect_chain[-1][0]:
        # allauth asks for the password again before a new authenticator is added.
        page = client.post(page.redirect_chain[-1][0], {"password": password}, follow=True)
    assert page.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    secret = re.search(r'value="([A-Z2-7]{32})"', page.text).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    return secret


def test_staff_without_two_factor_are_sent_from_the_admin_to_set_it_up(client, db, require_2fa):
    staff = make_staff(is_superuser=True)
    login(client, staff.email)
    response = client.get(reverse("admin:news_newsitem_changelist"), follow=True)
    assert response.redirect_chain[0] == (reverse("mfa_activate_totp"), 302)
    # allauth first asks for the password again, then shows the activation page.
    assert "/en/accounts/reauthenticate/" in response.redirect_chain[-1][0]
    assert (
        "Staff accounts need two-factor authentication: set up an authenticator app, "
        "then open the staff admin again." in messages_in(response)
    )
    response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert "Activate Authenticator App" in response.text
    assert 'src="data:image/svg+xml;base64,' in response.text  # the QR code
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def test_members_are_not_asked_for_two_factor(client, db, require_2fa):
    make_member()
    login(client, "member@example.org")
    assert client.get("/en/accounts/").status_code == 200


def test_without_the_setting_staff_reach_the_admin_with_a_password(client, db):
    staff = make_staff(is_superuser=True)
    login(client, staff.email)
    assert client.get("/admin/").status_code == 200


def test_staff_set_up_two_factor_and_later_logins_ask_for_the_code(client, db, require_2fa):
    staff = make_staff(is_superuser=True)
    login(client, staff.email)
    secret = activate_totp(client)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/admin/").status_code == 200
    client.post(reverse("account_logout"))

    # The password alone only leads to the code page.
    response = login(client, staff.email, next_url="/admin/")
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")

    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert refused.status_code == 200
    assert "Incorrect code." in html.unescape(refused.text)
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": right})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_opens_the_admin_when_the_phone_is_lost(client, db, require_2fa):
    staff = make_staff(is_superuser=True)
    login(client, staff.email)
    activate_totp(client)
    codes = client.get(reverse("mfa_view_recovery_codes")).text
    code = re.search(r'<textarea[^>]*id="recovery_codes"[^>]*>\s*(\w+)', codes).group(1)
    client.post(reverse("account_logout"))
    login(client, staff.email, next_url="/admin/")
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_account_overview_links_to_two_factor_authentication(client, db):
    make_member()
    login(client, "member@example.org")
    page = client.get("/en/accounts/")
    assert f'href="{reverse("mfa_index")}"' in page.text
    assert "Two-factor authentication" in page.text
    mfa = client.get(reverse("mfa_index"))
    assert mfa.status_code == 200
    assert "Skip to main content" in mfa.text  # the site's own layout
