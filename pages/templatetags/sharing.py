"""The picture a shared link shows (og:image): `{% load sharing %}`.

    {% share_card image=object.image url=other_picture alt=other_alt as card %}

The page's own library image's social card (1200×630, library/renditions.py), else `url` (a
picture the page has outside the library, with its `alt`), else the default sharing image of
the site settings, else the site's static card. `card.url` is relative (the caller makes it
absolute); `card.width` and `card.height` are given when known. No query: the images come loaded
with their rows (select_related, and SiteSettings.load)."""

from dataclasses import dataclass

from django import template
from django.templatetags.static import static

from core.translated import translated
from library.renditions import picture

register = template.Library()

# core/static/img/og-default.png
DEFAULT_CARD = ("img/og-default.png", 1200, 630)


@dataclass
class Card:
    url: str
    width: int = 0
    height: int = 0
    alt: str = ""


def social_card(image):
    found = picture(image, "social") if image else None
    if found is None:
        return None
    return Card(found.src, found.width, found.height, translated(image, "alt").text)


@register.simple_tag(takes_context=True)
def share_card(context, image=None, url="", alt=""):
    card = social_card(image)
    if card is None and url:
        card = Card(url, alt=alt)
    if card is None:
        site_settings = context.get("site_settings")
        card = social_card(getattr(site_settings, "share_image", None))
    if card is None:
        name, width, height = DEFAULT_CARD
        card = Card(static(name), width, height)
    return card
