"""Dates for machines: the `datetime` attribute of <time>, JSON-LD, feeds.

Django's `|date:"c"` writes microseconds once a date has been saved from a form or the ORM
("2026-05-14T09:00:00.123456+07:00"), which HTML's <time datetime> does not allow (at most three
digits of fractions of a second; the Nu HTML checker rejects six). Whole seconds and the offset
are valid in HTML, ISO 8601, RFC 3339 and schema.org alike:
https://html.spec.whatwg.org/multipage/common-microsyntaxes.html#valid-global-date-and-time-string
"""

import datetime

from django.utils import timezone


def iso_datetime(value):
    """`value` as "2026-05-14T09:00:00+07:00" (an aware datetime, in the active time zone as
    the page shows it), "2026-05-14T09:00:00" (a naive one) or "2026-05-14" (a date); "" for
    anything else."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""
