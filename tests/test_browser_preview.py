"""Preview before saving, in a real Chromium: an editor changes a draft's title and body in the
admin, presses Preview, and a new tab shows the unsaved text in the public layout with its
banner; the phone width shows the page 390 pixels wide. No script is needed for the switches
and no page reports a Content-Security-Policy violation. Skips without Chromium."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.cache import cache

from news.models import NewsItem

from .helpers import BROWSER_PASSWORD, DOCS, Visitor, axe_violations, make_news

pytestmark = pytest.mark.browser

NEW_TITLE = "Farmers' market in Kang Meas opens every Saturday"


def make_editor(django_user_model):
    """Staff who may add and change news items, not publish them (the Editors group's rights
    on news; the group itself comes from a migration that a live-server test's flush undoes)."""
    user = django_user_model.objects.create_user(
        "writer", "writer@example.org", BROWSER_PASSWORD, is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="news",
            codename__in=["view_newsitem", "add_newsitem", "change_newsitem"],
        )
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def frame_violations(page):
    return [found for frame in page.frames for found in frame.evaluate("window.__csp || []")]


def test_an_editor_previews_unsaved_changes_in_a_new_tab_at_desktop_and_phone_width(
    browser, site, django_user_model
):
    cache.clear()
    draft = make_news(
        "Farmers' market in Kang Meas",
        slug="farmers-market-in-kang-meas",
        published=False,
        body="<p>The council planned the market with its partners.</p>",
    )
    editor = make_editor(django_user_model)
    items = NewsItem.objects.count()
    person = Visitor(browser, site, viewport={"width": 1400, "height": 900})
    person.goto("/admin/")
    person.log_in(editor.email, path=person.page.url.removeprefix(site))
    person.goto(f"/admin/news/newsitem/{draft.pk}/change/")
    form = person.page
    form.locator("#id_title_en").fill(NEW_TITLE)
    body = form.locator(".field-body_en .ProseMirror[contenteditable=true]")
    body.click()
    form.keyboard.press("Control+End")
    form.keyboard.press("Enter")
    form.keyboard.type("Stalls are free for the first month.")

    with person.context.expect_page() as opened:
        form.get_by_role("button", name="Preview").click()
    tab = opened.value
    tab.wait_for_load_state("networkidle")
    assert tab is not form and form.url.endswith(f"/admin/news/newsitem/{draft.pk}/change/")
    assert "Preview — not published" in tab.locator(".preview-toolbar").inner_text()
    page = tab.frame_locator("iframe.preview-frame-desktop")
    assert page.locator("h1").inner_text() == NEW_TITLE
    assert "Stalls are free for the first month." in page.locator(".rich-text").inner_text()
    assert "Preview — not published" in page.locator(".preview-banner").inner_text()
    assert "Unsaved changes (Draft)" in page.locator(".preview-banner").inner_text()

    # Phone width: a link, no script.
    tab.locator(".preview-toolbar").get_by_role("link", name="Phone").click()
    tab.wait_for_load_state("networkidle")
    phone = tab.locator("iframe.preview-frame-phone")
    assert phone.is_visible() and tab.locator("iframe.preview-frame-desktop").count() == 0
    phone_frame = next(frame for frame in tab.frames if frame.parent_frame is not None)
    assert phone_frame.evaluate("window.innerWidth") == 390
    assert phone_frame.locator("h1").inner_text() == NEW_TITLE

    tab.locator(".preview-toolbar").get_by_role("link", name="Side by side").click()
    tab.wait_for_load_state("networkidle")
    assert tab.locator("iframe.preview-frame-desktop").is_visible()
    assert tab.locator("iframe.preview-frame-phone").is_visible()
    assert axe_violations(tab) == []
    DOCS.mkdir(exist_ok=True)
    tab.screenshot(path=DOCS / "admin-preview.png")

    # In French: the same unsaved data, the French interface around it.
    tab.locator(".preview-toolbar").get_by_role("link", name="Français").click()
    tab.wait_for_load_state("networkidle")
    french = tab.frame_locator("iframe.preview-frame-desktop")
    assert french.locator("html").get_attribute("lang") == "fr"
    assert "Aperçu — non publié" in french.locator(".preview-banner").inner_text()

    assert frame_violations(tab) == []
    person.record()
    person.check()
    draft.refresh_from_db()
    assert draft.title == "Farmers' market in Kang Meas", "a preview saves nothing"
    assert NewsItem.objects.count() == items
    person.close()
