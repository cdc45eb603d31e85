"""Open data: the published partners as CSV and GeoJSON downloads, their documentation page,
and the staff's CSV import of municipalities in the admin (preview, row errors, all or
nothing)."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from reversion.models import Version

from partners.admin import UploadStorage
from partners.models import Country, Municipality, Partnership
from partners.opendata import MUNICIPALITY_COLUMNS, PARTNERSHIP_COLUMNS

from .helpers import (
    CONFIRM_URL,
    IMPORT_URL,
    confirm,
    make_municipality,
    make_partnership,
    preview,
    visible_text,
)


def read_csv(response):
    body = response.content
    assert body.startswith("\ufeff".encode()), "UTF-8 byte order mark for spreadsheets"
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def read_geojson(response):
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    return data["features"]


@pytest.fixture
def places(db):
    chilliwack = make_municipality(
        "City of Chilliwack",
        region="British Columbia",
        latitude=Decimal("49.1579"),
        longitude=Decimal("-121.9515"),
        website="https://www.chilliwack.com/",
        summary_en="A city in the Fraser Valley.",
        summary_fr="Une ville de la vallée du Fraser.",
        order=1,
    )
    newell = make_municipality(
        "County of Newell",
        region="Alberta",
        latitude=Decimal("50.6"),
        longitude=Decimal("-111.9"),
        summary_en='=HYPERLINK("http://evil.example")',
        is_sample=True,
        order=2,
    )
    kang_meas = make_municipality(
        "Kang Meas District",
        country=Country.CAMBODIA,
        region="Kampong Cham",
        latitude=Decimal("11.93"),
        longitude=Decimal("105.33"),
        summary_en="A district on the Mekong.",
    )
    unlocated = make_municipality(
        "Sample Commune", country=Country.CAMBODIA, region="-Takeo", summary_en="@ home"
    )
    draft = make_municipality("Town of Draft", published=False, latitude=Decimal("45"))
    draft.longitude = Decimal("-75")
    draft.save()
    make_partnership(chilliwack, kang_meas, since=2011, focus_en="LED planning", focus_fr="PDEL")
    make_partnership(newell, unlocated, focus_en="+ markets", is_sample=True)
    make_partnership(draft, kang_meas, focus_en="Hidden: a side is a draft")
    make_partnership(newell, kang_meas, focus_en="Hidden: unpublished", is_published=False)
    return {"chilliwack": chilliwack, "newell": newell, "kang_meas": kang_meas}


def snapshot():
    """Every row of the partners' tables, to prove that nothing changed."""
    return (
        list(Municipality.objects.order_by("pk").values()),
        list(Partnership.objects.order_by("pk").values()),
    )


# Downloads


def test_municipalities_csv_matches_the_published_municipalities(client, places):
    response = client.get("/en/partners/data/municipalities.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="mped-municipalities-en.csv"')
    header, rows = read_csv(response)
    assert header == MUNICIPALITY_COLUMNS
    published = Municipality.objects.published()
    assert sorted(row["slug"] for row in rows) == sorted(m.slug for m in published)
    assert "town-of-draft" not in [row["slug"] for row in rows]
    by_slug = {row["slug"]: row for row in rows}
    for municipality in published:
        row = by_slug[municipality.slug]
        assert row["name"] == municipality.name
        assert row["country"] == municipality.country
        if municipality.is_located:
            assert Decimal(row["latitude"]) == municipality.latitude
            assert Decimal(row["longitude"]) == municipality.longitude
        else:
            assert row["latitude"] == row["longitude"] == ""
        assert row["is_sample"] == ("true" if municipality.is_sample else "false")
        assert row["url"] == f"http://testserver/en/partners/{municipality.slug}/"
    chilliwack = by_slug["city-of-chilliwack"]
    assert chilliwack == {
        **chilliwack,
        "country_name": "Canada",
        "province": "British Columbia",
        "latitude": "49.1579",
        "longitude": "-121.9515",  # a number: no apostrophe before the minus sign
        "website": "https://www.chilliwack.com/",
        "summary": "A city in the Fraser Valley.",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", chilliwack["updated"])
    assert by_slug["kang-meas-district"]["country_name"] == "Cambodia"


def test_text_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(client, places):
    _, rows = read_csv(client.get("/en/partners/data/municipalities.csv"))
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["county-of-newell"]["summary"] == '\'=HYPERLINK("http://evil.example")'
    assert by_slug["sample-commune"]["province"] == "'-Takeo"
    assert by_slug["sample-commune"]["summary"] == "'@ home"
    assert by_slug["county-of-newell"]["longitude"] == "-111.9"
    _, pairs = read_csv(client.get("/en/partners/data/partnerships.csv"))
    assert [p["focus"] for p in pairs if p["canadian_slug"] == "county-of-newell"] == ["'+ markets"]


def test_partnerships_csv_lists_only_pairings_of_two_published_partners(client, places):
    response = client.get("/en/partners/data/partnerships.csv")
    assert response["Content-Disposition"] == 'attachment; filename="mped-partnerships-en.csv"'
    header, rows = read_csv(response)
    assert header == PARTNERSHIP_COLUMNS
    assert len(rows) == Partnership.objects.published().count() == 2
    assert "Hidden" not in response.content.decode()
    first = next(row for row in rows if row["canadian_slug"] == "city-of-chilliwack")
    assert first == {
        "canadian_slug": "city-of-chilliwack",
        "canadian_name": "City of Chilliwack",
        "cambodian_slug": "kang-meas-district",
        "cambodian_name": "Kang Meas District",
        "since": "2011",
        "focus": "LED planning",
        "is_sample": "false",
    }
    sample = next(row for row in rows if row["canadian_slug"] == "county-of-newell")
    assert sample["is_sample"] == "true" and sample["since"] == ""


def test_municipalities_geojson_has_points_longitude_first(client, places):
    response = client.get("/en/partners/data/municipalities.geojson")
    assert response["Content-Disposition"] == (
        'attachment; filename="mped-municipalities-en.geojson"'
    )
    features = read_geojson(response)
    published = {m.slug: m for m in Municipality.objects.published()}
    assert sorted(f["id"] for f in features) == sorted(published)
    for feature in features:
        municipality = published[feature["id"]]
        assert list(feature["properties"]) == MUNICIPALITY_COLUMNS
        assert feature["properties"]["slug"] == municipality.slug
        assert feature["properties"]["is_sample"] is municipality.is_sample
        if municipality.is_located:
            assert feature["geometry"]["type"] == "Point"
            longitude, latitude = feature["geometry"]["coordinates"]
            assert isinstance(longitude, float) and isinstance(latitude, float)
            assert (longitude, latitude) == (
                float(municipality.longitude),
                float(municipality.latitude),
            )
            assert feature["properties"]["latitude"] == latitude
        else:
            assert feature["geometry"] is None
            assert feature["properties"]["latitude"] is None
    chilliwack = next(f for f in features if f["id"] == "city-of-chilliwack")
    assert chilliwack["geometry"]["coordinates"] == [-121.9515, 49.1579]
    # GeoJSON is not a spreadsheet: texts are as written.
    newell = next(f for f in features if f["id"] == "county-of-newell")
    assert newell["properties"]["summary"].startswith("=HYPERLINK")


def test_partnerships_geojson_draws_lines_between_two_located_partners(client, places):
    features = read_geojson(client.get("/en/partners/data/partnerships.geojson"))
    # The sample pairing's Cambodian side has no coordinates: only in the CSV.
    assert len(features) == 1
    (line,) = features
    assert line["id"] == "city-of-chilliwack--kang-meas-district"
    assert line["geometry"] == {
        "type": "LineString",
        "coordinates": [[-121.9515, 49.1579], [105.33, 11.93]],
    }
    assert list(line["properties"]) == PARTNERSHIP_COLUMNS
    assert line["properties"]["since"] == 2011
    assert line["properties"]["is_sample"] is False


def test_french_files_have_french_texts_with_english_fallback(client, places):
    response = client.get("/fr/partners/data/municipalities.csv")
    assert response["Content-Disposition"] == ('attachment; filename="mped-municipalities-fr.csv"')
    header, rows = read_csv(response)
    assert header == MUNICIPALITY_COLUMNS  # column names never change
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["city-of-chilliwack"]["summary"] == "Une ville de la vallée du Fraser."
    assert by_slug["kang-meas-district"]["summary"] == "A district on the Mekong."
    assert by_slug["kang-meas-district"]["country_name"] == "Cambodge"
    assert by_slug["city-of-chilliwack"]["url"] == (
        "http://testserver/fr/partners/city-of-chilliwack/"
    )
    features = read_geojson(client.get("/fr/partners/data/partnerships.geojson"))
    assert features[0]["properties"]["focus"] == "PDEL"


def test_khmer_text_survives_the_csv(client, places):
    Municipality.objects.filter(slug="kang-meas-district").update(summary_km="ស្រុកកងមាស")
    _, rows = read_csv(client.get("/km/partners/data/municipalities.csv"))
    assert {row["slug"]: row["summary"] for row in rows}["kang-meas-district"] == "ស្រុកកងមាស"


@pytest.mark.parametrize(
    "path",
    [
        "municipalities.csv",
        "partnerships.csv",
        "municipalities.geojson",
        "partnerships.geojson",
    ],
)
def test_downloads_take_the_same_queries_for_60_municipalities_as_for_a_few(
    client, places, uncached, django_assert_max_num_queries, path
):
    canadians = [
        make_municipality(f"Town {i}", latitude=Decimal("45.1"), longitude=Decimal(f"-75.{i:02d}"))
        for i in range(60)
    ]
    for town in canadians[:30]:
        make_partnership(town, places["kang_meas"], focus_en=f"Focus of {town.name}")
    with django_assert_max_num_queries(1):
        response = client.get(f"/en/partners/data/{path}")
    assert response.status_code == 200
    assert "Town 59" in response.content.decode() or "partnerships" in path


def test_downloads_are_cached_with_their_headers_and_refreshed_on_edits(client, places):
    url = "/en/partners/data/municipalities.csv"
    first = client.get(url)
    second = client.get(url)
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert second["Content-Type"] == "text/csv; charset=utf-8"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second.content == first.content
    chilliwack = places["chilliwack"]
    chilliwack.name = "City of Chilliwack (renamed)"
    chilliwack.save()
    third = client.get(url)
    assert third["X-Cache"] == "miss"
    assert "City of Chilliwack (renamed)" in third.content.decode("utf-8-sig")


def test_data_page_documents_every_column_and_links_the_files(client, places):
    response = client.get("/en/partners/data/")
    assert response.status_code == 200
    html = response.content.decode()
    for column in {*MUNICIPALITY_COLUMNS, *PARTNERSHIP_COLUMNS}:
        assert f"<code>{column}</code>" in html, column
    for name in ["municipalities.csv", "partnerships.csv", "municipalities.geojson"]:
        assert f'href="/en/partners/data/{name}"' in html
    text = visible_text(response)
    assert "to be confirmed by the program" in text
    assert "QGIS" in text and "UTF-8" in text and "RFC 7946" in text


def test_partners_page_offers_the_downloads(client, places):
    response = client.get("/en/partners/")
    html = response.content.decode()
    section = html[html.index('id="data-heading"') :]
    assert "Download the data" in section
    for name in [
        "municipalities.csv",
        "partnerships.csv",
        "municipalities.geojson",
        "partnerships.geojson",
    ]:
        assert f'href="/en/partners/data/{name}"' in section
    assert 'href="/en/partners/data/"' in section
    assert (
        'href="/fr/partners/data/municipalities.csv"'
        in client.get("/fr/partners/").content.decode()
    )


def test_a_municipality_page_still_works_next_to_the_data_routes(client, places):
    assert client.get("/en/partners/city-of-chilliwack/").status_code == 200
    assert client.get("/en/partners/data/unknown.csv").status_code == 404


# Import in the admin


def test_a_downloaded_file_imports_again_without_any_change(client, staff_client, places):
    downloaded = client.get("/en/partners/data/municipalities.csv").content
    before = snapshot()
    response = preview(staff_client, downloaded)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert {row.import_type for row in result.valid_rows()} == {"skip"}
    response = confirm(staff_client, response)
    assert response.status_code == 302
    assert snapshot() == before


def test_import_preview_then_confirm_updates_and_creates(staff_client, places):
    content = (
        "slug,name,country,province,latitude,longitude,website,summary,is_sample,"
        "summary_fr,description\r\n"
        "city-of-chilliwack,City of Chilliwack,CA,British Columbia,49.1579,-121.9515,"
        "https://www.chilliwack.com/,A greener city in the Fraser Valley.,false,"
        "Une ville plus verte.,\r\n"
        "town-of-smithers,Town of Smithers,ca,British Columbia,54.7804123,-127.1743,,"
        "A town in the north.,false,,"
        '"<p>Hello</p><script>alert(1)</script><p onclick=""x()"">there</p>"\r\n'
    )
    before_count = Municipality.objects.count()
    response = preview(staff_client, "\ufeff" + content)
    assert response.status_code == 200
    text = visible_text(response)
    assert "Update" in text and "New" in text
    assert Municipality.objects.count() == before_count  # a preview saves nothing
    assert not Municipality.objects.filter(slug="town-of-smithers").exists()

    response = confirm(staff_client, response)
    assert response.status_code == 302
    assert Municipality.objects.count() == before_count + 1
    chilliwack = Municipality.objects.get(slug="city-of-chilliwack")
    assert chilliwack.summary_en == "A greener city in the Fraser Valley."
    assert chilliwack.summary_fr == "Une ville plus verte."
    smithers = Municipality.objects.get(slug="town-of-smithers")
    assert smithers.country == Country.CANADA
    assert smithers.latitude == Decimal("54.78041")  # rounded to the five decimals kept
    assert not smithers.is_published  # new municipalities are drafts
    assert smithers.description_en == "<p>Hello</p><p>there</p>"  # sanitised as in the admin
    # The import is in each municipality's history, with who did it.
    version = Version.objects.get_for_object(smithers).get()
    assert version.revision.user.username == "boss"
    assert "municipalities.csv" in version.revision.comment
    assert Version.objects.get_for_object(chilliwack).count() == 1
    messages = visible_text(staff_client.get("/admin/partners/municipality/"))
    assert "1 new, 1 updated" in messages


VALID_HEADER = "slug,name,country,province,latitude,longitude,website,summary,is_sample\r\n"
VALID_ROW = "town-of-smithers,Town of Smithers,CA,British Columbia,54.78,-127.17,,A town.,false\r\n"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty."),
        (
            (VALID_HEADER + "ville-de-l-ile,Ville de l’Île,CA,Québec,,,,,false\r\n")
            .encode("latin-1", errors="replace")
            .replace(b"?", b"\xe9"),
            "latin1.csv",
            "cannot be read as CSV text in UTF-8",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06",
            "picture.csv",
            "cannot be read as CSV text in UTF-8",
        ),
        (VALID_HEADER, "headers-only.csv", "No valid data to import"),
        (
            "slug,name,province\r\ntown-of-smithers,Town of Smithers,British Columbia\r\n",
            "no-country.csv",
            "The file has no column country",
        ),
        (VALID_HEADER.replace("latitude", "lattitude") + VALID_ROW, "typo.csv", "Unknown column"),
        (
            VALID_HEADER + VALID_ROW.replace(",CA,", ",US,"),
            "country.csv",
            "is not a valid choice",
        ),
        (
            VALID_HEADER + VALID_ROW.replace("54.78", "200"),
            "latitude.csv",
            "A latitude is between -90",
        ),
        (
            VALID_HEADER + VALID_ROW.replace("54.78", "north"),
            "not-a-number.csv",
            "Write a number in decimal degrees",
        ),
        (
            VALID_HEADER + VALID_ROW.replace("-127.17", "127.17"),
            "wrong-sign.csv",
            "These coordinates are not in Canada",
        ),
        (VALID_HEADER + VALID_ROW + VALID_ROW, "twice.csv", "Row 1 has the same slug"),
        (VALID_HEADER + VALID_ROW.replace("false", "maybe"), "flag.csv", "Write true or false"),
        (
            VALID_HEADER + VALID_ROW.replace(",,A town.", ",not a website,A town."),
            "website.csv",
            "Enter a valid URL",
        ),
        (
            VALID_HEADER + VALID_ROW.replace("Town of Smithers", ""),
            "blank-name.csv",
            "This field cannot be blank",
        ),
        (
            VALID_HEADER + VALID_ROW * 40_000,
            "huge.csv",
            "the largest file that can be imported is 2.0",
        ),
    ],
)
def test_bad_import_files_are_refused_and_change_nothing(
    staff_client, places, content, name, message
):
    before = snapshot()
    response = preview(staff_client, content, name)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert "confirm_form" not in response.context or not response.context["confirm_form"]
    assert 'name="confirm"' not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert snapshot() == before


def test_row_errors_name_the_row_and_the_column(staff_client, places):
    content = (
        VALID_HEADER
        + VALID_ROW
        + VALID_ROW.replace("town-of-smithers", "town-of-hope").replace("54.78", "200")
    )
    response = preview(staff_client, content)
    assert response.status_code == 400
    html = response.content.decode()
    table = html[html.index('class="import-errors"') :]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", table)]
    assert cells[:2] == ["2", "latitude"]
    assert cells[2].startswith("A latitude is between -90")


def test_an_error_in_one_row_saves_no_other_row(staff_client, places):
    content = (
        VALID_HEADER
        + VALID_ROW
        + VALID_ROW.replace("town-of-smithers", "x").replace(",CA,", ",ZZ,")
    )
    before = snapshot()
    assert preview(staff_client, content).status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"import_file_name": "0" * 32, "original_file_name": "a.csv", "format": "0"},
        {"import_file_name": "../../etc/passwd", "original_file_name": "a.csv", "format": "0"},
        {"import_file_name": "not-hex", "original_file_name": "a.csv", "format": "0"},
        {"format": "0"},
    ],
)
def test_a_forged_confirmation_is_refused(staff_client, places, fields):
    before = snapshot()
    response = staff_client.post(CONFIRM_URL, fields)
    assert response.status_code == 400
    assert "This import cannot be confirmed" in visible_text(response)
    assert snapshot() == before


def test_a_confirmation_with_an_unknown_format_is_refused(staff_client, places):
    response = preview(staff_client, VALID_HEADER + VALID_ROW)
    fields = {**response.context["confirm_form"].initial, "format": "7"}
    assert staff_client.post(CONFIRM_URL, fields).status_code == 400
    assert not Municipality.objects.filter(slug="town-of-smithers").exists()


def test_confirming_a_file_with_errors_saves_nothing(staff_client, places):
    """A confirmation sent by hand for a file whose preview had errors: all or nothing."""
    storage = UploadStorage()
    storage.save(
        (
            VALID_HEADER
            + VALID_ROW
            + VALID_ROW.replace("town-of-smithers", "x").replace("54.78", "200")
        ).encode()
    )
    before = snapshot()
    response = staff_client.post(
        CONFIRM_URL,
        {"import_file_name": storage.name, "original_file_name": "forged.csv", "format": "0"},
    )
    assert response.status_code == 400
    assert "Nothing was imported" in visible_text(response)
    assert snapshot() == before
    assert not Version.objects.exists()


def test_a_confirmation_cannot_be_sent_twice(staff_client, places):
    response = preview(staff_client, VALID_HEADER + VALID_ROW)
    fields = response.context["confirm_form"].initial
    assert staff_client.post(CONFIRM_URL, fields).status_code == 302
    assert staff_client.post(CONFIRM_URL, fields).status_code == 400
    assert Municipality.objects.filter(slug="town-of-smithers").count() == 1


def test_confirmation_needs_a_post(staff_client, places):
    assert staff_client.get(CONFIRM_URL).status_code == 405


def test_staff_see_the_import_button_and_page(staff_client, places):
    html = staff_client.get("/admin/partners/municipality/").content.decode()
    assert f"href='{IMPORT_URL}'" in html
    response = staff_client.get(IMPORT_URL)
    assert response.status_code == 200
    text = visible_text(response)
    assert "Rows are matched by slug" in text
    assert 'href="/en/partners/data/municipalities.csv"' in response.content.decode()


def make_staff(django_user_model, *codenames):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "pw-1-long", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="partners", codename__in=codenames)
    )
    return user


@pytest.mark.parametrize(
    "codenames",
    [
        ["view_municipality"],
        ["view_municipality", "change_municipality"],
        ["view_municipality", "add_municipality"],
    ],
)
def test_staff_without_add_and_change_permissions_cannot_import(
    client, django_user_model, places, codenames
):
    client.force_login(make_staff(django_user_model, *codenames))
    changelist = client.get("/admin/partners/municipality/")
    assert changelist.status_code == 200
    assert IMPORT_URL not in changelist.content.decode()
    assert client.get(IMPORT_URL).status_code == 403
    before = snapshot()
    assert preview(client, VALID_HEADER + VALID_ROW).status_code == 403
    storage = UploadStorage()
    storage.save((VALID_HEADER + VALID_ROW).encode())
    response = client.post(
        CONFIRM_URL,
        {"import_file_name": storage.name, "original_file_name": "a.csv", "format": "0"},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_staff_with_add_and_change_permissions_can_import(client, django_user_model, places):
    user = make_staff(
        django_user_model, "view_municipality", "add_municipality", "change_municipality"
    )
    client.force_login(user)
    assert IMPORT_URL in client.get("/admin/partners/municipality/").content.decode()
    response = preview(client, VALID_HEADER + VALID_ROW)
    assert response.status_code == 200
    assert confirm(client, response).status_code == 302
    assert Municipality.objects.filter(slug="town-of-smithers", is_published=False).exists()


def test_readers_cannot_reach_the_import(client, places):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "login" in response["Location"]
