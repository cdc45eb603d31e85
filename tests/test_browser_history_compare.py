"""The history's compare view in a real Chromium, under the admin's Content-Security-Policy: a
publisher compares two versions of a news item edited in English and French and reads the
words removed and added, with no policy violation and no accessibility fault. The screenshot
is the staff guide's (docs/admin-compare.png). Skips without Chromium."""

import pytest
import reversion
from django.core.cache import cache

from news.models import NewsItem

from .helpers import DOCS, Visitor, axe_violations, make_staff

pytestmark = pytest.mark.browser

BODY_EN = (
    "<p>The council of Kampong Cham and its partners in Alberta met in March to plan the "
    "new riverside market.</p>"
    "<h2>What was agreed</h2>"
    "<ul><li><p>Stalls for forty farmers, open every Saturday.</p></li>"
    "<li><p>A cold room for fish, shared by the vendors.</p></li></ul>"
    "<p>The market opens in June.</p>"
)
BODY_EN_EDITED = (
    "<p>The council of Kampong Cham and its partners in Alberta met in April to plan the "
    "new riverside market, with the provincial department of commerce.</p>"
    "<h2>What was agreed</h2>"
    "<ul><li><p>Stalls for sixty farmers, open every Saturday and Sunday.</p></li>"
    "<li><p>A cold room for fish, shared by the vendors.</p></li></ul>"
    '<p>The market opens in July. <a href="https://example.org/plan">Read the plan</a>.</p>'
)
BODY_FR = "<p>Le marché ouvre en juin, chaque samedi.</p>"
BODY_FR_EDITED = "<p>Le marché ouvre en juillet, chaque samedi et dimanche.</p>"


def save_version(item, staff, comment, **fields):
    with reversion.create_revision():
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()
        reversion.set_user(staff)
        reversion.set_comment(comment)


def test_a_publisher_reads_what_changed_between_two_versions(browser, site, django_user_model):
    cache.clear()
    staff = make_staff(django_user_model)
    item = NewsItem.objects.published().first()
    save_version(
        item,
        staff,
        "First draft of the market story.",
        title_en="Kampong Cham plans a riverside market",
        title_fr="Kampong Cham prépare un marché au bord du fleuve",
        body_en=BODY_EN,
        body_fr=BODY_FR,
    )
    save_version(
        item,
        staff,
        "Dates and numbers from the April meeting.",
        title_en="Kampong Cham plans a bigger riverside market",
        body_en=BODY_EN_EDITED,
        body_fr=BODY_FR_EDITED,
    )

    visitor = Visitor(browser, site)
    page = visitor.page
    visitor.goto("/admin/")
    visitor.log_in(staff.email, path=page.url.removeprefix(site))
    visitor.goto(f"/admin/news/newsitem/{item.pk}/history/")
    page.get_by_role("button", name="compare").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "/history/compare/" in page.url

    headings = page.locator(".compare-field h2").all_inner_texts()
    assert headings == ["Title (English)", "Body (English)", "Body (French)"]
    body = page.locator(".compare-field", has=page.get_by_role("heading", name="Body (English)"))
    removed, added = body.locator("del").all_inner_texts(), body.locator("ins").all_inner_texts()
    assert {"March", "forty", "June"} <= set(removed)
    assert {"April", "sixty", "July"} <= set(added)
    assert "Read the plan (https://example.org/plan)" in body.inner_text()
    assert "<p>" not in body.inner_text()
    # Wrapped, not cut off: the longest paragraph fits the page's width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    french = page.locator(".compare-field", has=page.get_by_role("heading", name="Body (French)"))
    assert french.locator("del").all_inner_texts() == ["juin"]

    assert axe_violations(page) == []
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / "admin-compare.png", full_page=True)
    visitor.check()
    visitor.close()
