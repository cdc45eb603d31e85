"""Login limits count per client address, behind our reverse proxy too (DJANGO_TRUSTED_PROXY_COUNT
or DJANGO_CLIENT_IP_HEADER), and a forged X-Forwarded-For does not escape them; the per-account
lock-out holds whatever address or Host the attempts come from."""

import html
import os
import subprocess
import sys

import pytest

from .helpers import PASSWORD, ROOT, make_member

LOCKED_OUT = "Too many failed login attempts. Try again later."
PROXY = "10.0.0.1"
ATTACKER = "203.0.113.9"
READER = "198.51.100.7"


def login(client, email, password=PASSWORD, **meta):
    return client.post("/en/accounts/login/", {"login": email, "password": password}, **meta)


def locked_out(response):
    return LOCKED_OUT in html.unescape(response.content.decode())


def bad_logins(client, count, **meta):
    """Wrong passwords for made-up accounts: only the per-address limit counts them."""
    for number in range(count):
        response = login(client, f"guess{number}@example.org", "Wrong-password-1", **meta)
        assert response.status_code == 200


@pytest.fixture
def one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_without_proxy_settings_a_forged_x_forwarded_for_does_not_escape_the_limit(client, db):
    member = make_member()
    for number in range(10):
        response = login(
            client,
            f"guess{number}@example.org",
            "Wrong-password-1",
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
        assert not locked_out(response)
    response = login(client, member.email, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 200
    assert locked_out(response)
    # Another address is not held back.
    assert login(client, member.email, REMOTE_ADDR=READER)["Location"] == "/en/accounts/"


def test_without_proxy_settings_everyone_behind_a_proxy_shares_one_limit(client, db):
    """Why the setting exists: with it left at 0 behind a proxy, one attacker locks out all."""
    member = make_member()
    bad_logins(client, 10, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked_out(login(client, member.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=READER))


def test_behind_one_trusted_proxy_an_attacker_does_not_lock_out_other_readers(
    client, db, one_proxy
):
    member = make_member()
    bad_logins(client, 10, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked_out(
        login(
            client,
            "guess@example.org",
            "Wrong-password-1",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )
    )
    # Addresses the attacker writes before the proxy's own entry are not believed.
    assert locked_out(
        login(
            client,
            "guess@example.org",
            "Wrong-password-1",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}",
        )
    )
    response = login(client, member.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=READER)
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/"


def test_behind_a_proxy_the_lock_out_still_stops_an_attacker_rotating_addresses(
    client, db, one_proxy
):
    member = make_member()
    for number in range(5):
        login(
            client,
            member.email,
            "Wrong-password-1",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    response = login(client, member.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=READER)
    assert locked_out(response)
    assert "_auth_user_id" not in client.session


def test_the_lock_out_holds_whatever_port_the_host_header_names(client, db):
    # ALLOWED_HOSTS ignores ports, and allauth's lock-out key included the Host header's.
    member = make_member()
    for number in range(5):
        login(client, member.email, "Wrong-password-1", HTTP_HOST=f"127.0.0.1:{6000 + number}")
    response = login(client, member.email, HTTP_HOST="127.0.0.1:6666")
    assert locked_out(response)
    assert "_auth_user_id" not in client.session


def test_a_client_ip_header_set_by_the_proxy_is_used_when_named(client, db, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    member = make_member()
    bad_logins(client, 10, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=ATTACKER, HTTP_X_FORWARDED_FOR=READER)
    assert locked_out(login(client, member.email, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=ATTACKER))
    response = login(client, member.email, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=READER)
    assert response["Location"] == "/en/accounts/"


@pytest.mark.parametrize(
    "meta",
    [
        {"HTTP_X_FORWARDED_FOR": ""},
        {"HTTP_X_FORWARDED_FOR": "not an address"},
        {"HTTP_X_FORWARDED_FOR": READER},  # one entry, two proxies expected
    ],
)
def test_requests_that_missed_the_proxies_count_by_their_own_address(client, db, settings, meta):
    """Too few or unreadable X-Forwarded-For entries: the connection's own address, never a
    500 or a refusal."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    member = make_member()
    bad_logins(client, 10, REMOTE_ADDR=ATTACKER, **meta)
    assert locked_out(login(client, member.email, REMOTE_ADDR=ATTACKER, **meta))
    assert login(client, member.email, REMOTE_ADDR=READER, **meta)["Location"] == "/en/accounts/"


def settings_in_a_fresh_process(**variables):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "mped.settings.dev",
        **variables,
    }
    script = (
        "from django.conf import settings as s;"
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_proxy_settings_come_from_the_environment_with_no_proxy_by_default():
    assert settings_in_a_fresh_process().stdout.split("\n")[0] == "0 None"
    configured = settings_in_a_fresh_process(
        DJANGO_TRUSTED_PROXY_COUNT="1", DJANGO_CLIENT_IP_HEADER="X-Real-IP"
    )
    assert configured.stdout.split("\n")[0] == "1 X-Real-IP"
    for wrong in ("-1", "one"):
        refused = settings_in_a_fresh_process(DJANGO_TRUSTED_PROXY_COUNT=wrong)
        assert refused.returncode != 0
        assert "DJANGO_TRUSTED_PROXY_COUNT must be a whole number, 0 or more." in refused.stderr
