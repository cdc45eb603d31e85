"""Structured data (schema.org, as JSON-LD) shared by the site's pages: the organisation
that publishes them, from the site settings. A news item's own is in news/seo.py."""

from django.templatetags.static import static


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
