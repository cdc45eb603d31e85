"""A news item's structured data (schema.org NewsArticle or Report, as JSON-LD) for search
engines and link previews."""

from core.seo import organization
from core.translated import translated

from .models import Kind


def news_article(request, item, site, image_url=""):
    publisher = organization(request, site)
    publisher.pop("@context")
    data = {
        "@context": "https://schema.org",
        "@type": "Report" if item.kind == Kind.REPORT else "NewsArticle",
        "headline": item.title[:110],
        "name": item.title,
        # In the reader's language where there is one (a French summary before an English
        # description), as on the page.
        "description": translated(item, "meta_description", "summary").text,
        "datePublished": item.published_at.isoformat(),
        "dateModified": max(item.updated_at, item.published_at).isoformat(),
        "url": request.build_absolute_uri(item.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(item.get_absolute_url()),
        "author": publisher,
        "publisher": publisher,
        "isAccessibleForFree": not item.is_members_only,
    }
    if image_url:
        data["image"] = [request.build_absolute_uri(image_url)]
    if item.kind == Kind.REPORT and item.pdf and not item.pdf_is_members_only:
        data["encoding"] = {
            "@type": "MediaObject",
            "encodingFormat": "application/pdf",
            "contentUrl": request.build_absolute_uri(item.pdf.url),
        }
    return data
