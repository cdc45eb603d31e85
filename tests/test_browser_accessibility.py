"""WCAG 2.2 AA in a real browser: axe-core (vendored in tests/vendor, never served to readers)
over every public page template, and the site used with the keyboard alone."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache

from news.models import NewsItem

from .helpers import ARTIFACTS, PASSWORD, axe_violations, open_page

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/en/",
    "/en/news/",
    "/en/news/?kind=report",
    "/en/news/new-report-womens-participation-in-local-politics/",
    "/en/news/canada-in-the-spotlight/",
    "/en/news/sample-members-only-briefing/",
    "/en/program/",
    "/en/program/led-framework/",
    "/en/program/about-the-league/",
    "/en/partners/",
    "/en/partners/county-of-newell/",
    "/en/partners/kang-meas-district/",
    "/en/search/?q=women",
    "/en/search/",
    "/en/accounts/signup/",
    "/en/accounts/login/",
    "/en/accounts/password/reset/",
    "/en/accounts/alerts/unsubscribe/not-a-token/",
    "/this-page-does-not-exist/",
]
MEMBER_PAGES = [
    "/en/accounts/",
    "/en/accounts/profile/",
    "/en/accounts/email/",
    "/en/accounts/password/change/",
    "/en/accounts/alerts/",
    "/en/accounts/delete/",
    "/en/news/sample-members-only-briefing/",
]


def check_page(browser, url, context=None):
    context = context or browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert page.locator("h1").count() == 1, f"{url}: one h1"
    assert page.locator("html").get_attribute("lang"), f"{url}: a language"
    assert page.locator("main").count() == 1, f"{url}: a main landmark"
    page.close()
    return violations


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user(
        "reader@example.org", "reader@example.org", PASSWORD, first_name="Reader"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_every_public_page_template_has_no_axe_violations(browser, site):
    cache.clear()
    problems = {}
    for path in PUBLIC_PAGES:
        violations = check_page(browser, site + path)
        if violations:
            problems[path] = violations
    assert not problems, json.dumps(problems, indent=2)


def test_member_pages_have_no_axe_violations(browser, site, member):
    cache.clear()
    context = browser.new_context()
    page = context.new_page()
    page.goto(site + "/en/accounts/login/")
    page.fill("#id_login", member.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.close()
    problems = {}
    for path in MEMBER_PAGES:
        violations = check_page(browser, site + path, context)
        if violations:
            problems[path] = violations
    assert not problems, json.dumps(problems, indent=2)


def test_the_home_page_and_search_work_with_the_keyboard_alone(browser, site):
    page, _response, _requests = open_page(browser, site + "/en/")
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                return {tag: el.tagName, text: (el.textContent || el.value || '').trim(),
                        name: el.getAttribute('name'),
                        outline: style.outlineStyle !== 'none' || style.boxShadow !== 'none'};
            }"""
        )
        seen.append(info)
        assert info["outline"], f"no visible focus on {info}"
        if info["name"] == "q":
            break
    assert seen[0]["text"] == "Skip to main content"
    search = next((i for i in seen if i["name"] == "q"), None)
    assert search, "the search box is reachable with Tab"
    page.keyboard.type("women")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/en/search/" in page.url
    for _ in range(40):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if href.startswith("/en/news/new-report"):
            break
    else:
        pytest.fail("Tab never reached the report in the search results")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text().startswith("New report")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "keyboard-report.png")
    assert NewsItem.objects.published().exists()
    page.context.close()


def test_report_pages_print_without_navigation_and_with_link_addresses(browser, site):
    page, _response, _requests = open_page(
        browser, site + "/en/news/new-report-womens-participation-in-local-politics/"
    )
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "[...document.querySelectorAll('.site-header, .site-nav, .site-footer')]"
        ".map(el => getComputedStyle(el).display)"
    )
    assert hidden and set(hidden) == {"none"}
    after = page.locator("main .download a").first.evaluate(
        "el => getComputedStyle(el, '::after').content"
    )
    assert "/documents/" in after and ".pdf" in after  # the document's readable address
    page.pdf(path=str(ARTIFACTS / "report-print.pdf"))
    page.context.close()
