"""The Content-Security-Policy in a real Chromium: the public pages, the account and
two-factor pages and the staff admin (the rich-text editor included) run with no violation,
and two-factor authentication works end to end. Skips without Chromium, except in CI."""

import re

import pytest
from django.core.cache import cache

from news.models import NewsItem

from .helpers import ARTIFACTS, BROWSER_PASSWORD, Visitor, axe_violations, make_staff, totp_code

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/en/",
    "/en/news/",
    "/en/news/canada-in-the-spotlight/",
    "/en/news/new-report-womens-participation-in-local-politics/",
    "/en/partners/",
    "/en/partners/county-of-newell/",
    "/en/partners/data/",
    "/en/program/",
    "/en/program/led-framework/",
    "/en/search/?q=women",
    "/en/accounts/login/",
    "/en/accounts/signup/",
    "/en/accounts/password/reset/",
    "/this-page-does-not-exist/",
]


def test_public_pages_run_under_the_policy_without_a_violation(browser, site):
    cache.clear()
    visitor = Visitor(browser, site)
    for path in PUBLIC_PAGES:
        response = visitor.goto(path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
    # The stylesheet was allowed: the header has the brand colour.
    visitor.goto("/en/")
    colour = visitor.page.locator(".site-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert colour == "rgb(11, 79, 108)"
    visitor.check()
    visitor.close()


def test_an_inline_script_would_be_blocked_and_reported(browser, site):
    """The listener works: a script injected into a public page is refused and reported."""
    visitor = Visitor(browser, site)
    visitor.goto("/en/")
    visitor.page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true"; document.body.append(s); }"""
    )
    visitor.page.wait_for_timeout(200)
    visitor.record()
    assert visitor.page.evaluate("window.injected === undefined")
    assert any("script-src" in v for v in visitor.violations[visitor.page.url])
    visitor.close()


def test_the_admin_and_its_rich_text_editor_run_without_a_violation(
    browser,
    site,
    django_user_model,
):
    cache.clear()
    staff = make_staff(django_user_model)
    item = NewsItem.objects.get(slug="canada-in-the-spotlight")
    visitor = Visitor(browser, site)
    page = visitor.page
    visitor.goto("/admin/")
    assert "/en/accounts/login/" in page.url  # the admin's login is allauth's
    visitor.log_in(staff.email, path=page.url.removeprefix(site))
    assert page.url == site + "/admin/"
    assert page.locator("#site-name").inner_text() == "MPED staff"

    visitor.goto(f"/admin/news/newsitem/{item.pk}/change/")
    editor = page.locator(".field-body_en .ProseMirror[contenteditable=true]")
    editor.wait_for()
    assert not page.locator("#id_body_en").is_visible()
    # Tiptap's own CSS was let in with the page's nonce, and applies.
    assert editor.evaluate("el => getComputedStyle(el).whiteSpace") == "break-spaces"
    # The editor works: what is typed in it is saved.
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" And more.")
    # A live item: Save would keep a draft; Publish changes saves and publishes.
    page.get_by_role("button", name="Publish changes").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "are published: readers see them now" in page.locator(".messagelist").inner_text()
    item.refresh_from_db()
    assert "And more." in item.body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "admin-editor-under-csp.png", full_page=True)

    for path in [
        "/admin/news/newsitem/",
        "/admin/news/newsitem/add/",
        f"/admin/news/newsitem/{item.pk}/history/",
        "/admin/pages/programpage/",
        "/admin/partners/municipality/",
        "/admin/partners/municipality/import/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{staff.pk}/change/",
        "/admin/password_change/",
    ]:
        response = visitor.goto(path)
        assert response.status == 200, path
    # A second save, and the history can compare the two versions.
    visitor.goto(f"/admin/news/newsitem/{item.pk}/change/")
    page.locator("#id_title_en").fill("Canada in the spotlight, again")
    page.get_by_role("button", name="Publish changes").click()  # a version (Save: a draft)
    page.wait_for_load_state("networkidle")
    visitor.record()
    visitor.goto(f"/admin/news/newsitem/{item.pk}/history/")
    assert page.locator("input[name=version_id1]:enabled").count() == 1
    page.get_by_role("button", name="compare").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "/history/compare/" in page.url
    visitor.check()
    visitor.close()


def test_two_factor_set_up_and_login_in_the_browser(browser, site, django_user_model, settings):
    """With the setting on, staff are sent to set up an authenticator app, which works; the
    next login asks for its code. No page on the way breaks the policy."""
    cache.clear()
    settings.MPED_STAFF_REQUIRE_2FA = True
    staff = make_staff(django_user_model)
    visitor = Visitor(browser, site)
    page = visitor.page
    visitor.log_in(staff.email, path="/en/accounts/login/?next=/admin/")
    assert "/en/accounts/reauthenticate/" in page.url
    assert "Staff accounts need two-factor authentication" in page.locator(".messages").inner_text()
    page.fill("#id_password", BROWSER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert page.url.endswith("/en/accounts/2fa/totp/activate/")
    qr = page.locator("main img")
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code shows"
    secret = page.locator("#authenticator_secret").input_value()
    accessibility = {"activate": axe_violations(page)}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "totp-activate.png", full_page=True)
    page.fill("#id_code", totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert page.url.endswith("/en/accounts/2fa/recovery-codes/")
    assert re.search(r"\d{8}", page.locator("#recovery_codes").input_value())
    page.screenshot(path=ARTIFACTS / "totp-recovery-codes.png", full_page=True)
    accessibility["recovery codes"] = axe_violations(page)
    visitor.goto("/en/accounts/2fa/")
    page.screenshot(path=ARTIFACTS / "totp-index.png", full_page=True)
    accessibility["index"] = axe_violations(page)
    visitor.goto("/en/accounts/")
    assert page.get_by_text("On: logging in also asks for a code").is_visible()
    visitor.goto("/admin/")
    assert page.url == site + "/admin/"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("networkidle")
    visitor.log_in(staff.email, path="/en/accounts/login/?next=/admin/")
    assert page.url.endswith("/en/accounts/2fa/authenticate/")
    page.screenshot(path=ARTIFACTS / "totp-authenticate.png", full_page=True)
    accessibility["authenticate"] = axe_violations(page)
    code = totp_code(secret)
    page.fill("#id_code", f"{(int(code) + 1) % 1_000_000:06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "Incorrect code." in page.locator("main").inner_text()
    page.fill("#id_code", code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert page.url == site + "/admin/"
    visitor.check()
    assert not any(accessibility.values()), accessibility
    visitor.close()
