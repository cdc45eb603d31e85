"""A new person's whole journey with an account, in a real Chromium on the live server:
sign up, confirm the email address, log out and in, reset the password, download the data,
delete the account. Emails are read from Django's test outbox (the live server runs in a
thread of this process, so it shares the outbox)."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from .helpers import ARTIFACTS, only_own_host, open_page

pytestmark = pytest.mark.browser

EMAIL = "sokha.chan@example.org"
FIRST_NAME = "Sokha"
LAST_NAME = "Chan"
PASSWORD = "Tangerine-harbour-47-quill"
NEW_PASSWORD = "Copper-lantern-82-meadow"


def link_path(message, pattern):
    """The path of the one link in an email that matches `pattern`, to open on the live
    server whatever domain the email names."""
    urls = re.findall(r"https?://\S+", message.body)
    paths = [urlsplit(url).path for url in urls if re.search(pattern, urlsplit(url).path)]
    assert len(paths) == 1, f"expected one link matching {pattern} in:\n{message.body}"
    return paths[0]


def header(page):
    return page.locator(".site-header .account-links")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name, full_page=True)


def log_in(page, email, password):
    page.locator(".site-header").get_by_role("link", name="Log in", exact=True).click()
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign In").click()
    page.wait_for_load_state("networkidle")


def log_out(page):
    header(page).get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")
    assert header(page).get_by_role("link", name="Log in", exact=True).is_visible()


def test_a_new_person_signs_up_confirms_resets_downloads_and_deletes(browser, site, tmp_path):
    cache.clear()  # allauth's rate limits count in the cache.
    mail.outbox.clear()
    User = get_user_model()

    # 1. Sign up from the home page.
    page, response, requests = open_page(browser, site + "/en/")
    assert response.status == 200
    page.get_by_role("link", name="Create one now").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Sign Up"
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.get_by_label("First name").fill(FIRST_NAME)
    page.get_by_label("Last name").fill(LAST_NAME)
    page.get_by_label("Organisation").fill("Town of Example")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    screenshot(page, "accounts-signup-form.png")
    page.locator("main").get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Verify Your Email Address"
    assert "We have sent an email to you for verification" in page.locator("main").inner_text()
    assert "Log in" in header(page).inner_text()  # not logged in before confirming
    screenshot(page, "accounts-confirmation-sent.png")
    only_own_host(requests, site)

    # 2. Confirm the address from the email; that logs the person in.
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == [EMAIL]
    page.goto(site + link_path(confirmation, r"^/en/accounts/confirm-email/[^/]+/$"))
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Confirm Email Address"
    page.locator("main").get_by_role("button", name="Confirm").click()
    page.wait_for_load_state("networkidle")
    assert f"Logged in as {FIRST_NAME}" in header(page).inner_text()
    screenshot(page, "accounts-confirmed.png")
    only_own_host(requests, site)

    # 3. Log out, and in again from the header's link.
    log_out(page)
    log_in(page, EMAIL, PASSWORD)
    assert f"Logged in as {FIRST_NAME}" in header(page).inner_text()
    only_own_host(requests, site)

    # 4. Forget the password and reset it from the emailed link.
    log_out(page)
    page.locator(".site-header").get_by_role("link", name="Log in", exact=True).click()
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Password Reset"
    reset_url = page.url
    page.get_by_role("textbox", name="Email").fill("nobody-here@example.org")
    page.locator("main").get_by_role("button", name="Reset My Password").click()
    page.wait_for_load_state("networkidle")
    answer_for_unknown = page.locator("main").inner_text()
    page.goto(reset_url)
    page.get_by_role("textbox", name="Email").fill(EMAIL)
    page.locator("main").get_by_role("button", name="Reset My Password").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("main").inner_text() == answer_for_unknown
    assert "We have sent you an email" in answer_for_unknown
    reset_email = mail.outbox[-1]
    assert reset_email.to == [EMAIL]
    page.goto(site + link_path(reset_email, r"^/en/accounts/password/reset/key/[^/]+/$"))
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("-set-password/")
    assert page.locator("h1").inner_text() == "Change Password"
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    screenshot(page, "accounts-password-reset-form.png")
    page.locator("main").get_by_role("button", name="Change Password").click()
    page.wait_for_load_state("networkidle")
    assert "Your password is now changed." in page.locator("main").inner_text()
    log_in(page, EMAIL, NEW_PASSWORD)
    assert f"Logged in as {FIRST_NAME}" in header(page).inner_text()
    only_own_host(requests, site)

    # 5. Download everything the site holds about the person.
    header(page).get_by_role("link", name="Your account").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Your account"
    with page.expect_download() as info:
        page.get_by_role("link", name="Download your data").click()
    download = info.value
    assert download.suggested_filename == "mped-account-data.json"
    saved = Path(tmp_path) / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["profile"]["first_name"] == FIRST_NAME
    assert data["profile"]["last_name"] == LAST_NAME
    assert data["email_addresses"] == [{"email": EMAIL, "verified": True, "primary": True}]
    only_own_host(requests, site)

    # 6. Delete the account: a wrong password first, then the right one.
    page.get_by_role("link", name="Delete your account").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Delete your account"
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_load_state("networkidle")
    assert "That is not your password." in page.locator("main").inner_text()
    assert User.objects.filter(email=EMAIL).exists()
    screenshot(page, "accounts-delete-wrong-password.png")
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_load_state("networkidle")
    assert page.url == site + "/en/"
    assert "Your account and your personal data have been deleted." in (
        page.locator("main").inner_text()
    )
    assert header(page).get_by_role("link", name="Log in", exact=True).is_visible()
    assert not User.objects.filter(email=EMAIL).exists()
    screenshot(page, "accounts-deleted.png")
    only_own_host(requests, site)

    # 7. The old email and password no longer log anyone in.
    log_in(page, EMAIL, NEW_PASSWORD)
    assert "/en/accounts/login/" in page.url
    error = page.locator("main form .alert-danger")
    assert "The email address and/or password you specified are not correct." in (
        error.inner_text()
    )
    assert "Log in" in header(page).inner_text()
    screenshot(page, "accounts-login-failed.png")
    only_own_host(requests, site)
    page.context.close()
