"""Library images in templates: `{% load library %}`.

    {% picture item.image "header" sizes="100vw" class="page-header-image" loading="eager" %}
    {% picture item.image "card" %}      nothing at all when the item has no image
    {% social_url item.image as og_image %}

`picture` renders <picture> with a <source> per format (AVIF when made, then WebP) and an
<img> with the default rendition's `src`, `width` and `height`, the WebP `srcset`, `sizes`
(the spec's when not given), `loading` ("lazy" unless given), `decoding="async"`, the `class`
given, and the image's alt text in the reader's language, or the English one with lang="en"
(as `{% translated %}` marks a fallback). `alt=""` makes it decorative. No query: the image's
row (loaded with select_related) has all it needs (library/renditions.py)."""

from django import template
from django.utils.html import format_html, format_html_join

from core.translated import translated

from .. import renditions

register = template.Library()

LOADING = {"lazy", "eager"}
FETCH_PRIORITY = {"high", "low", "auto"}


@register.simple_tag
def picture(image, spec, sizes=None, alt=None, loading="lazy", fetchpriority=None, **attrs):
    if not image:
        return ""
    found = renditions.picture(image, spec)
    if found is None:
        return ""
    sizes = sizes or found.sizes
    if alt is None:
        text = translated(image, "alt")
        alt, alt_lang = text.text, text.fallback_lang
    else:
        alt_lang = ""
    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        ((mime, srcset, sizes) for mime, srcset in found.sources),
    )
    extra = [("lang", alt_lang)] if alt_lang else []
    if attrs.get("class"):
        extra.append(("class", attrs["class"]))
    if fetchpriority in FETCH_PRIORITY:
        extra.append(("fetchpriority", fetchpriority))
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}'
        ' loading="{}" decoding="async"></picture>',
        sources,
        found.src,
        found.srcset,
        sizes,
        str(found.width),
        str(found.height),
        alt,
        format_html_join("", ' {}="{}"', extra),
        loading if loading in LOADING else "lazy",
    )


@register.simple_tag
def social_url(image):
    """The image's social card (1200×630 JPEG) URL, relative; "" without an image."""
    if not image:
        return ""
    return renditions.social_url(image)
