"""The editorial dashboard in a real Chromium: accessible (axe), styled by its own stylesheet,
and under the admin's Content-Security-Policy without a violation. Skips without Chromium."""

import pytest

from .helpers import AXE, WCAG_TAGS, Visitor, make_news, make_staff

pytestmark = pytest.mark.browser


def test_the_dashboard_is_accessible_styled_and_within_the_policy(
    browser,
    site,
    django_user_model,
):
    make_news("A draft to finish", published=False)
    staff = make_staff(django_user_model)
    visitor = Visitor(browser, site)
    visitor.log_in(staff.email, path="/en/accounts/login/?next=/admin/")
    page = visitor.page
    assert page.url == site + "/admin/"

    drafts = page.locator("#dashboard-drafts")
    assert drafts.get_by_role("heading", name="Drafts in progress").is_visible()
    drafts.get_by_role("link", name="A draft to finish").click()
    page.wait_for_load_state("networkidle")
    assert "/admin/news/newsitem/" in page.url and page.url.endswith("/change/")
    visitor.goto("/admin/")

    # The stylesheet applied: sections side by side, not Django's 600px column.
    columns = page.locator(".dashboard-sections").evaluate(
        "el => getComputedStyle(el).gridTemplateColumns.split(' ').length"
    )
    assert columns >= 2

    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run('.dashboard-sections', {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    assert result["violations"] == [], [v["id"] for v in result["violations"]]
    visitor.check()
    visitor.close()
