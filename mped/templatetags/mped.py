import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

CANONICAL_PARAMETERS = ("kind", "year", "q", "page")


def escape_json_for_html(text):
    return text.translate(_json_script_escapes)


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


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """`url` with the scheme and host of the request, for links that leave the site (feeds,
    sharing cards); as given when there is no request (error pages)."""
    request = context.get("request")
    if not url or request is None:
        return url or ""
    return request.build_absolute_uri(url)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's one address: its path, keeping only the query parameters that change what
    it shows (the kind of news and the page number)."""
    request = context.get("request")
    if request is None:
        return ""
    params = QueryDict(mutable=True)
    for name in CANONICAL_PARAMETERS:
        value = request.GET.get(name)
        if value and not (name == "page" and value == "1"):
            params[name] = value
    query = f"?{params.urlencode()}" if params else ""
    return request.build_absolute_uri(request.path) + query


@register.simple_tag
def ld_json(data):
    """Structured data for search engines: a JSON-LD data block (not a script the browser
    runs, so a strict Content-Security-Policy allows it), escaped like json_script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(escape_json_for_html(text)),  # noqa: S308 - escaped as json_script does
    )
