"""Open data in a real Chromium, under the Content-Security-Policy: a newcomer downloads the
partnership map data from the partners page; staff import municipalities from a CSV file in
the admin, see a row error, fix it and confirm. No page reports a policy violation. Skips
without Chromium."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.cache import cache

from partners.models import Municipality

from .helpers import ARTIFACTS, Visitor, axe_violations, make_staff

pytestmark = pytest.mark.browser

HEADER = "slug,name,country,province,latitude,longitude,website,summary,is_sample\n"


def test_a_newcomer_downloads_the_partnership_map_data(browser, site):
    cache.clear()
    visitor = Visitor(browser, site)
    page = visitor.page
    visitor.goto("/en/partners/")
    section = page.locator("section", has=page.locator("#data-heading"))
    assert section.get_by_role("heading", name="Download the data").is_visible()

    with page.expect_download() as info:
        section.get_by_role(
            "link", name="Partnerships (GeoJSON lines, for a map application)"
        ).click()
    download = info.value
    assert download.suggested_filename == "mped-partnerships-en.geojson"
    lines = json.loads(Path(download.path()).read_text(encoding="utf-8"))["features"]
    assert lines and all(f["geometry"]["type"] == "LineString" for f in lines)

    with page.expect_download() as info:
        section.get_by_role("link", name="Municipalities (CSV, for a spreadsheet)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["slug"] for row in rows} == set(
        Municipality.objects.published().values_list("slug", flat=True)
    )

    section.get_by_role("link", name="What the files contain, column by column").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert page.locator("h1").inner_text() == "Partner data"
    assert axe_violations(page) == []
    visitor.check()
    visitor.close()


def test_staff_import_municipalities_from_a_csv_file(browser, site, django_user_model, tmp_path):
    cache.clear()
    staff = make_staff(django_user_model)
    visitor = Visitor(browser, site)
    page = visitor.page
    visitor.goto("/admin/")
    visitor.log_in(staff.email, path=page.url.removeprefix(site))

    visitor.goto("/admin/partners/municipality/")
    page.locator(".object-tools").get_by_role("link", name="Import").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "Rows are matched by slug" in page.locator("#content").inner_text()

    bad = tmp_path / "municipalities.csv"
    bad.write_text(
        HEADER
        + "town-of-smithers,Town of Smithers,CA,British Columbia,54.78,-127.17,,A town.,false\n"
        + "town-of-hope,Town of Hope,CA,British Columbia,200,-121.44,,A town.,false\n",
        encoding="utf-8",
    )
    page.get_by_label("File to import").set_input_files(bad)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    errors = page.locator("table.import-errors")
    assert errors.locator("tbody tr").count() == 1
    assert errors.locator("tbody td").nth(0).inner_text() == "2"
    assert errors.locator("tbody td").nth(1).inner_text() == "latitude"
    assert page.get_by_role("button", name="Confirm import").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "import-row-error.png", full_page=True)
    assert not Municipality.objects.filter(slug="town-of-smithers").exists()

    bad.write_text(bad.read_text().replace(",200,", ",49.38,"), encoding="utf-8")
    page.get_by_label("File to import").set_input_files(bad)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert page.locator("table.import-preview tr.new").count() == 2
    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "2 new" in page.locator(".messagelist").inner_text()
    assert Municipality.objects.filter(slug="town-of-hope", is_published=False).exists()
    visitor.check()
    visitor.close()
