"""Translating side by side in a real Chromium (editorial/translate.py), under the admin's
Content-Security-Policy: a translator fills the French side of a report, saves it as a draft,
then publishes it; the public French page shows it and the change form's French section loses its
"missing" mark. The two columns stack on a narrow screen; Khmer uses the Khmer font. Screenshots
for the staff guide: docs/translate-view.png and docs/dashboard-needs-translation.png. Skips
without Chromium."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from news.models import Kind

from .helpers import AXE, DOCS, WCAG_TAGS, Visitor, make_municipality, make_news, make_staff

pytestmark = pytest.mark.browser

TITLE = "Local economic development in Kampot: lessons from five years"
TITLE_FR = "Le développement économique local à Kampot : les leçons de cinq ans"
SUMMARY_FR = "Ce que les communes et leurs partenaires canadiens ont appris depuis 2020."
BODY_FR = "Les marchés de la province ont doublé en cinq ans."


def test_a_translator_fills_the_french_side_of_a_report_and_readers_see_it(
    browser, site, django_user_model
):
    cache.clear()
    report = make_news(
        TITLE,
        kind=Kind.REPORT,
        summary="What the communes and their Canadian partners learned since 2020.",
        body="<p>The province's <strong>markets</strong> doubled in five years.</p>"
        "<ul><li>Fourteen new markets</li><li>Two farmers' cooperatives</li></ul>",
        meta_description="Five years of local economic development in Kampot.",
    )
    make_municipality(
        "Town of Hinton", summary="A mountain town in Alberta, partner of Kampot since 2021."
    )
    staff = make_staff(django_user_model)
    change_path = reverse("admin:news_newsitem_change", args=[report.pk])
    translate_path = reverse("admin:news_newsitem_translate", args=[report.pk, "fr"])

    visitor = Visitor(browser, site, viewport={"width": 1280, "height": 1100})
    visitor.log_in(staff.email, path=f"/en/accounts/login/?next={change_path}")
    page = visitor.page
    assert page.url == site + change_path
    # The change form's French section (editorial/language_tabs.py) is marked: text missing.
    french_section = page.locator("fieldset#language-fr")
    assert "language-missing" in french_section.get_attribute("class")

    # The dashboard lists the report in both languages' "Needs translation".
    visitor.goto("/admin/")
    french = page.locator("#dashboard-translation-fr")
    khmer = page.locator("#dashboard-translation-km")
    assert french.get_by_role("heading", name="Needs translation: French").is_visible()
    assert khmer.get_by_role("link", name=TITLE, exact=True).is_visible()
    screenshot_sections(page, [french, khmer], DOCS / "dashboard-needs-translation.png")
    visitor.goto(change_path)

    # From the change form's object tools to the side-by-side view.
    page.get_by_role("link", name="Translate into French").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert page.url == site + translate_path
    assert "0 of 4 fields translated" in page.locator(".translate-progress").inner_text()
    english_body = page.locator(".translate-english.translate-rich").first
    assert english_body.get_attribute("lang") == "en"
    assert english_body.locator("strong").inner_text() == "markets"  # rendered, not code
    assert english_body.locator("li").count() == 2
    # Two columns side by side on a wide screen.
    row = page.locator(".translate-row").first
    assert row.evaluate("el => getComputedStyle(el).gridTemplateColumns.split(' ').length") == 2

    page.get_by_label("Title: French").fill(TITLE_FR)
    page.get_by_label("Summary: French").fill(SUMMARY_FR)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "saved as a draft" in page.locator(".messagelist").inner_text()
    assert "2 of 4 fields translated" in page.locator(".translate-progress").inner_text()
    assert page.get_by_label("Title: French").input_value() == TITLE_FR
    # Readers still see the English.
    reader = Visitor(browser, site)
    with translation.override("fr"):
        french_url = report.get_absolute_url()
    reader.goto(french_url)
    assert reader.page.locator("h1 [lang=en]").inner_text() == TITLE  # marked untranslated

    # The staff guide's picture: the French side half done, the body still to translate.
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / "translate-view.png", full_page=True)

    # The body in the change form's rich-text editor.
    editor = page.locator(".translate-input .ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type(BODY_FR)
    page.get_by_label("Description for search engines and sharing: French").fill(
        "Cinq ans de développement économique local à Kampot."
    )
    visitor.check()  # before axe, whose checks set inline styles the policy refuses
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run('#content-main', {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert [violation["id"] for violation in result["violations"]] == []
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "is published" in page.locator(".messagelist").inner_text()
    assert "4 of 4 fields translated" in page.locator(".translate-progress").inner_text()

    reader.goto(french_url)
    assert reader.page.locator("h1").inner_text() == TITLE_FR
    assert BODY_FR in reader.page.locator("main").inner_text()
    reader.check()
    reader.close()

    # The tab mark is gone from the change form's French section.
    visitor.goto(change_path)
    assert "language-missing" not in (french_section.get_attribute("class") or "")

    # On a narrow screen the columns stack, each side named.
    page.set_viewport_size({"width": 600, "height": 900})
    visitor.goto(translate_path.replace("/fr/", "/km/"))
    row = page.locator(".translate-row").first
    assert row.evaluate("el => getComputedStyle(el).gridTemplateColumns.split(' ').length") == 1
    assert page.locator(".translate-source .translate-language").first.is_visible()
    # Khmer text in the admin: the Khmer font the public site ships.
    title_km = page.get_by_label("Title: Khmer")
    assert title_km.get_attribute("lang") == "km"
    title_km.fill("ការអភិវឌ្ឍសេដ្ឋកិច្ចមូលដ្ឋាន")
    font = title_km.evaluate("el => getComputedStyle(el).fontFamily")
    assert "Noto Sans Khmer" in font
    assert page.evaluate("document.fonts.load('16px \"Noto Sans Khmer\"', 'ក').then(f => f.length)")
    visitor.check()

    # The dashboard: translated into French now, still to do in Khmer.
    page.set_viewport_size({"width": 1280, "height": 1100})
    visitor.goto("/admin/")
    assert french.get_by_role("link", name=TITLE, exact=True).count() == 0
    khmer.get_by_role("link", name=TITLE, exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.url == site + translate_path.replace("/fr/", "/km/")
    visitor.check()
    visitor.close()


def screenshot_sections(page, sections, path):
    """A picture of the page around `sections` (side by side or one under the other)."""
    sections[0].scroll_into_view_if_needed()
    boxes = [section.bounding_box() for section in sections]
    scrolled = page.evaluate("window.scrollY")
    left = min(box["x"] for box in boxes)
    top = min(box["y"] for box in boxes)
    clip = {
        "x": left,
        "y": top + scrolled,
        "width": max(box["x"] + box["width"] for box in boxes) - left,
        "height": max(box["y"] + box["height"] for box in boxes) - top,
    }
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=path, clip=clip, full_page=True)
