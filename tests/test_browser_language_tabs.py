"""A change form's languages as tabs in a real Chromium, under the admin's Content-Security-
Policy: English first and shown, a mark on the languages with text to translate, the arrow keys,
Home and End; the French mark goes while the translator types the French (the rich-text editor
of the French tab works) and stays gone after saving; the tab last shown is shown again; after a
failed save, the tab with the error. The admin draws Khmer with the site's own Noto Sans Khmer on
a computer without a Khmer font. Writes docs/language-tabs.png. Skips without Chromium."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from news.models import NewsItem

from .helpers import AXE, DOCS, WCAG_TAGS, Visitor, make_news, make_staff

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 900}
FONT = "Noto Sans Khmer"


def open_form(browser, site, item):
    visitor = Visitor(browser, site, viewport=VIEWPORT)
    visitor.goto("/admin/")
    visitor.log_in("chief@example.org", path=visitor.page.url.removeprefix(site))
    visitor.goto(reverse("admin:news_newsitem_change", args=[item.pk]))
    return visitor


def selected(page):
    return page.locator("[role=tab][aria-selected=true]").inner_text().split("\n")[0].strip()


def tab(page, name):
    return page.get_by_role("tab", name=name)


def axe(visitor, selector):
    """axe-core's faults in `selector`, after our own policy's violations are checked (axe sets
    inline styles that the policy refuses)."""
    page = visitor.page
    visitor.record()
    visitor.check()
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "([selector, tags]) => axe.run(selector, {runOnly: {type: 'tag', values: tags}})",
        [selector, WCAG_TAGS],
    )
    page.evaluate("window.__csp = []")
    visitor.console.clear()
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


def rendered_fonts(page, selector):
    """The fonts Chromium really drew an element's text with (DevTools' "Rendered Fonts")."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"]: font for font in fonts}


def test_a_translator_fills_the_french_tab_and_its_mark_goes(browser, site, django_user_model):
    make_staff(django_user_model)
    item = make_news(
        "Kampot councils plan their water budget",
        published=False,
        summary="Three councils planned their budget with their Canadian partners.",
        body="<p>The councils met in March.</p>",
        title_fr="Les communes de Kampot planifient leur budget de l'eau",
    )
    visitor = open_form(browser, site, item)
    page = visitor.page

    # English first and shown; French and Khmer marked.
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(3)
    assert [name.split("\n")[0] for name in tabs.all_inner_texts()] == [
        "English",
        "Français",
        "ខ្មែរ",
    ]
    assert selected(page) == "English"
    expect(page.locator("#id_title_en")).to_be_visible()
    expect(page.locator("#id_title_fr")).to_be_hidden()
    expect(tab(page, "Français (2 to translate)")).to_be_visible()
    expect(tab(page, "ខ្មែរ (3 to translate)")).to_be_visible()
    expect(tab(page, "Français").locator(".language-tab-mark")).to_be_visible()
    expect(tab(page, "English").locator(".language-tab-mark")).to_be_hidden()
    # The other fields stay where they were, outside the tabs.
    expect(page.locator("#id_slug")).to_be_visible()
    expect(page.locator(".language-tabs #id_slug")).to_have_count(0)

    # The keyboard: one tab in the tab order; arrows (round), Home and End show the language.
    assert page.locator("[role=tab][tabindex='0']").count() == 1
    tab(page, "English").focus()
    page.keyboard.press("ArrowRight")
    assert selected(page) == "Français"
    assert page.evaluate("document.activeElement.id") == "language-tab-fr"
    expect(page.locator("#id_title_fr")).to_be_visible()
    expect(page.locator("#id_title_en")).to_be_hidden()
    page.keyboard.press("End")
    assert selected(page) == "ខ្មែរ"
    page.keyboard.press("ArrowRight")
    assert selected(page) == "English"
    page.keyboard.press("ArrowLeft")
    assert selected(page) == "ខ្មែរ"
    page.keyboard.press("Home")
    assert selected(page) == "English"
    page.keyboard.press("Tab")  # out of the tab list, into the English fields
    assert page.evaluate("document.activeElement.getAttribute('role')") != "tab"
    assert axe(visitor, ".language-tablist") == []

    # French: the summary, then the body in the rich-text editor; the mark goes as it is typed.
    tab(page, "Français").click()
    page.fill("#id_summary_fr", "Trois communes ont planifié leur budget avec leurs partenaires.")
    expect(tab(page, "Français (1 to translate)")).to_be_visible()
    expect(page.locator("#language-fr legend")).to_contain_text("1 to translate")
    editor = page.locator("#language-fr .field-body_fr .ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Les communes se sont réunies en mars.")
    page.keyboard.press("Control+b")
    page.keyboard.type(" En gras.")
    expect(page.locator("#language-fr")).to_have_attribute("class", "module language-section")
    expect(tab(page, "Français").locator(".language-tab-mark")).to_be_hidden()
    assert page.get_by_role("tab", name="Français", exact=True).count() == 1
    expect(tab(page, "ខ្មែរ (3 to translate)")).to_be_visible()
    # Emptying an English text that French lacks nothing for changes nothing; emptying the
    # French summary brings the mark back.
    page.fill("#id_summary_fr", "")
    expect(tab(page, "Français (1 to translate)")).to_be_visible()
    page.fill("#id_summary_fr", "Trois communes ont planifié leur budget avec leurs partenaires.")
    expect(tab(page, "Français").locator(".language-tab-mark")).to_be_hidden()

    DOCS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=DOCS / "language-tabs.png")

    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    item = NewsItem.objects.get(pk=item.pk)
    assert item.summary_fr == "Trois communes ont planifié leur budget avec leurs partenaires."
    assert item.body_fr == "<p>Les communes se sont réunies en mars.<strong> En gras.</strong></p>"
    assert item.body_en == "<p>The councils met in March.</p>"
    # Saved: the French tab is shown again (this browser tab remembers it), without its mark.
    assert selected(page) == "Français"
    expect(page.locator("#language-fr")).to_have_attribute("class", "module language-section")
    expect(tab(page, "Français").locator(".language-tab-mark")).to_be_hidden()
    expect(tab(page, "ខ្មែរ (3 to translate)")).to_be_visible()

    # A failed save shows the tab of the field in error, not the one remembered.
    tab(page, "English").click()
    page.fill("#id_title_en", "")
    tab(page, "Français").click()
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert selected(page) == "English"
    expect(page.locator("#language-en .errorlist").first).to_be_visible()
    visitor.check()
    visitor.close()


def test_the_admin_draws_khmer_with_the_sites_own_font(browser, site, django_user_model):
    """On a computer whose only fonts are DejaVu (no Khmer), Khmer typed in the admin is drawn
    with Noto Sans Khmer from our static files, not as boxes."""
    make_staff(django_user_model)
    item = make_news("Water for Kampot", published=False, title_km="ទឹកសម្រាប់កំពត")
    visitor = open_form(browser, site, item)
    page = visitor.page
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.reload()
    page.wait_for_load_state("networkidle")
    tab(page, "ខ្មែរ").click()
    expect(page.locator("#id_title_km")).to_have_value("ទឹកសម្រាប់កំពត")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.evaluate(f"document.fonts.check('16px \"{FONT}\"', 'ក')")
    for selector in ["#id_title_km", "#language-tab-km .language-tab-name"]:
        fonts = rendered_fonts(page, selector)
        assert FONT in fonts and fonts[FONT]["isCustomFont"], (selector, fonts)
    fonts_loaded = [request.url for request in requests if request.resource_type == "font"]
    assert f"{site}/static/fonts/noto-sans-khmer-khmer-400-normal.woff2" in fonts_loaded
    assert all(url.startswith(f"{site}/static/") for url in fonts_loaded), fonts_loaded
    # Latin text keeps the admin's own fonts.
    assert FONT not in rendered_fonts(page, "#language-tab-en .language-tab-name")
    visitor.check()
    visitor.close()


def test_without_javascript_the_languages_are_stacked_sections(browser, site, django_user_model):
    make_staff(django_user_model)
    item = make_news("Water for Kampot", published=False)
    visitor = Visitor(browser, site, viewport=VIEWPORT, java_script_enabled=False)
    visitor.goto("/admin/")
    page = visitor.page
    visitor.log_in("chief@example.org", path=page.url.removeprefix(site))
    visitor.goto(reverse("admin:news_newsitem_change", args=[item.pk]))
    expect(page.get_by_role("tab")).to_have_count(0)
    for lang in ["en", "fr", "km"]:
        expect(page.locator(f"#language-{lang} legend")).to_be_visible()
        expect(page.locator(f"#id_title_{lang}")).to_be_visible()
    tops = [page.locator(f"#language-{lang}").bounding_box()["y"] for lang in ["en", "fr", "km"]]
    assert tops == sorted(tops)
    expect(page.locator("#language-fr legend")).to_contain_text("Français — 2 to translate")
    visitor.close()
