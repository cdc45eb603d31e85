"""The partnership map in a real Chromium: it renders from our own origin, the keyboard reaches
its markers, pointing at one names it, and the partners page fits a phone."""

from decimal import Decimal

import pytest

from .helpers import DOCS, make_municipality, only_own_host, open_page

pytestmark = pytest.mark.browser


def test_the_map_renders_from_our_own_origin(browser, site):
    page, response, requests = open_page(
        browser, site + "/en/partners/", viewport={"width": 1100, "height": 900}
    )
    assert response.status == 200
    only_own_host(requests, site)
    drawing = page.locator("div.map")  # two <svg>, a panel each, side by side
    box = drawing.bounding_box()
    assert box["width"] > 900 and box["height"] > 400
    assert page.locator(".map .map-land-home").count() >= 2  # provinces, Cambodia
    assert page.locator(".map a.map-marker").count() == 4
    # Each panel draws the curve; each shows the half over it.
    assert page.locator(".map-panel-ca path.map-link").count() == 1
    assert page.locator(".map-panel-kh path.map-link").count() == 1
    # The stylesheet really styled it: the partner country's land, the markers' colours.
    colour = page.locator(".map-marker-ca .map-marker-dot").first.evaluate(
        "el => getComputedStyle(el).fill"
    )
    assert colour == "rgb(11, 79, 108)"
    assert page.locator(".map-marker-kh .map-marker-dot").evaluate(
        "el => getComputedStyle(el).fill"
    ) == ("rgb(179, 38, 30)")
    label = page.locator(".map a.map-marker .map-label").first
    assert label.evaluate("el => getComputedStyle(el).opacity") == "1"
    assert page.get_by_role("link", name="County of Newell, Alberta, Canada").is_visible()
    DOCS.mkdir(exist_ok=True)
    page.locator("figure.partner-map").screenshot(path=DOCS / "map.png")
    page.context.close()


def test_tab_reaches_a_marker_and_shows_its_name(browser, site):
    # Leduc is next door to Beaumont: its name would cover Beaumont's, so it waits for focus.
    make_municipality(
        "City of Leduc", region="Alberta", latitude=Decimal("53.2723"), longitude="-113.5497"
    )
    page, _response, requests = open_page(
        browser, site + "/en/partners/", viewport={"width": 1100, "height": 900}
    )
    label = page.locator(".map-label-on-demand")
    assert label.count() == 1
    assert label.evaluate("el => getComputedStyle(el).opacity") == "0"
    hidden_name = label.inner_html()
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if focused.startswith(hidden_name):
            break
    else:
        pytest.fail(f"Tab never reached the marker of {hidden_name}")
    assert label.evaluate("el => getComputedStyle(el).opacity") == "1"
    marker = page.locator("a.map-marker:focus")
    ring = marker.locator(".map-marker-ring").evaluate("el => getComputedStyle(el).fill")
    assert ring == "rgb(255, 191, 71)"  # the site's focus colour
    assert marker.locator(".map-label-box").evaluate("el => getComputedStyle(el).opacity") == "1"
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == hidden_name
    only_own_host(requests, site)
    page.context.close()


def test_pointing_at_a_marker_names_it_and_the_page_fits_a_phone(browser, site):
    page, _response, _requests = open_page(
        browser, site + "/en/partners/", viewport={"width": 1100, "height": 900}
    )
    marker = page.locator('a.map-marker[href="/en/partners/kang-meas-district/"]')
    box = marker.locator(".map-label-box")
    assert box.evaluate("el => getComputedStyle(el).opacity") == "0"
    marker.locator(".map-marker-dot").hover()
    assert box.evaluate("el => getComputedStyle(el).opacity") == "1"
    page.context.close()
    phone, _response, _requests = open_page(
        browser, site + "/en/partners/", viewport={"width": 390, "height": 844}
    )
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the partners page scrolls sideways on a phone"
    phone.context.close()
