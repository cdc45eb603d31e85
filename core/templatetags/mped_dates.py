from django import template

from core.dates import iso_datetime as iso_datetime_value

register = template.Library()


@register.filter
def iso_datetime(value):
    """For <time datetime="{{ when|iso_datetime }}">: to the second, with the offset (never
    Django's "c", whose microseconds HTML does not allow)."""
    return iso_datetime_value(value)
