"""The partners as open data: CSV and GeoJSON files of the published municipalities and
partnerships, in a fixed, documented format (templates/partners/open_data.html, README).

Column names and GeoJSON property keys are English and never change; texts (summary, focus,
country name) are in the language of the address (/fr/ gives French, English where a text is
not translated yet). Slugs are the stable identifiers. Sample entries are included, flagged by
`is_sample`, so that nobody mistakes them for real partners.
"""

import csv
import io
import json
from datetime import UTC

from django.http import HttpResponse
from django.utils.translation import get_language

from . import views
from .models import Country, Municipality

MUNICIPALITY_COLUMNS = [
    "slug",
    "name",
    "country",
    "country_name",
    "province",
    "latitude",
    "longitude",
    "website",
    "summary",
    "url",
    "is_sample",
    "updated",
]
PARTNERSHIP_COLUMNS = [
    "canadian_slug",
    "canadian_name",
    "cambodian_slug",
    "cambodian_name",
    "since",
    "focus",
    "is_sample",
]
# Cells that are numbers or flags: written as they are, never neutralised (a longitude west of
# Greenwich starts with a minus sign and must stay a number).
NUMBER_COLUMNS = {"latitude", "longitude", "since", "is_sample"}

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text):
    """A text cell a spreadsheet shows as text: a leading apostrophe before a formula sign."""
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unneutralise(text):
    """The text `neutralise` was given, so that a downloaded file imports unchanged."""
    if text and text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def coordinate(value):
    """49.15790 → "49.1579", as a map app writes it; "" when there is none."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def flag(value):
    return "true" if value else "false"


def published_municipalities():
    return Municipality.objects.published().order_by("country", "order", "name", "pk")


def published_partnerships():
    return views.published_partnerships().order_by(
        "canadian__order", "canadian__name", "cambodian__name", "pk"
    )


def municipality_record(municipality, request):
    """One municipality with the public file's keys and typed values (None when empty)."""
    return {
        "slug": municipality.slug,
        "name": municipality.name,
        "country": municipality.country,
        "country_name": str(Country(municipality.country).label),
        "province": municipality.region,
        "latitude": municipality.latitude,
        "longitude": municipality.longitude,
        "website": municipality.website,
        # modeltranslation: the reader's language, English when it has no text.
        "summary": municipality.summary or "",
        "url": request.build_absolute_uri(municipality.get_absolute_url()),
        "is_sample": municipality.is_sample,
        "updated": municipality.updated_at.astimezone(UTC).isoformat(timespec="seconds"),
    }


def partnership_record(partnership):
    return {
        "canadian_slug": partnership.canadian.slug,
        "canadian_name": partnership.canadian.name,
        "cambodian_slug": partnership.cambodian.slug,
        "cambodian_name": partnership.cambodian.name,
        "since": partnership.since,
        "focus": partnership.focus or "",
        "is_sample": partnership.is_sample,
    }


def csv_cell(column, value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return flag(value)
    if column in ("latitude", "longitude"):
        return coordinate(value)
    if column in NUMBER_COLUMNS:
        return str(value)
    return neutralise(str(value))


def csv_response(columns, records, filename):
    """RFC 4180 CSV (CRLF line ends, quotes where needed) in UTF-8 with a byte order mark, so
    that spreadsheets read Khmer and French letters correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([csv_cell(column, record[column]) for column in columns])
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_value(value):
    if hasattr(value, "is_finite"):  # Decimal coordinates: JSON numbers
        return float(value)
    return value


def point(record):
    if record["latitude"] is None or record["longitude"] is None:
        return None
    # RFC 7946: longitude first.
    return {"type": "Point", "coordinates": [float(record["longitude"]), float(record["latitude"])]}


def geojson_response(features, filename):
    collection = {"type": "FeatureCollection", "features": features}
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False, indent=1).encode(),
        content_type="application/geo+json",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filename(name, extension):
    return f"mped-{name}-{get_language()}.{extension}"


def municipalities_csv(request):
    records = [municipality_record(m, request) for m in published_municipalities()]
    return csv_response(MUNICIPALITY_COLUMNS, records, filename("municipalities", "csv"))


def partnerships_csv(request):
    records = [partnership_record(p) for p in published_partnerships()]
    return csv_response(PARTNERSHIP_COLUMNS, records, filename("partnerships", "csv"))


def municipalities_geojson(request):
    """Every published municipality; those without coordinates have a null geometry."""
    features = []
    for municipality in published_municipalities():
        record = municipality_record(municipality, request)
        properties = {key: json_value(record[key]) for key in MUNICIPALITY_COLUMNS}
        features.append(
            {
                "type": "Feature",
                "id": municipality.slug,
                "geometry": point(record),
                "properties": properties,
            }
        )
    return geojson_response(features, filename("municipalities", "geojson"))


def partnerships_geojson(request):
    """A straight line from the Canadian to the Cambodian place, for pairings where both are
    on the map; the others are in partnerships.csv only."""
    features = []
    for partnership in published_partnerships():
        canadian, cambodian = partnership.canadian, partnership.cambodian
        if not (canadian.is_located and cambodian.is_located):
            continue
        record = partnership_record(partnership)
        features.append(
            {
                "type": "Feature",
                "id": f"{canadian.slug}--{cambodian.slug}",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [float(canadian.longitude), float(canadian.latitude)],
                        [float(cambodian.longitude), float(cambodian.latitude)],
                    ],
                },
                "properties": record,
            }
        )
    return geojson_response(features, filename("partnerships", "geojson"))
