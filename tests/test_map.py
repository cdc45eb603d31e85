"""The partnership map on the partners page: drawn on the server from the database, with the
same information in words, coordinates checked in the admin. In a real Chromium:
test_browser_map.py."""

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from partners.map import OUTLINES, build_map
from partners.models import COUNTRY_BOUNDS, Country, Municipality, Partnership

from .helpers import (
    admin_form_data,
    assert_form_shown_again_with,
    change_url,
    count_queries,
    make_municipality,
    make_partnership,
    visible_text,
)

CHILLIWACK = {"latitude": Decimal("49.1579"), "longitude": Decimal("-121.9515")}
BROOKS = {"latitude": Decimal("50.5642"), "longitude": Decimal("-111.8989")}
KANG_MEAS = {"latitude": Decimal("11.9431"), "longitude": Decimal("105.2706")}
TAKEO = {"latitude": Decimal("10.9908"), "longitude": Decimal("104.7850")}


class MapParser(HTMLParser):
    """What the page's map shows: markers (links), lines (pairs of slugs), and the rest."""

    def __init__(self):
        super().__init__()
        self.markers = {}  # href -> attributes
        self.lines = set()  # (canadian slug, cambodian slug)
        self.in_svg = False
        self.svg = None
        self.figure = None
        self.figcaption = False
        self.title = self.desc = ""
        self._text_target = None
        self.labels = {}  # marker href -> (label text, css class)
        self._marker = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        css = attrs.get("class") or ""
        if tag == "figure" and "partner-map" in css:
            self.figure = attrs
        elif tag == "figcaption" and self.figure is not None:
            self.figcaption = True
        elif tag == "div" and "map" in css.split():
            self.in_svg, self.svg = True, attrs
        elif self.in_svg and attrs.get("id") == "map-title":
            self._text_target = "title"
        elif self.in_svg and attrs.get("id") == "map-desc":
            self._text_target = "desc"
        elif self.in_svg and tag == "a":
            self.markers[attrs["href"]] = attrs
            self._marker = attrs["href"]
        elif self.in_svg and tag == "text" and self._marker:
            self.labels[self._marker] = ["", css]
            self._text_target = "label"
        elif self.in_svg and tag == "path" and "map-link" in css.split():
            self.lines.add((attrs["data-canadian"], attrs["data-cambodian"]))

    def handle_endtag(self, tag):
        if tag == "figure":
            self.in_svg = False
        elif tag == "a":
            self._marker = None
        if tag in ("p", "text"):
            self._text_target = None

    def handle_data(self, data):
        if self._text_target == "title":
            self.title += data
        elif self._text_target == "desc":
            self.desc += data
        elif self._text_target == "label":
            self.labels[self._marker][0] += data


def parse_map(client):
    response = client.get("/en/partners/")
    assert response.status_code == 200
    parser = MapParser()
    parser.feed(response.content.decode())
    return parser, response.content.decode()


def slug_of(href):
    return href.strip("/").split("/")[-1]


def place(municipality, where):
    Municipality.objects.filter(pk=municipality.pk).update(**where)


# The map matches the database -------------------------------------------------------------------


def test_every_published_located_partner_is_a_marker_and_every_pairing_a_line(client, demo):
    parsed, _html = parse_map(client)
    located = Municipality.objects.published().exclude(latitude=None).exclude(longitude=None)
    assert located.count() == 4  # Chilliwack, Newell, Beaumont, Kang Meas
    assert {slug_of(href) for href in parsed.markers} == {m.slug for m in located}
    expected_lines = {
        (p.canadian.slug, p.cambodian.slug)
        for p in Partnership.objects.published().select_related("canadian", "cambodian")
        if p.canadian.is_located and p.cambodian.is_located
    }
    assert expected_lines == {("county-of-newell", "kang-meas-district")}
    assert parsed.lines == expected_lines
    # Each marker is named for mouse, keyboard and screen reader alike.
    newell = parsed.markers["/en/partners/county-of-newell/"]
    assert newell["aria-label"] == "County of Newell, Alberta, Canada"
    assert parsed.labels["/en/partners/county-of-newell/"][0] == "County of Newell"


def test_markers_stand_where_the_places_are(client, demo):
    html = client.get("/en/partners/").content.decode()

    def centre(slug):
        marker = re.search(
            rf'href="/en/partners/{slug}/".*?class="map-marker-dot" cx="([\d.]+)" cy="([\d.]+)"',
            html,
            re.S,
        )
        return float(marker[1]), float(marker[2])

    chilliwack, newell, beaumont = (
        centre(s) for s in ["city-of-chilliwack", "county-of-newell", "town-of-beaumont"]
    )
    kang_meas = centre("kang-meas-district")
    assert chilliwack[0] < beaumont[0] < newell[0]  # west to east
    assert beaumont[1] < newell[1] < chilliwack[1]  # north to south (y grows downwards)
    assert max(chilliwack[0], newell[0], beaumont[0]) < 500 < kang_meas[0]  # two panels


def test_unpublished_partners_and_pairings_are_not_on_the_map(client, db):
    town = make_municipality("Town of North", region="Alberta", **BROOKS)
    hidden_town = make_municipality("Hidden Town", published=False, **CHILLIWACK)
    quiet_town = make_municipality("Quiet Town", **CHILLIWACK)
    commune = make_municipality("Sample Commune", country=Country.CAMBODIA, **KANG_MEAS)
    hidden_commune = make_municipality(
        "Hidden Commune", country=Country.CAMBODIA, published=False, **TAKEO
    )
    make_partnership(town, commune)
    make_partnership(hidden_town, commune)
    make_partnership(town, hidden_commune)
    make_partnership(quiet_town, commune, is_published=False)

    parsed, html = parse_map(client)
    assert {slug_of(h) for h in parsed.markers} == {"town-of-north", "quiet-town", "sample-commune"}
    assert parsed.lines == {("town-of-north", "sample-commune")}
    assert "hidden-town" not in html and "hidden-commune" not in html


def test_places_without_coordinates_are_listed_below_the_map_not_on_it(client, demo):
    parsed, html = parse_map(client)
    below = html[
        html.index('id="unplaced-heading"') : html.index("</section>", html.index("unplaced"))
    ]
    samples = Municipality.objects.filter(is_sample=True)
    assert samples.count() == 5
    for sample in samples:
        assert sample.latitude is None and sample.longitude is None
        assert sample.get_absolute_url() not in parsed.markers
        assert f'href="{sample.get_absolute_url()}"' in below
    assert "sample entries are not real places" in below
    assert "4 partnerships have no line" in below


def test_the_map_is_labelled_and_everything_on_it_is_also_in_words(client, demo):
    parsed, html = parse_map(client)
    # A figure named by its caption; the drawing has its own title and description.
    assert parsed.figure["aria-labelledby"] == "map-caption" and parsed.figcaption
    assert 'id="map-caption"' in html
    assert parsed.svg["role"] == "group"
    assert parsed.svg["aria-labelledby"] == "map-title"
    assert parsed.title == "Map of the partners in Canada and Cambodia"
    assert "3 Canadian municipalities and 1 Cambodian local government" in parsed.desc
    assert "1 line joins" in parsed.desc
    # Outside the drawing, every marker is a link in the lists and every line a row of the table.
    after_map = html[html.index("</figure>") :]
    for href in parsed.markers:
        assert f'href="{href}"' in after_map
    table = after_map[after_map.index("<tbody>") : after_map.index("</tbody>")]
    rows = table.split("<tr>")[1:]
    for canadian, cambodian in parsed.lines:
        assert any(
            f"/en/partners/{canadian}/" in r and f"/en/partners/{cambodian}/" in r for r in rows
        )
    # Nothing styled inline, no script.
    figure = html[html.index("<figure") : html.index("</figure>")]
    assert "style=" not in figure and "<script" not in figure


def test_crowded_names_show_on_hover_and_focus_only(client, db):
    make_municipality("Town of Beaumont", latitude="53.3572", longitude="-113.4147")
    make_municipality("City of Leduc", latitude="53.2723", longitude="-113.5497")
    parsed, _html = parse_map(client)
    classes = sorted(css for _text, css in parsed.labels.values())
    assert classes == ["map-label", "map-label map-label-on-demand"]


def test_partners_page_queries_do_not_grow_with_located_partners(client, db):
    def add(start, count):
        for i in range(start, start + count):
            canadian = make_municipality(
                f"Canadian town {i}", latitude=f"{49 + i * 0.2:.4f}", longitude=-120 + i
            )
            cambodian = make_municipality(
                f"Cambodian commune {i}",
                country=Country.CAMBODIA,
                latitude=f"{11 + i * 0.1:.4f}",
                longitude=f"{103 + i * 0.1:.4f}",
            )
            make_partnership(canadian, cambodian)
        # Some without a place, listed below the map.
        make_municipality(f"Unplaced town {start}")

    add(0, 3)
    client.get("/en/partners/")  # the first request makes the site settings
    with_3 = count_queries(client, "/en/partners/")
    add(3, 27)
    with_30 = count_queries(client, "/en/partners/")
    assert with_3 == with_30
    parsed, _html = parse_map(client)
    assert len(parsed.markers) == 60 and len(parsed.lines) == 30


def test_build_map_makes_no_query(db, django_assert_num_queries):
    canadian = make_municipality("Town of North", **BROOKS)
    cambodian = make_municipality("Sample Commune", country=Country.CAMBODIA, **KANG_MEAS)
    pair = make_partnership(canadian, cambodian)
    municipalities = list(Municipality.objects.all())
    partnerships = list(Partnership.objects.select_related("canadian", "cambodian"))
    assert pair in partnerships
    with django_assert_num_queries(0):
        partner_map = build_map(municipalities, partnerships)
    assert len(partner_map.markers) == 2 and len(partner_map.links) == 1


def test_the_outlines_cover_every_place_a_partner_may_be():
    regions = json.loads(OUTLINES.read_text())["regions"]
    for region, country in [("CA", Country.CANADA), ("KH", Country.CAMBODIA)]:
        west, south, east, north = regions[region]["box"]
        b_west, b_south, b_east, b_north = COUNTRY_BOUNDS[country]
        assert west <= b_west and south <= b_south and east >= b_east and north >= b_north
        assert any(area["home"] for area in regions[region]["areas"])


# Coordinates in the admin -----------------------------------------------------------------------


def municipality_post(staff_client, **fields):
    data = admin_form_data(staff_client.get(reverse("admin:partners_municipality_add")))
    data.update(name="Town of Example", slug="town-of-example", country=Country.CANADA)
    data.update(fields)
    return staff_client.post(reverse("admin:partners_municipality_add"), data)


def test_the_admin_has_a_place_on_the_map_fieldset(staff_client, db):
    page = visible_text(staff_client.get(reverse("admin:partners_municipality_add")))
    assert "Place on the map" in page and "Latitude" in page and "Longitude" in page


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("95", "-113.4", "A latitude is between -90 (South Pole) and 90 (North Pole) degrees."),
        ("-91.5", "-113.4", "A latitude is between -90 (South Pole) and 90 (North Pole) degrees."),
        ("53.3", "-200", "A longitude is between -180 (west) and 180 (east) degrees."),
        ("53.3", "181", "A longitude is between -180 (west) and 180 (east) degrees."),
        ("53.3", "113.4", "These coordinates are not in Canada."),  # the minus sign forgotten
        ("11.9431", "105.2706", "These coordinates are not in Canada."),  # Kang Meas's place
        ("-113.4", "53.3", "A latitude is between -90"),  # swapped
        ("53.3", "", "Give the longitude too, or leave both empty."),
        ("", "-113.4", "Give the latitude too, or leave both empty."),
        ("north", "-113.4", "Enter a number."),
        ("NaN", "-113.4", "Enter a number."),
        ("1e40", "-113.4", "Ensure that there are no more than 8 digits in total."),
    ],
)
def test_coordinates_out_of_range_are_refused_with_a_clear_error(
    staff_client, db, latitude, longitude, message
):
    response = municipality_post(staff_client, latitude=latitude, longitude=longitude)
    assert_form_shown_again_with(response, message)
    assert not Municipality.objects.exists()


def test_coordinates_are_saved_rounded_and_the_place_appears_on_the_map(staff_client, db):
    response = municipality_post(
        staff_client,
        latitude="53.357212345",
        longitude="-113.414749999",
        is_published="on",
    )
    assert response.status_code == 302
    town = Municipality.objects.get(slug="town-of-example")
    assert (town.latitude, town.longitude) == (Decimal("53.35721"), Decimal("-113.41475"))
    parsed, _html = parse_map(staff_client)
    assert "/en/partners/town-of-example/" in parsed.markers


def test_a_place_can_be_taken_off_the_map_and_its_country_is_checked_on_change(staff_client, db):
    commune = make_municipality("Sample Commune", country=Country.CAMBODIA, **KANG_MEAS)
    url = change_url(commune)
    data = admin_form_data(staff_client.get(url))
    # A live place: "Publish changes" saves and publishes (a plain Save keeps a draft).
    data.update(latitude="", longitude="", _publish_draft="Publish changes")
    assert staff_client.post(url, data).status_code == 302
    commune.refresh_from_db()
    assert commune.latitude is None and not commune.is_located
    data.update(latitude="49.1579", longitude="-121.9515")  # in Canada, not Cambodia
    assert_form_shown_again_with(staff_client.post(url, data), "not in Cambodia")


# Demo content -----------------------------------------------------------------------------------


def test_demo_places_real_partners_and_leaves_samples_off_the_map(demo):
    newell = Municipality.objects.get(slug="county-of-newell")
    assert (newell.latitude, newell.longitude) == (Decimal("50.5642"), Decimal("-111.8989"))
    for municipality in Municipality.objects.all():
        assert municipality.is_located != municipality.is_sample, municipality
        municipality.full_clean()  # inside their country's bounds


def test_demo_keeps_staff_coordinates_unless_reset(demo):
    Municipality.objects.filter(slug="county-of-newell").update(latitude=50.1, longitude=-111.5)
    Municipality.objects.filter(slug="sample-canadian-municipality").update(
        latitude=51.0, longitude=-114.0
    )
    call_command("load_demo_content", stdout=StringIO())
    newell = Municipality.objects.get(slug="county-of-newell")
    assert newell.latitude == Decimal("50.1")
    call_command("load_demo_content", "--reset", stdout=StringIO())
    newell.refresh_from_db()
    assert newell.latitude == Decimal("50.5642")
    assert not Municipality.objects.get(slug="sample-canadian-municipality").is_located
