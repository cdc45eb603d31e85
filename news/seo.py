"""A news item's structured data (schema.org NewsArticle or Report, as JSON-LD) for search
engines and link previews."""

from django.templatetags.static import static
from django.utils import translation

from core.dates import iso_datetime
from core.seo import organization
from core.translated import translated
from pages.templatetags.sharing import DEFAULT_CARD, social_card

from .models import Kind

# The media types of the library's kinds of document.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def site_card_url(site):
    """The picture a page without its own shows when shared (as og:image does)."""
    card = social_card(getattr(site, "share_image", None))
    return card.url if card else static(DEFAULT_CARD[0])


def news_article(request, item, site, image_url="", document=None):
    """`document`: the report's document anyone may download, if it has one; `image_url`: the
    item's picture (else the site's card is named: search engines want an image)."""
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
        "datePublished": iso_datetime(item.published_at),
        "dateModified": iso_datetime(max(item.updated_at, item.published_at)),
        "inLanguage": translation.get_language(),
        "url": request.build_absolute_uri(item.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(item.get_absolute_url()),
        "author": publisher,
        "publisher": publisher,
        "isAccessibleForFree": not item.is_members_only,
    }
    data["image"] = [request.build_absolute_uri(image_url or site_card_url(site))]
    if item.kind == Kind.REPORT and document is not None:
        data["encoding"] = {
            "@type": "MediaObject",
            "encodingFormat": MEDIA_TYPES.get(document.file_type, "application/octet-stream"),
            "contentUrl": request.build_absolute_uri(document.get_absolute_url()),
        }
    return data
