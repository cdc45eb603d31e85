"""Structured data (schema.org, as JSON-LD) shared by the site's pages: the organisation
that publishes them, from the site settings. A news item's own is in news/seo.py."""

from django.conf import settings
from django.templatetags.static import static
from django.utils import translation

# og:locale is language_TERRITORY (https://ogp.me/#optional): the site is written for readers in
# Canada and Cambodia, so English and French as written in Canada, Khmer as in Cambodia.
OG_LOCALES = {"en": "en_CA", "fr": "fr_CA", "km": "km_KH"}


def og_locale(code):
    return OG_LOCALES.get(code, code.replace("-", "_"))


def og_locales():
    """The active language's og:locale, and the site's other languages' (og:locale:alternate)."""
    current = translation.get_language()
    others = [og_locale(code) for code, _name in settings.LANGUAGES if code != current]
    return {"locale": og_locale(current), "alternates": others}


def organization(request, site):
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": site.site_name,
        "alternateName": site.short_name,
        "url": request.build_absolute_uri("/"),
        "logo": request.build_absolute_uri(static("img/og-default.png")),
        "description": site.tagline,
    }
