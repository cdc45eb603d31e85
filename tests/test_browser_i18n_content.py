"""Staff translate a news item in Chromium: the admin shows a rich-text editor for the body in
each language, under the admin's Content-Security-Policy, and readers see the French text.
Skips without Chromium, except in CI."""

import pytest
from django.core.cache import cache

from news.models import NewsItem

from .helpers import Visitor, make_staff

pytestmark = pytest.mark.browser


def test_staff_write_a_french_body_in_its_own_editor_and_readers_see_it(
    browser,
    site,
    django_user_model,
):
    cache.clear()
    staff = make_staff(django_user_model)
    item = NewsItem.objects.get(slug="sample-members-only-briefing")
    NewsItem.objects.filter(pk=item.pk).update(body_fr="", is_members_only=False)
    visitor = Visitor(browser, site)
    page = visitor.page
    visitor.goto("/admin/")
    visitor.log_in(staff.email, path=page.url.removeprefix(site))

    visitor.goto(f"/admin/news/newsitem/{item.pk}/change/")
    # Each language is a tab (editorial/language_tabs.py): its own editor in each.
    for lang, name in [("en", "English"), ("fr", "Français"), ("km", "ខ្មែរ")]:
        page.get_by_role("tab", name=name).click()
        page.locator(f".field-body_{lang} .ProseMirror[contenteditable=true]").wait_for()
        assert not page.locator(f"#id_body_{lang}").is_visible()
    page.get_by_role("tab", name="Français").click()
    french = page.locator(".field-body_fr .ProseMirror[contenteditable=true]")
    french.click()
    page.keyboard.type("Un exemple de note réservée aux membres.")
    # A live item: Save would keep a draft; Publish changes saves and publishes.
    page.get_by_role("button", name="Publish changes").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "are published: readers see them now" in page.locator(".messagelist").inner_text()
    item.refresh_from_db()
    assert item.body_fr == "<p>Un exemple de note réservée aux membres.</p>"
    assert item.body_en.startswith("<p>This is sample content")

    visitor.goto(f"/fr/news/{item.slug}/")
    assert "Un exemple de note réservée aux membres." in page.locator(".rich-text").inner_text()
    visitor.goto(f"/km/news/{item.slug}/")
    assert page.locator(".rich-text [lang=en]").inner_text().startswith("This is sample content")
    visitor.check()
