"""The home page in a real Chromium: it renders, loads nothing from another host, and is
usable with the keyboard. Skips without Chromium, except in CI (MPED_REQUIRE_BROWSER=1)."""

from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from .helpers import ARTIFACTS, open_page

pytestmark = pytest.mark.browser


def test_home_page_renders_from_our_own_origin_only(browser, site):
    page, response, requests = open_page(browser, site + "/en/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Municipal Partners for Economic Development"
    assert page.get_by_role("link", name="Create one now").is_visible()
    assert page.get_by_text("Page Updated: 18 May 2016").is_visible()
    own_host = urlsplit(site).netloc
    foreign = [url for url in requests if urlsplit(url).netloc != own_host]
    assert not foreign, f"requests to other hosts: {foreign}"
    assert any(url.endswith("/static/css/site.css") for url in requests)
    # The stylesheet really applied: the header has the brand colour.
    header_colour = page.locator(".site-header").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert header_colour == "rgb(11, 79, 108)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "home.png", full_page=True)
    page.context.close()


def test_home_page_fits_a_phone(browser, site):
    page, response, _requests = open_page(
        browser, site + "/en/", viewport={"width": 390, "height": 844}, device_scale_factor=1
    )
    assert response.status == 200
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "home-phone.png", full_page=True)
    page.context.close()


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(browser, site):
    page, _response, _requests = open_page(browser, site + "/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.context.close()


def test_news_item_and_partners_pages_render(browser, site):
    for path, heading in [
        ("/en/news/canada-in-the-spotlight/", "Canada in the spotlight"),
        ("/en/partners/", "Partner municipalities"),
        ("/en/program/about-the-league/", "About the National League of Communes/Sangkats"),
    ]:
        page, response, _requests = open_page(browser, site + path)
        assert response.status == 200
        assert page.locator("h1").inner_text() == heading
        page.context.close()


def test_staff_edit_a_title_in_the_admin_and_the_home_page_shows_it_with_todays_date(
    browser, site, django_user_model
):
    editor = django_user_model.objects.create_superuser(
        "editor", "editor@example.org", "A-long-pass-123"
    )
    EmailAddress.objects.create(user=editor, email=editor.email, verified=True, primary=True)
    # The admin sends staff to the site's login page (allauth's, by email address).
    page, _response, _requests = open_page(browser, site + "/admin/")
    page.get_by_label("Email").fill("editor@example.org")
    page.get_by_label("Password").fill("A-long-pass-123")
    page.locator("main").get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="News items", exact=True).first.click()
    page.get_by_role("link", name="Canada in the spotlight").click()
    page.locator("#id_title_en").fill("Canada in the spotlight, again")
    # A live item: Save would keep a draft; Publish changes saves and publishes.
    page.get_by_role("button", name="Publish changes", exact=True).click()
    assert "are published: readers see them now" in page.locator(".messagelist").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "admin-news.png")
    page.goto(site + "/en/")
    assert page.get_by_role("link", name="Canada in the spotlight, again", exact=True).is_visible()
    today = timezone.localdate()
    today = f"{today.day} {today:%B %Y}"
    assert page.get_by_text(f"Page Updated: {today}").is_visible()
    page.context.close()
