from django import template

from core import seo

register = template.Library()


@register.simple_tag
def og_locales():
    """{% og_locales as og %}: og.locale (en_CA) and og.alternates (fr_CA, km_KH)."""
    return seo.og_locales()
