import json
from urllib.parse import unquote

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

# The query parameters that choose what a page shows (a list's filters, its page or cursor):
# the canonical address keeps them and drops the rest (tracking tags and the like).
CANONICAL_PARAMETERS = ("kind", "year", "partner", "q", "page", "before", "after", "oldest")


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
    return request.build_absolute_uri(request.path) + canonical_query(request)


def canonical_query(request):
    params = QueryDict(mutable=True)
    for name in CANONICAL_PARAMETERS:
        value = request.GET.get(name)
        if value and not (name == "page" and value == "1"):
            params[name] = value
    return f"?{params.urlencode()}" if params else ""


def path_in_language(match, subject):
    """The path of the page being shown, in the active language: the same object's page (its
    slug may differ by language) or the same view with the same arguments; that language's
    home page when there is none (error pages, addresses that match no view)."""
    if subject is not None:
        return subject.get_absolute_url()
    if match is None:
        return reverse("home")
    try:
        return reverse(match.view_name, args=match.args, kwargs=match.captured_kwargs)
    except NoReverseMatch:
        return reverse("home")


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in each of the site's languages, each named in itself: for the language
    switcher `url` keeps the query string (the same filters, page or search), for the hreflang
    links `absolute_url` keeps what the canonical URL keeps."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if "exception" in context:
        # Django's 403 and 404 pages: that page does not exist in another language either.
        match = None
    subject = context.get("object")
    if match is None or not (
        hasattr(subject, "get_absolute_url") and unquote(subject.get_absolute_url()) == request.path
    ):
        # Only the object whose own page this is (a news item, program page, partner).
        subject = None
    query = request.GET.urlencode() if match is not None else ""
    canonical = canonical_query(request) if match is not None else ""
    current = translation.get_language()
    versions = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            path = path_in_language(match, subject)
            name = str(name)
        versions.append(
            {
                "code": code,
                "name": name,
                "is_current": code == current,
                "is_default": code == settings.LANGUAGE_CODE,
                "url": f"{path}?{query}" if query else path,
                "absolute_url": request.build_absolute_uri(path) + canonical
                if request is not None
                else path,
            }
        )
    return versions


@register.simple_tag
def ld_json(data):
    """Structured data for search engines: a JSON-LD data block (not a script the browser
    runs, so a strict Content-Security-Policy allows it), escaped like json_script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(escape_json_for_html(text)),  # noqa: S308 - escaped as json_script does
    )
