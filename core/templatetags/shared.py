"""Parts of a public page that are the same for every reader, rendered once per content version:
`{% load shared %}`.

    {% shared "header-nav" %}...{% endshared %}
    {% shared "home-content" reader %}...{% endshared %}

The part is kept in the cache (core.cache.kept_per_version) under its name, the current
content version, the active language, the page's full address (scheme, host, path and query
string) and the values given after the name (what else it depends on, such as the kind of
reader); the next reader of that page in that version gets it without rendering it, and without
the queries of whatever lazy values (callables, website.menus.Menus) it reads. Only on the pages
of `cache_public_page` views, which show every anonymous reader the same page: never in a
preview (unsaved or draft content), on an error page, or when there is no content version (the
page cache off), where the part is rendered each time. What depends on the reader (the account
links, the member's name, CSRF tokens, messages) stays outside, or among the values given.
"""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from core.cache import kept_per_version

register = template.Library()


def can_share(context):
    request = context.get("request")
    if request is None or request.method not in ("GET", "HEAD"):
        return None
    match = getattr(request, "resolver_match", None)
    if match is None or not getattr(match.func, "cache_public_page", False):
        return None
    if context.get("preview_status") or "exception" in context:
        return None
    if getattr(request, "menu_preview", None) is not None:
        return None
    return request


class SharedNode(template.Node):
    def __init__(self, name, vary, nodelist):
        self.name = name
        self.vary = vary
        self.nodelist = nodelist

    def render(self, context):
        request = can_share(context)
        if request is None:
            return self.nodelist.render(context)
        vary = [value.resolve(context) for value in self.vary]
        return kept_per_version(
            lambda: mark_safe(self.nodelist.render(context)),  # noqa: S308 - rendered markup
            "fragment",
            self.name,
            request.build_absolute_uri(),
            *vary,
            language=True,
            request=request,
            # Kept by address, as whole pages are: for as long as they are.
            seconds=settings.MPED_PAGE_CACHE_SECONDS,
        )


@register.tag
def shared(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% shared %} needs a name.")
    name = bits[1].strip("\"'")
    vary = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    return SharedNode(name, vary, nodelist)
