"""Cookies: the CSRF cookie is HttpOnly, and in production the session and CSRF cookies carry
the __Host- prefix (Secure, Path=/, no Domain); plain names over plain HTTP."""

import os
import secrets
import subprocess
import sys

from django.middleware.csrf import get_token
from django.test import Client

from .helpers import PASSWORD, ROOT, make_member


def production_settings(*names):
    """Settings as a fresh server process reads them, mped.settings.production (as
    tests/test_security.py runs `check --deploy`)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "mped.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "mped.example.org",
        "DATABASE_URL": "sqlite:////tmp/mped-check-deploy.sqlite3",
        "MPED_SITE_URL": "https://mped.example.org",
    }
    script = f"from django.conf import settings as s; print([getattr(s, n) for n in {names!r}])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[0]


def test_production_cookies_have_the_host_prefix_and_its_conditions():
    assert production_settings(
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_PATH",
        "CSRF_COOKIE_PATH",
        "SESSION_COOKIE_DOMAIN",
        "CSRF_COOKIE_DOMAIN",
        "CSRF_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SECURE",
    ) == str(["__Host-sessionid", "__Host-csrftoken", True, True, "/", "/", None, None, True, True])


def test_over_plain_http_the_cookies_keep_their_plain_names(settings):
    assert settings.SESSION_COOKIE_NAME == "sessionid"
    assert settings.CSRF_COOKIE_NAME == "csrftoken"


def test_the_csrf_cookie_is_http_only(client, db):
    response = client.get("/en/accounts/login/")
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"
    # The form carries the token, so logging in needs no script to read the cookie.
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_secure_cookies_are_sent_as_the_host_prefix_requires(db, settings):
    """With the production values, the cookies a browser receives over HTTPS are Secure, for
    the whole site and this host only (browsers drop __Host- cookies that are not), and the
    renamed CSRF cookie still lets the login form through."""
    client = Client(enforce_csrf_checks=True)
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    make_member()
    page = client.get("/en/accounts/login/", secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    assert (csrf["secure"], csrf["path"], csrf["domain"], csrf["httponly"]) == (True, "/", "", True)
    token = get_token(page.wsgi_request)
    response = client.post(
        "/en/accounts/login/",
        {"login": "member@example.org", "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        headers={"referer": "https://testserver/en/accounts/login/"},
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert (session["secure"], session["path"], session["domain"]) == (True, "/", "")
    assert session["httponly"] is True
    assert client.get("/en/accounts/", secure=True).status_code == 200
