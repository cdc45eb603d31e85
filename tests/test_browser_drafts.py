"""A draft of a live item in a real Chromium, under the admin's Content-Security-Policy: an
editor opens a published report (which editors could not change before), changes its English
and French titles and saves; the form comes back with the draft's text and the banner that says
readers see the live version, which a reader still does. No policy violation, no accessibility
fault in the banner. The screenshot is the staff guide's (docs/admin-draft-of-live.png). Skips
without Chromium."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse

from editorial.drafts import draft_for
from news.models import Kind

from .helpers import AXE, BROWSER_PASSWORD, DOCS, WCAG_TAGS, Visitor, make_news

pytestmark = pytest.mark.browser

OLD_TITLE = "Water tariffs in Kampot"
NEW_TITLE = "Water tariffs in Kampot and Kep"
NEW_TITLE_FR = "Les tarifs de l'eau à Kampot et Kep"


def test_an_editor_saves_a_draft_of_a_live_report(browser, site, django_user_model):
    cache.clear()
    report = make_news(
        OLD_TITLE,
        kind=Kind.REPORT,
        summary="What households pay for piped water.",
        title_fr="Les tarifs de l'eau à Kampot",
    )
    editor = django_user_model.objects.create_user(
        "editor", "editor@example.org", BROWSER_PASSWORD, is_staff=True, first_name="Eda"
    )
    # The groups come from migrations, which a live server test's flush undoes.
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="news",
            codename__in=["view_newsitem", "add_newsitem", "change_newsitem"],
        )
    )
    EmailAddress.objects.create(user=editor, email=editor.email, verified=True, primary=True)
    change_path = reverse("admin:news_newsitem_change", args=[report.pk])

    visitor = Visitor(browser, site, viewport={"width": 1280, "height": 1000})
    visitor.goto("/admin/")
    visitor.log_in("editor@example.org", path=visitor.page.url.removeprefix(site))
    visitor.goto(change_path)
    page = visitor.page
    banner = page.locator("#draft-banner")
    assert "Saving keeps your changes as a draft" in banner.inner_text()
    page.locator("#id_title_en").fill(NEW_TITLE)
    page.get_by_role("tab", name="Français").click()  # each language is a tab
    page.locator("#id_title_fr").fill(NEW_TITLE_FR)
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    visitor.record()

    assert "saved as a draft" in page.locator(".messagelist").inner_text()
    assert "Readers see the live version; your changes are a draft." in banner.inner_text()
    assert banner.get_by_role("link", name="Compare with live").is_visible()
    assert banner.get_by_role("link", name="Discard draft").is_visible()
    assert page.locator("#id_title_en").input_value() == NEW_TITLE
    assert page.locator("#id_title_fr").input_value() == NEW_TITLE_FR
    # An editor's form has no Publish changes.
    assert page.get_by_role("button", name="Publish changes").count() == 0
    assert draft_for(report).data["fields"]["title_en"] == NEW_TITLE

    visitor.check()  # before axe, whose checks set inline styles the policy refuses
    # The banner itself (the change form's editor widgets and breadcrumbs are Django's and the
    # editor library's, checked elsewhere).
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run('#draft-banner', {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert [violation["id"] for violation in result["violations"]] == []
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / "admin-draft-of-live.png")

    reader = Visitor(browser, site)
    reader.goto(report.get_absolute_url())
    assert reader.page.locator("h1").inner_text() == OLD_TITLE
    reader.check()
    reader.close()
    visitor.close()
