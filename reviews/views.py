"""The review page: a draft or scheduled item in the public layout, for whoever holds a valid
review link, and the item's documents through the same link."""

from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from files.pdfs import THUMBNAIL_CONTENT_TYPE
from news.models import NewsItem
from news.seo import MEDIA_TYPES
from news.views import (
    NewsItemDetailView,
    Offer,
    private_file_response,
    with_documents,
    with_published_partners,
)
from pages.models import ProgramPage
from pages.views import ProgramPageDetailView

from .models import LinkStatus, ReviewLink, ReviewLinkUse

PRIVATE_HEADERS = {
    # Not stored by browsers or proxies, not indexed, and the address (the token) is not sent
    # to the sites the page links to.
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
}


def private(response):
    for name, value in PRIVATE_HEADERS.items():
        response[name] = value
    return response


def link_error(request, status, heading, message):
    """The page for a link that does not open: never the item's title or content."""
    response = render(
        request,
        "reviews/link_error.html",
        {"heading": heading, "message": message},
        status=status,
    )
    return private(response)


def open_link(request, token):
    """(link, None) for a link that opens, else (None, the error page)."""
    try:
        link = ReviewLink.from_token(token)
    except signing.BadSignature:
        return None, link_error(
            request,
            403,
            _("This review link is not valid"),
            _(
                "The address may have been copied incompletely. Ask the person who sent it "
                "to you for a new link."
            ),
        )
    except ReviewLink.DoesNotExist:
        # Signed by us, so it existed: deleted since, with the item it showed.
        return None, link_error(
            request,
            410,
            _("This review link is no longer available"),
            _("What it showed has been removed."),
        )
    status = link.status
    if status == LinkStatus.REVOKED:
        return None, link_error(
            request,
            410,
            _("This review link has been withdrawn"),
            _("The person who sent it has withdrawn it. Ask them for a new link if needed."),
        )
    if status == LinkStatus.EXPIRED:
        return None, link_error(
            request,
            410,
            _("This review link has expired"),
            _("Review links work for a limited time. Ask the person who sent it for a new link."),
        )
    return link, None


def record_use(request, link, document=""):
    ReviewLinkUse.objects.create(
        link=link, document=document, language=translation.get_language() or ""
    )


def item_files(item):
    """The item's documents (those it offers and its articles' copies) by stored name: what the
    review link may serve, as {name: (document, content type)}."""
    if not isinstance(item, NewsItem):
        return {}
    documents = [link.document for link in item.documents.all()]
    documents += [article.document for article in item.articles.all() if article.document_id]
    files = {}
    for document in documents:
        files[document.file.name] = (
            document,
            MEDIA_TYPES.get(document.file_type, "application/octet-stream"),
        )
        if document.thumbnail:
            files[document.thumbnail.name] = (document, THUMBNAIL_CONTENT_TYPE)
    return files


def review_url(token, name):
    return reverse("reviews:document", args=[token, name])


class ReviewMixin:
    link = None
    token = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The partner has no account: members-only text and files are shown in full. The
        # staff preview banner is replaced by the review banner.
        context.update(can_read=True, can_download=True, preview_status=None, review_link=self.link)
        return context


class NewsItemReviewView(ReviewMixin, NewsItemDetailView):
    template_name = "reviews/newsitem_review.html"

    def get_object(self, queryset=None):
        item = with_documents(with_published_partners(NewsItem.objects.all())).get(
            pk=self.link.news_item_id
        )
        for article in item.articles.all():
            if article.document_id:
                # The article's copy through the review link too (Article.href).
                name = review_url(self.token, article.document.file.name)
                article.document.get_absolute_url = lambda name=name: name
        return item

    def documents(self, item, is_member):
        """The item's documents through the review link (a draft's are not public yet)."""
        return [
            Offer(
                link,
                link.document,
                can_download=True,
                url=review_url(self.token, link.document.file.name),
                thumbnail_url=review_url(self.token, link.document.thumbnail.name)
                if link.document.thumbnail and link.document.file_type == "pdf"
                else "",
            )
            for link in item.offered_documents()
        ]


class ProgramPageReviewView(ReviewMixin, ProgramPageDetailView):
    template_name = "reviews/programpage_review.html"

    def get_object(self, queryset=None):
        return ProgramPage.objects.with_content().get(pk=self.link.program_page_id)


@require_safe
def review(request, token):
    link, error = open_link(request, token)
    if error:
        return error
    item = link.item
    record_use(request, link)
    if item.is_live:
        # Published since: the public page is the one to read (and share).
        return private(HttpResponseRedirect(item.get_absolute_url()))
    view_class = NewsItemReviewView if link.news_item_id else ProgramPageReviewView
    response = view_class.as_view(link=link, token=token)(request)
    response.render()
    return private(response)


@require_safe
def document(request, token, name):
    link, error = open_link(request, token)
    if error:
        return error
    item = link.item
    files = item_files(item)
    if name not in files:
        raise Http404(_("There is no such document."))
    document, content_type = files[name]
    if item.is_live:
        # Published since: the library's address, with its rules.
        if content_type == THUMBNAIL_CONTENT_TYPE:
            return private(HttpResponseRedirect(document.thumbnail_url))
        return private(HttpResponseRedirect(document.get_absolute_url()))
    if content_type == THUMBNAIL_CONTENT_TYPE:
        response = private_file_response(name, content_type)
    else:
        response = private_file_response(name, content_type, document.readable_name)
        # Not the first page's picture: shown on the page itself, opening the page was the use.
        record_use(request, link, document=name)
    return private(response)
