"""The partnership map: an SVG drawn on the server from the partners already on the page.

Two panels side by side (Cambodia first in Khmer, Canada first otherwise), each a Mercator view
fitted around its located partners (and at least the part of the country the program works
in); a curve joins the two places of each partnership across the panels. Each panel is its own
<svg> showing one half of the drawing, so that a narrow screen can stack them (the curves show
only side by side). The outlines come from
data/map-outlines.json (Natural Earth, built once by tools/map/build-outlines.mjs), clipped
and projected here; nothing is fetched from anywhere at run time and no JavaScript is needed.
"""

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Country

OUTLINES = Path(__file__).parent / "data" / "map-outlines.json"

WIDTH, HEIGHT = 1000, 470
TOP = 44  # room above the panels for their titles and the partnership curves
GAP = 40  # between the panels
LABEL_SIZE = 14  # px (user units) of a place's name; the stylesheet uses the same
MARKER_RADIUS = 6


@dataclass(frozen=True)
class PanelSpec:
    region: str  # key in map-outlines.json
    country: str
    title: str
    # [west, south, east, north]: the least the panel shows, even with one partner.
    least: tuple
    padding: float  # degrees kept around the partners
    # Names printed on the map for orientation: (longitude, latitude, text, css class).
    names: tuple = ()


PANEL_WIDTH = (WIDTH - GAP) / 2 - 1  # a pixel's margin outside, so the frames show whole
# Where the first and the second panel start; each panel's <svg> shows half the width.
PANEL_LEFT = (1, WIDTH - 1 - PANEL_WIDTH)
PANELS = (
    PanelSpec(
        region="CA",
        country=Country.CANADA,
        title=_("Canada"),
        least=(-131.5, 47.0, -107.5, 57.5),
        padding=1.5,
        names=(
            (-125.3, 55.4, _("British Columbia"), "map-name"),
            (-115.0, 56.6, _("Alberta"), "map-name"),
            (-105.5, 55.5, _("Saskatchewan"), "map-name"),
            (-98.0, 55.5, _("Manitoba"), "map-name"),
            (-85.0, 50.0, _("Ontario"), "map-name"),
            (-116.0, 46.6, _("United States"), "map-name map-name-abroad"),
            (-128.0, 47.4, _("Pacific Ocean"), "map-name map-name-water"),
        ),
    ),
    PanelSpec(
        region="KH",
        country=Country.CAMBODIA,
        title=_("Cambodia"),
        least=(101.4, 9.7, 108.6, 15.3),
        padding=0.3,
        names=(
            (102.1, 14.95, _("Thailand"), "map-name map-name-abroad"),
            (106.4, 15.1, _("Laos"), "map-name map-name-abroad"),
            (108.0, 13.2, _("Vietnam"), "map-name map-name-abroad"),
            (102.6, 10.3, _("Gulf of Thailand"), "map-name map-name-water"),
            (103.85, 12.55, _("Tonle Sap"), "map-name map-name-water map-name-small"),
        ),
    ),
)


# Projection ------------------------------------------------------------------------------------


def mercator_y(latitude):
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def inverse_mercator_y(y):
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


@dataclass(frozen=True)
class View:
    """A Mercator view of [west, south, east, north] drawn in a box of the SVG."""

    west: float
    south: float
    east: float
    north: float
    left: float
    top: float
    width: float
    height: float

    @property
    def scale(self):
        return self.width / math.radians(self.east - self.west)

    def project(self, longitude, latitude):
        x = self.left + math.radians(longitude - self.west) * self.scale
        y = self.top + (mercator_y(self.north) - mercator_y(latitude)) * self.scale
        return x, y


def fit_view(extent, box, left, top, width, height):
    """The view that shows `extent` whole in a width×height box, widened in one direction to
    fill it, and moved (where it can be) so it stays inside `box`, the outlines' area."""
    west, south, east, north = extent
    x_span = math.radians(east - west)
    y_low, y_high = mercator_y(south), mercator_y(north)
    if x_span / (y_high - y_low) > width / height:  # too wide: show more north and south
        grow = (x_span * height / width - (y_high - y_low)) / 2
        y_low, y_high = y_low - grow, y_high + grow
    else:  # too tall: show more east and west
        grow = math.degrees(((y_high - y_low) * width / height - x_span) / 2)
        west, east = west - grow, east + grow
    box_west, box_south, box_east, box_north = box
    west, east = _shift_inside(west, east, box_west, box_east)
    y_low, y_high = _shift_inside(y_low, y_high, mercator_y(box_south), mercator_y(box_north))
    return View(
        west, inverse_mercator_y(y_low), east, inverse_mercator_y(y_high), left, top, width, height
    )


def _shift_inside(low, high, box_low, box_high):
    if high - low >= box_high - box_low:
        middle = (box_low + box_high) / 2
        return middle - (high - low) / 2, middle + (high - low) / 2
    if low < box_low:
        return box_low, box_low + (high - low)
    if high > box_high:
        return box_high - (high - low), box_high
    return low, high


# Outlines --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def outlines():
    with OUTLINES.open(encoding="utf-8") as f:
        return json.load(f)["regions"]


def _clip_ring(ring, west, south, east, north):
    """Sutherland–Hodgman: the part of a closed ring inside the rectangle."""

    def cross_x(a, b, x):
        return x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])

    def cross_y(a, b, y):
        return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y

    sides = (
        (lambda p: p[0] >= west, lambda a, b: cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: cross_y(a, b, north)),
    )
    points = ring
    for inside, cross in sides:
        if not points:
            break
        out = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    out.append(cross(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(cross(previous, current))
            previous = current
        points = out
    return points


def _path(points, view, closed):
    """SVG path data for projected points, dropping those within a pixel of the last kept."""
    projected = []
    for longitude, latitude in points:
        x, y = view.project(longitude, latitude)
        if projected and abs(x - projected[-1][0]) < 1 and abs(y - projected[-1][1]) < 1:
            continue
        projected.append((x, y))
    if len(projected) < (3 if closed else 2):
        return ""
    xs = [x for x, _y in projected]
    ys = [y for _x, y in projected]
    if closed and (max(xs) - min(xs)) * (max(ys) - min(ys)) < 4:
        return ""  # a speck of an island
    head, *rest = projected
    d = f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest)
    return d + "Z" if closed else d


def _in_view(points, west, south, east, north):
    return not (
        max(p[0] for p in points) < west
        or min(p[0] for p in points) > east
        or max(p[1] for p in points) < south
        or min(p[1] for p in points) > north
    )


@dataclass(frozen=True)
class Shape:
    d: str
    css: str


@lru_cache(maxsize=32)
def panel_shapes(region, view):
    """The land, lakes and rivers of one region in a view, as SVG paths (cached per view:
    it changes only when a partner's place moves the panel's edges)."""
    data = outlines()[region]
    # Clip a little outside the view, so cut edges fall under the panel's frame.
    margin = (view.east - view.west) * 0.02
    edges = (view.west - margin, view.south - margin, view.east + margin, view.north + margin)
    shapes = []
    for area in sorted(data["areas"], key=lambda a: a["home"]):  # the home country on top
        parts = [
            _path(_clip_ring(ring, *edges), view, closed=True)
            for ring in area["rings"]
            if _in_view(ring, *edges)
        ]
        d = "".join(parts)
        if d:
            css = "map-land map-land-home" if area["home"] else "map-land"
            shapes.append(Shape(d, css))
    lakes = "".join(
        _path(_clip_ring(ring, *edges), view, closed=True)
        for ring in data["lakes"]
        if _in_view(ring, *edges)
    )
    if lakes:
        shapes.append(Shape(lakes, "map-lake"))
    rivers = "".join(
        _path(line, view, closed=False) for line in data["rivers"] if _in_view(line, *edges)
    )
    if rivers:
        shapes.append(Shape(rivers, "map-river"))
    return tuple(shapes)


# The map ---------------------------------------------------------------------------------------


@dataclass
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other):
        return not (
            self.right < other.left
            or other.right < self.left
            or self.bottom < other.top
            or other.bottom < self.top
        )

    @property
    def width(self):
        return self.right - self.left

    @property
    def height(self):
        return self.bottom - self.top

    def inside(self, left, top, right, bottom):
        return (
            self.left >= left and self.right <= right and self.top >= top and self.bottom <= bottom
        )


@dataclass
class Label:
    text: str
    x: float
    y: float
    anchor: str  # SVG text-anchor: "start", "end" or "middle"
    box: Box
    css: str = ""


@dataclass
class Marker:
    municipality: object
    x: float
    y: float
    label: Label | None = None
    # False when the name would cover another: it then shows only on hover and focus.
    label_shown: bool = True

    @property
    def css(self):
        side = "ca" if self.municipality.country == Country.CANADA else "kh"
        return f"map-marker map-marker-{side}"

    @property
    def name(self):
        m = self.municipality
        parts = [m.name, m.region, m.get_country_display()]
        return ", ".join(str(part) for part in parts if part)


@dataclass
class Link:
    partnership: object
    d: str

    @property
    def css(self):
        return "map-link map-link-sample" if self.partnership.is_sample else "map-link"


@dataclass
class Panel:
    spec: PanelSpec
    view: View
    shapes: tuple
    clip_id: str
    names: list = field(default_factory=list)
    markers: list = field(default_factory=list)

    @property
    def title(self):
        return self.spec.title

    @property
    def region(self):
        return self.spec.region.lower()

    @property
    def viewbox(self):
        """The half of the drawing this panel's <svg> shows: "x y width height"."""
        half = WIDTH / 2
        return f"{0 if self.view.left < half else half:g} 0 {half:g} {HEIGHT}"


@dataclass
class PartnerMap:
    panels: list
    links: list
    unplaced: list  # published municipalities without coordinates
    undrawn: list  # published partnerships with a partner that is not on the map
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def markers(self):
        return [marker for panel in self.panels for marker in panel.markers]

    @property
    def has_sample_links(self):
        return any(link.partnership.is_sample for link in self.links)

    @property
    def has_unplaced_samples(self):
        return any(m.is_sample for m in self.unplaced)

    @property
    def description(self):
        """What the map shows, in words, for its <desc>."""
        canadian = sum(m.municipality.country == Country.CANADA for m in self.markers)
        cambodian = len(self.markers) - canadian
        places = _("On the map: %(canadian)s and %(cambodian)s.") % {
            "canadian": ngettext(
                "%(count)d Canadian municipality", "%(count)d Canadian municipalities", canadian
            )
            % {"count": canadian},
            "cambodian": ngettext(
                "%(count)d Cambodian local government",
                "%(count)d Cambodian local governments",
                cambodian,
            )
            % {"count": cambodian},
        }
        lines = ngettext(
            "%(count)d line joins the partners of a partnership.",
            "%(count)d lines join the partners of each partnership.",
            len(self.links),
        ) % {"count": len(self.links)}
        return f"{places} {lines}"


# The width of an average character in em, a little generous: the semibold names measure about
# 0.62 em a character in DejaVu Sans, the widest of the usual system fonts.
CHAR_WIDTH = 0.64


def _label_box(text, x, y, anchor, size=LABEL_SIZE, char_width=CHAR_WIDTH, pad=3):
    """Roughly where a text will be drawn (the average width of a character is a guess)."""
    width = len(str(text)) * char_width * size
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return Box(left - pad, y - size * 0.8 - pad, left + width + pad, y + size * 0.25 + pad)


def _place_labels(panel):
    """Names to the right of their markers, or to the left, or shown only on hover and focus
    when they would cover another name or marker; then the orientation names that fit."""
    view = panel.view
    edges = (view.left + 2, view.top + 2, view.left + view.width - 2, view.top + view.height - 2)
    taken = [
        Box(m.x - MARKER_RADIUS, m.y - MARKER_RADIUS, m.x + MARKER_RADIUS, m.y + MARKER_RADIUS)
        for m in panel.markers
    ]
    for marker in panel.markers:
        text = marker.municipality.name
        middle = marker.y + LABEL_SIZE * 0.35  # the text's baseline, centred on the marker
        places = (
            (marker.x + 10, middle, "start"),  # right
            (marker.x - 10, middle, "end"),  # left
            (marker.x, marker.y - 12, "middle"),  # above
            (marker.x, marker.y + 12 + LABEL_SIZE * 0.8, "middle"),  # below
        )
        options = [
            Label(text, x, y, anchor, _label_box(text, x, y, anchor)) for x, y, anchor in places
        ]
        for option in options:
            if option.box.inside(*edges) and not any(option.box.overlaps(b) for b in taken):
                marker.label = option
                taken.append(option.box)
                break
        else:
            marker.label = _moved_inside(options[0], edges)
            marker.label_shown = False
    for longitude, latitude, text, css in panel.spec.names:
        x, y = view.project(longitude, latitude)
        # Set in small spaced capitals, hence the wider characters.
        box = _label_box(text, x, y, "middle", size=12, char_width=0.72)
        if box.inside(*edges) and not any(box.overlaps(taken_box) for taken_box in taken):
            panel.names.append(Label(text, x, y, "middle", box, css))
            taken.append(box)


def _moved_inside(label, edges):
    """The label slid sideways to lie within the panel (where it can), for a name shown only on
    hover and focus: it may cover others then, but not run off the map."""
    left, _top, right, _bottom = edges
    shift = 0
    if label.box.right > right:
        shift = right - label.box.right
    if label.box.left + shift < left:
        shift = left - label.box.left
    box = Box(label.box.left + shift, label.box.top, label.box.right + shift, label.box.bottom)
    return Label(label.text, label.x + shift, label.y, label.anchor, box, label.css)


def _extent(spec, places):
    west, south, east, north = spec.least
    for longitude, latitude in places:
        west = min(west, longitude - spec.padding)
        east = max(east, longitude + spec.padding)
        south = min(south, latitude - spec.padding)
        north = max(north, latitude + spec.padding)
    return west, south, east, north


def _curve(start, end):
    """A curve from one panel to the other, arching up through the band above the panels."""
    (x1, y1), (x2, y2) = start, end
    apex = max(16.0, min(y1, y2) - 130)
    # A quadratic curve's highest point is halfway between its ends' mean and its control.
    control_y = 2 * apex - (y1 + y2) / 2
    return f"M{x1:.1f} {y1:.1f}Q{(x1 + x2) / 2:.1f} {control_y:.1f} {x2:.1f} {y2:.1f}"


def panel_order(language=None):
    """The panels in reading order: the reader's own country first (Cambodia in Khmer)."""
    language = language or get_language() or ""
    return tuple(reversed(PANELS)) if language.split("-")[0] == "km" else PANELS


def build_map(municipalities, partnerships, language=None):
    """The map of the published `municipalities` and `partnerships` the page already has:
    no query of its own. `language` (the active one by default) orders the panels."""
    panels = []
    for left, spec in zip(PANEL_LEFT, panel_order(language), strict=True):
        located = [m for m in municipalities if m.country == spec.country and m.is_located]
        extent = _extent(spec, [(float(m.longitude), float(m.latitude)) for m in located])
        view = fit_view(
            extent,
            outlines()[spec.region]["box"],
            left,
            TOP,
            PANEL_WIDTH,
            HEIGHT - TOP - 1,
        )
        panel = Panel(spec, view, panel_shapes(spec.region, view), f"map-clip-{spec.region}")
        for m in located:
            x, y = view.project(float(m.longitude), float(m.latitude))
            panel.markers.append(Marker(m, x, y))
        _place_labels(panel)
        panels.append(panel)

    where = {marker.municipality.pk: marker for panel in panels for marker in panel.markers}
    links, undrawn = [], []
    for partnership in partnerships:
        start, end = where.get(partnership.canadian_id), where.get(partnership.cambodian_id)
        if start and end:
            links.append(Link(partnership, _curve((start.x, start.y), (end.x, end.y))))
        else:
            undrawn.append(partnership)
    unplaced = [m for m in municipalities if not m.is_located]
    return PartnerMap(panels, links, unplaced, undrawn)
