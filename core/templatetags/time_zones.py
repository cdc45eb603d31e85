from django import template

from core import time_zones

register = template.Library()


@register.simple_tag
def time_zone_label(at=None):
    """The active zone, "Phnom Penh time, UTC+7" (its offset at `at`, else now)."""
    return time_zones.time_zone_label(at=at)


@register.filter
def with_time_zone(value, arg="DATETIME_FORMAT"):
    """A date and time formatted as the date filter does, followed by its zone:
    "14 May 2026, 09:00 (Phnom Penh time, UTC+7)"."""
    if not value:
        return ""
    return time_zones.with_time_zone(value, arg)
