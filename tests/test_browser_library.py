"""The media library in a real Chromium, under the admin's Content-Security-Policy: staff upload
an image, set its focal point by clicking on it and with the arrow keys (the numbers follow and
are saved), then choose it for a news item in the chooser's dialog (search, Choose), and upload
another in place, which is chosen at once. No policy violation; no axe fault in the focal point
editor or the dialog. The screenshots are the staff guide's (docs/library-images.png,
docs/library-focal-point.png, docs/library-chooser.png). Skips without Chromium."""

import io

import pytest
from django.urls import reverse
from PIL import Image as PillowImage
from PIL import ImageDraw
from playwright.sync_api import expect

from library.models import Document, Image, Tag
from news.models import NewsItem

from .helpers import AXE, BROWSER_PASSWORD, DOCS, WCAG_TAGS, Visitor, make_news, make_staff

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 900}


def photo(path, size=(900, 600), colour=(46, 125, 50)):
    """A picture with a red patch towards its bottom left: a subject to put the point on."""
    picture = PillowImage.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    draw.rectangle((150, 380, 300, 520), fill=(200, 30, 30))
    draw.rectangle((0, 0, size[0], 90), fill=(120, 170, 220))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


def axe(visitor, selector):
    """axe-core's faults in `selector`. Our own policy violations are checked first: axe's
    checks set inline styles that the policy refuses, forgotten afterwards."""
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
    return [violation["id"] for violation in result["violations"]]


def test_staff_set_a_focal_point_and_choose_the_image_for_a_news_item(
    browser, site, django_user_model, tmp_path
):
    make_staff(django_user_model)
    story = make_news("Rice farmers meet their council", published=False)
    visitor = Visitor(browser, site, viewport=VIEWPORT)
    page = visitor.page
    visitor.goto("/admin/")
    visitor.log_in("chief@example.org", path=page.url.removeprefix(site))

    # Upload --------------------------------------------------------------------------------
    visitor.goto(reverse("admin:library_image_add"))
    page.set_input_files("#id_file", str(photo(tmp_path / "harvest.jpg")))
    page.fill("#id_title", "Rice harvest in Kampot")
    page.fill("#id_alt_en", "Farmers carry sheaves of rice across a green field.")
    page.fill("#id_credit", "Photo: FCM, CC BY 4.0")

    # The focal point: the chosen file is shown before it is saved; a click on the red patch
    picture = page.locator(".focal-point-image")
    expect(picture).to_be_visible()
    assert not page.locator(".focal-point-waiting").is_visible()
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    assert page.locator("#id_focal_x").input_value() == "25"
    assert page.locator("#id_focal_y").input_value() == "75"
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    image = Image.objects.get(title="Rice harvest in Kampot")
    assert (image.width, image.height, image.focal_x, image.focal_y) == (900, 600, 25, 75)

    # Then on the saved image's page: a click, and the arrow keys
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    marker = page.locator(".focal-point-marker")
    assert marker.evaluate("element => element === document.activeElement")
    marker_box = marker.bounding_box()
    centre = (marker_box["x"] + marker_box["width"] / 2, marker_box["y"] + marker_box["height"] / 2)
    assert abs(centre[0] - (box["x"] + box["width"] * 0.25)) < 3
    assert abs(centre[1] - (box["y"] + box["height"] * 0.75)) < 3
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowUp")
    assert page.locator("#id_focal_x").input_value() == "26"
    assert page.locator("#id_focal_y").input_value() == "65"
    assert "26% across, 65% down" in page.locator(".focal-point-status").inner_text()
    # Typing the numbers moves the point too.
    page.fill("#id_focal_y", "70")
    assert "70% down" in marker.inner_text()

    # The crops' previews are centred on the point as far as the edges allow: a 3:2 photo is
    # its own card; a 16:9 header keeps its bottom part (70% down is below the centre band).
    def crop(name):
        return page.locator(f".focal-crop-{name} img").evaluate(
            "e => getComputedStyle(e).objectPosition"
        )

    assert crop("card") == "50% 50%"
    assert crop("header") == "50% 100%"
    page.fill("#id_focal_y", "55")
    header = crop("header").split()
    assert header[0] == "50%" and 50 < float(header[1].rstrip("%")) < 100
    page.fill("#id_focal_y", "70")
    assert axe(visitor, ".focal-point") == []
    page.locator(".focal-point").screenshot(path=tmp_path / "focal.png")
    DOCS.mkdir(exist_ok=True)
    page.locator("fieldset", has=page.locator(".focal-point")).screenshot(
        path=DOCS / "library-focal-point.png"
    )
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (26, 70)
    assert page.locator(".focal-point").get_attribute("data-x") == "26"

    # The list -------------------------------------------------------------------------------
    image.tags.add(Tag.objects.create(name="Farming"), Tag.objects.create(name="Kampot"))
    visitor.goto(reverse("admin:library_image_changelist"))
    row = page.locator("#result_list tbody tr", has_text="Rice harvest in Kampot")
    assert row.locator("img.library-thumb").evaluate("e => e.complete && e.naturalWidth > 0")
    page.set_viewport_size({"width": 1440, "height": 820})
    page.screenshot(path=DOCS / "library-images.png")
    page.set_viewport_size(VIEWPORT)

    # Choosing it for a news item in the dialog ---------------------------------------------
    change = reverse("admin:news_newsitem_change", args=[story.pk])
    visitor.goto(change)
    chooser = page.locator("[data-library-chooser][data-kind=image]").first
    # With the script the number field gives way to the dialog's button.
    assert not chooser.locator("input.library-chooser-input").is_visible()
    chooser.get_by_role("button", name="Choose an image").click()
    dialog = page.get_by_role("dialog")
    # The library, newest first: the new image and the demo content's.
    expect(dialog.locator(".library-chooser-item").first).to_contain_text("Rice harvest")
    assert dialog.locator(".library-chooser-item img").count() >= 2
    page.screenshot(path=DOCS / "library-chooser.png")
    dialog.locator("input[type=search]").fill("harvest")
    dialog.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    expect(dialog.locator(".library-chooser-item")).to_have_count(1)
    tile = dialog.locator(".library-chooser-item", has_text="Rice harvest in Kampot")
    assert tile.locator("img").evaluate("e => e.complete && e.naturalWidth > 0")
    assert axe(visitor, ".library-chooser-dialog") == []
    tile.get_by_role("button", name="Choose").click()
    assert not dialog.is_visible()
    assert chooser.locator("input.library-chooser-input").input_value() == str(image.pk)
    assert "Rice harvest in Kampot" in chooser.locator("[data-chooser-chosen]").inner_text()
    assert chooser.locator("img.library-chooser-thumb").is_visible()
    # Focus goes back to the button that opened the dialog, now named for a change.
    assert chooser.get_by_role("button", name="Choose another image").evaluate(
        "e => e === document.activeElement"
    )
    # A document for a new row of the item's documents (a row added in the page).
    document = Document.objects.order_by("pk").first()
    page.locator("#documents-group .add-row a").click()
    row = page.locator("#documents-group tr.dynamic-documents").last
    row.get_by_role("button", name="Choose a document").click()
    expect(dialog.locator(".library-chooser-table")).to_be_visible()
    dialog.locator("tr", has_text=str(document.title)).get_by_role("button", name="Choose").click()
    expect(dialog).to_be_hidden()
    assert row.locator("input.library-chooser-input").input_value() == str(document.pk)
    assert str(document.title) in row.locator("[data-chooser-chosen]").inner_text()
    assert row.locator("[data-chooser-open]").get_attribute("aria-describedby") == (
        row.locator("[data-chooser-chosen]").get_attribute("id")
    )
    assert "__prefix__" not in row.locator("[data-chooser-chosen]").get_attribute("id")
    assert axe(visitor, ".library-chooser") == []

    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert NewsItem.objects.get(pk=story.pk).image == image
    assert list(story.documents.values_list("document", flat=True)) == [document.pk]

    # Another image, uploaded in the dialog, is chosen at once --------------------------------
    chooser = page.locator("[data-library-chooser][data-kind=image]").first
    chooser.get_by_role("button", name="Choose another image").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("summary", has_text="Upload a new image").click()
    dialog.locator("input[type=file]").set_input_files(
        str(photo(tmp_path / "market.jpg", colour=(180, 120, 40)))
    )
    dialog.locator("#chooser-upload-title").fill("Night market in Kep")
    # A missing description: the dialog says so and keeps the form.
    dialog.get_by_role("button", name="Upload and choose").click()
    expect(dialog.locator(".library-chooser-field.errors #chooser-upload-alt_en")).to_have_count(1)
    dialog.locator("input[type=file]").set_input_files(
        str(photo(tmp_path / "market.jpg", colour=(180, 120, 40)))
    )
    dialog.locator("#chooser-upload-title").fill("Night market in Kep")
    dialog.locator("#chooser-upload-alt_en").fill("Stalls lit by lanterns.")
    dialog.get_by_role("button", name="Upload and choose").click()
    expect(dialog).to_be_hidden()
    market = Image.objects.get(title="Night market in Kep")
    assert not dialog.is_visible()
    assert chooser.locator("input.library-chooser-input").input_value() == str(market.pk)
    assert "Night market in Kep" in chooser.locator("[data-chooser-chosen]").inner_text()

    # Removed, then saved: the item has no image; the library keeps both.
    chooser.get_by_role("button", name="Remove the image").click()
    assert chooser.locator("input.library-chooser-input").input_value() == ""
    assert "No image chosen." in chooser.inner_text()
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert NewsItem.objects.get(pk=story.pk).image is None
    assert Image.objects.count() >= 2

    visitor.check()
    visitor.close()


def test_without_javascript_the_field_is_a_number_and_the_library_a_new_tab(
    browser, site, django_user_model, tmp_path
):
    make_staff(django_user_model)
    story = make_news("Council budget hearing", published=False)
    # No script runs at all (Visitor's policy listener neither): plain pages.
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/admin/")
    page.fill("#id_login", "chief@example.org")
    page.fill("#id_password", BROWSER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    page.goto(site + reverse("admin:news_newsitem_change", args=[story.pk]))
    chooser = page.locator("[data-library-chooser][data-kind=image]").first
    field = chooser.locator("input.library-chooser-input")
    assert field.is_visible()
    link = chooser.get_by_role("link", name="Open the library")
    assert link.get_attribute("target") == "_blank"
    assert not chooser.get_by_role("button", name="Choose an image").is_visible()

    # The library's page: upload there, read the new image's number.
    library = context.new_page()
    library.goto(site + link.get_attribute("href"))
    library.locator("summary", has_text="Upload a new image").click()
    library.set_input_files("input[type=file]", str(photo(tmp_path / "hall.jpg")))
    library.locator("#chooser-upload-title").fill("Council hall")
    library.locator("#chooser-upload-alt_en").fill("The council hall of Kep.")
    library.get_by_role("button", name="Upload").click()
    library.wait_for_load_state("networkidle")
    hall = Image.objects.get(title="Council hall")
    assert f"its number is {hall.pk}" in library.locator(".library-chooser-message").inner_text()
    assert f"No. {hall.pk}" in library.locator(".library-chooser-item").first.inner_text()

    field.fill(str(hall.pk))
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state("networkidle")
    assert NewsItem.objects.get(pk=story.pk).image == hall
    assert "Council hall" in chooser.inner_text()
    context.close()
