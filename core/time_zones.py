"""Time zones: the site's (settings.TIME_ZONE, in which readers see every date) and each staff
member's own (accounts.User.time_zone, active in the admin: editorial/middleware.py), named the
same way wherever staff enter or read a time: "Phnom Penh time, UTC+7"."""

import datetime
import functools
import zoneinfo

from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext

# The zones people live in (the IANA regions), without the old aliases for countries ("US/…",
# "Canada/…") and fixed offsets ("Etc/GMT+5", "EST") that name no place.
REGIONS = {
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}


@functools.cache
def time_zone_names():
    return sorted(
        name for name in zoneinfo.available_timezones() if name.split("/", 1)[0] in REGIONS
    ) + ["UTC"]


def site_time_zone_choice():
    return gettext("The site's time zone (%(zone)s)") % {
        "zone": time_zone_label(settings.TIME_ZONE)
    }


def time_zone_choices():
    """A staff member's choices: blank for the site's zone (named in the reader's language when
    the list is shown), then every zone by its name, "America/Toronto"."""
    return [
        ("", lazy(site_time_zone_choice, str)()),
        *((name, name.replace("_", " ")) for name in time_zone_names()),
    ]


def user_time_zone(user):
    """The zone a staff member chose, else the site's (also when the chosen one is no longer
    in this machine's time zone database)."""
    name = getattr(user, "time_zone", "")
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_default_timezone()


def utc_offset(offset):
    """UTC+7, UTC−5 (a minus sign, not a hyphen), UTC+5:30."""
    minutes = round(offset.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "\N{MINUS SIGN}"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def time_zone_label(zone=None, at=None):
    """ "Phnom Penh time, UTC+7": the zone's city (the last part of its name) and its offset
    at `at` (now by default: Toronto is UTC−5 in winter, UTC−4 in summer). `zone` is a name or
    a tzinfo; the active zone by default."""
    if zone is None:
        zone = timezone.get_current_timezone()
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    at = at if isinstance(at, datetime.datetime) and timezone.is_aware(at) else timezone.now()
    offset = utc_offset(at.astimezone(zone).utcoffset())
    name = getattr(zone, "key", None) or str(zone)
    if name == "UTC":
        return "UTC"
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    # Translators: a time zone beside a date or time field, e.g. "Phnom Penh time, UTC+7".
    return gettext("%(city)s time, %(offset)s") % {"city": city, "offset": offset}


def with_time_zone(value, format="DATETIME_FORMAT"):
    """An aware date and time in the active zone, followed by that zone: "14 May 2026, 09:00
    (Phnom Penh time, UTC+7)"."""
    local = timezone.localtime(value)
    # Translators: a date and time followed by its time zone, "14 May 2026, 09:00 (Phnom Penh
    # time, UTC+7)".
    return gettext("%(when)s (%(zone)s)") % {
        "when": date_format(local, format),
        "zone": time_zone_label(local.tzinfo, value),
    }


class ZonedSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, with the zone the time is read in named after them
    (the active zone: the staff member's own in the admin)."""

    template_name = "core/widgets/zoned_split_datetime.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        label_id = f"{widget['attrs']['id']}_zone" if widget["attrs"].get("id") else ""
        widget["time_zone_label"] = time_zone_label(at=value)
        widget["time_zone_label_id"] = label_id
        if label_id:
            # Screen readers read the zone with the time input.
            time_attrs = widget["subwidgets"][1]["attrs"]
            described = time_attrs.get("aria-describedby", "")
            time_attrs["aria-describedby"] = f"{described} {label_id}".strip()
        return context


class StaffTimeZoneAdmin:
    """A ModelAdmin mixin: every date-and-time field of the model is entered with the zone
    named (ZonedSplitDateTime), whatever formfield_overrides a subclass sets."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField) and "widget" not in kwargs:
            kwargs["widget"] = ZonedSplitDateTime
        return super().formfield_for_dbfield(db_field, request, **kwargs)
