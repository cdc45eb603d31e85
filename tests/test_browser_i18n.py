"""The language switcher in a real Chromium: a reader on a news item switches to French and to
Khmer and stays on the same item; a first visit follows the browser's language. Skips without
Chromium, except in CI (MPED_REQUIRE_BROWSER=1)."""

import pytest

from news.models import NewsItem

from .helpers import ARTIFACTS, open_page

pytestmark = pytest.mark.browser

REPORT = "new-report-womens-participation-in-local-politics"


def switcher(page):
    # (Its name is in the page's language: "Language", "Langue"…)
    return page.locator("nav.language-switcher")


def alternate(page, language):
    return page.locator(f'link[rel="alternate"][hreflang="{language}"]').get_attribute("href")


def test_the_switcher_keeps_the_reader_on_the_same_news_item(browser, site):
    english_url = f"{site}/en/news/{REPORT}/"
    page, response, _requests = open_page(browser, english_url)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    title = NewsItem.objects.get(slug=REPORT).title
    assert page.locator("h1").inner_text() == title
    assert page.get_by_role("navigation", name="Language").count() == 1
    current = switcher(page).locator('a[aria-current="true"]')
    assert current.inner_text() == "English"

    for language, name in [("fr", "Français"), ("km", "ខ្មែរ")]:
        switcher(page).get_by_role("link", name=name).click()
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language
        # The same item, in that language: its English version is the page we started from.
        assert page.url.startswith(f"{site}/{language}/news/")
        assert alternate(page, "en") == english_url
        assert page.locator('link[rel="canonical"]').get_attribute("href") == page.url
        assert switcher(page).locator('a[aria-current="true"]').inner_text() == name
        assert page.locator("article, main").first.is_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "news-item-km.png")
    switcher(page).get_by_role("link", name="English").click()
    page.wait_for_load_state("networkidle")
    assert page.url == english_url
    page.context.close()


@pytest.mark.parametrize(
    ("locale", "language"), [("fr-CA", "fr"), ("km-KH", "km"), ("de-DE", "en")]
)
def test_a_first_visit_follows_the_browsers_language(browser, site, locale, language):
    page, response, _requests = open_page(browser, f"{site}/", locale=locale)
    assert response.status == 200
    assert page.url == f"{site}/{language}/"
    assert page.locator("html").get_attribute("lang") == language
    # An old link without a language is kept working the same way.
    page.goto(f"{site}/news/{REPORT}/")
    assert page.url == f"{site}/{language}/news/{REPORT}/"
    page.context.close()
