from django import template
from js_asset import Media

register = template.Library()


@register.simple_tag(takes_context=True)
def media_with_nonce(context, media):
    """Form media whose tags carry the request's Content-Security-Policy nonce (django-csp)."""
    nonce = getattr(context.get("request"), "csp_nonce", "")
    return Media.from_media(media, nonce=nonce).render()
