from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def file_size(num_bytes):
    """A download size as readers expect it next to a link: "0.75 MB", "12 KB"."""
    try:
        num_bytes = int(num_bytes)
    except (TypeError, ValueError):
        return ""
    if num_bytes >= 1024 * 1024:
        return _("%(size)s MB") % {"size": number_format(num_bytes / (1024 * 1024), 2)}
    return _("%(size)s KB") % {"size": number_format(max(1, round(num_bytes / 1024)), 0)}
