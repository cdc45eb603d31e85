"""The Khmer home page in a real Chromium: its Khmer text is drawn with Noto Sans Khmer, loaded
from the site's own static files and nowhere else. Writes docs/home-km.png, the picture in
docs/languages.md. Skips without Chromium, except in CI (MPED_REQUIRE_BROWSER=1)."""

import pytest

from .helpers import DOCS

pytestmark = pytest.mark.browser

FONT = "Noto Sans Khmer"


def rendered_fonts(page, selector):
    """The fonts Chromium really drew an element's text with (DevTools' "Rendered Fonts")."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"]: font for font in fonts}


def test_khmer_home_page_is_drawn_with_our_own_khmer_font(browser, site):
    context = browser.new_context(locale="km-KH", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request))
    response = page.goto(site + "/km/")
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "km"

    faces = page.evaluate(
        """async (family) => {
            await document.fonts.ready;
            return [...document.fonts]
                .filter((face) => face.family.replaceAll('"', "") === family)
                .map((face) => [face.weight, face.status]);
        }""",
        FONT,
    )
    assert ["400", "loaded"] in faces
    assert page.evaluate(f"document.fonts.check('16px \"{FONT}\"', 'ក')")

    # The navigation's "ទំព័រដើម" (Home) is drawn with it, glyphs and all: no boxes.
    home = page.locator("nav.site-nav a").first
    assert home.inner_text() == "ទំព័រដើម"
    fonts = rendered_fonts(page, "nav.site-nav a")
    assert FONT in fonts and fonts[FONT]["isCustomFont"], fonts
    assert fonts[FONT]["glyphCount"] >= 4
    # More line height for the stacked vowels and subscripts than the English pages' 1.6.
    line_height = page.locator("body").evaluate(
        "el => parseFloat(getComputedStyle(el).lineHeight)"
        " / parseFloat(getComputedStyle(el).fontSize)"
    )
    assert line_height == pytest.approx(1.8, abs=0.01)

    fonts_loaded = [request.url for request in requests if request.resource_type == "font"]
    assert fonts_loaded, "no font was requested"
    assert all(url.startswith(f"{site}/static/fonts/") for url in fonts_loaded), fonts_loaded
    assert f"{site}/static/fonts/noto-sans-khmer-khmer-400-normal.woff2" in fonts_loaded

    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / "home-km.png", full_page=True)
    context.close()


def test_english_home_page_needs_the_khmer_font_only_for_the_switchers_khmer(browser, site):
    """The Latin text keeps the system fonts: on an English page the only Khmer is the language
    switcher's "ខ្មែរ", which is drawn with our font too."""
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.goto(site + "/en/")
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    fonts = rendered_fonts(page, 'nav.language-switcher a[lang="km"]')
    assert FONT in fonts, fonts
    body_fonts = rendered_fonts(page, ".skip-link")
    assert FONT not in body_fonts, body_fonts
    fonts_loaded = [request.url for request in requests if request.resource_type == "font"]
    assert all(url.startswith(f"{site}/static/fonts/") for url in fonts_loaded), fonts_loaded
    context.close()
