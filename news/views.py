import posixpath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import ListView

from core.preview import PreviewableDetailView
from core.translated import translated
from core.updated import latest_update
from files.media import protect_file
from files.storage import private_storage
from library.models import Document
from library.renditions import social_url
from pages.models import SiteSettings
from partners.models import Municipality

from .alerts import read_unsubscribe_token
from .models import Article, ItemDocument, Kind, NewsItem
from .seo import news_article

# The earliest year the archive's year filter accepts.
FIRST_YEAR = 1900


def can_read_members_content(user):
    return user.is_authenticated and user.is_member


def documents_prefetch():
    """The documents news items offer, in one query, without their text (long, and only the
    search reads it)."""
    links = ItemDocument.objects.select_related("document").defer("document__text")
    return Prefetch("documents", queryset=links)


def with_documents(items):
    """News items with the documents they offer and their articles' copies, in two queries."""
    articles = Article.objects.select_related("document").defer("document__text")
    return items.prefetch_related(documents_prefetch(), Prefetch("articles", queryset=articles))


class Offer:
    """A document as a news item's page offers it: its link row (role, order), the document,
    whether the reader may download it, and where (the document's address, or the review
    link's for a draft under review)."""

    def __init__(self, link, document, *, can_download, url=None, thumbnail_url=None):
        self.link = link
        self.document = document
        self.can_download = can_download
        self.url = url if url is not None else document.get_absolute_url()
        if thumbnail_url is None:
            thumbnail_url = document.thumbnail_url if document.file_type == "pdf" else ""
        self.thumbnail_url = thumbnail_url

    @property
    def role(self):
        return self.link.get_role_display()

    @property
    def language_name(self):
        """The document's language, named in itself (Français, ខ្មែរ)."""
        code = self.document.language
        with translation.override(code):
            return str(dict(settings.LANGUAGES).get(code, code))


def with_published_partners(items):
    """News items with the published partners their page names, in one more query."""
    return items.prefetch_related(
        Prefetch(
            "partners", queryset=Municipality.objects.published(), to_attr="published_partners"
        )
    )


def news_item_updated(item):
    """A news item page's "Page Updated" (and its sitemap date)."""
    return latest_update(item, item.published_partners)


def news_list_updated():
    """The unfiltered listing's first page's "Page Updated" (its sitemap date)."""
    return latest_update(NewsItem.objects.published()[: settings.MPED_NEWS_PER_PAGE])


class NewsItemListView(ListView):
    """The news archive: filtered by kind and year, paginated, all in the URL."""

    paginate_by = settings.MPED_NEWS_PER_PAGE

    def get_kind(self):
        kind = self.request.GET.get("kind", "")
        if kind and kind not in Kind.values:
            raise Http404(_("There is no kind of news called that."))
        return kind

    def get_year(self):
        year = self.request.GET.get("year", "")
        if not year:
            return None
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            raise Http404(_("There is no such year."))
        # A bound, not the archive's years: the kind links keep the year, and a kind without
        # news that year is an empty page. Beyond it the time zone cannot even convert the
        # year's bounds (9999 overflows), and no query is spent to find out.
        if not FIRST_YEAR <= int(year) <= timezone.now().year + 1:
            raise Http404(_("There is no such year."))
        return int(year)

    def filtered(self, kind=None, year=None):
        items = NewsItem.objects.published()
        if kind:
            items = items.filter(kind=kind)
        if year:
            items = items.filter(published_at__year=year)
        return items

    def get_queryset(self):
        # The cards' report links (news.models.NewsItem.public_report): one query per page.
        items = self.filtered(self.get_kind(), self.get_year())
        return items.prefetch_related(documents_prefetch())

    def link(self, kind, year):
        query = urlencode({k: v for k, v in [("kind", kind), ("year", year)] if v})
        return f"{reverse('news:list')}?{query}" if query else reverse("news:list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind, year = self.get_kind(), self.get_year()
        years = [day.year for day in self.filtered(kind).dates("published_at", "year", "DESC")]
        query = urlencode({k: v for k, v in [("kind", kind), ("year", year)] if v})
        context.update(
            kind=kind,
            year=year,
            kind_label=Kind(kind).label if kind else "",
            kind_links=[(_("All"), self.link("", year), not kind)]
            + [(label, self.link(value, year), kind == value) for value, label in Kind.choices],
            year_links=[(_("All years"), self.link(kind, None), not year)]
            + [(str(y), self.link(kind, y), year == y) for y in years],
            query_prefix=f"{query}&" if query else "",
            page_updated=latest_update(context["object_list"]),
        )
        return context


class NewsItemDetailView(PreviewableDetailView):
    model = NewsItem

    def get_queryset(self):
        items = super().get_queryset().select_related("image")
        return with_documents(with_published_partners(items))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object
        partners = item.published_partners
        is_member = can_read_members_content(self.request.user)
        documents = self.documents(item, is_member)
        share_image, share_image_alt = self.share_image(item, documents)
        context.update(
            partners=partners,
            can_read=is_member or not item.is_members_only,
            documents=[offer for offer in documents if offer.can_download],
            withheld_documents=[offer for offer in documents if not offer.can_download],
            first_page=next(
                (offer for offer in documents if offer.can_download and offer.thumbnail_url), None
            ),
            page_updated=news_item_updated(item),
            share_image=share_image,
            share_image_alt=share_image_alt,
            structured_data=news_article(
                self.request,
                item,
                SiteSettings.for_request(self.request),
                share_image,
                next(
                    (offer.document for offer in documents if not offer.link.is_members_only()),
                    None,
                ),
            ),
        )
        return context

    def preview_relations(self, item, related):
        """For the preview of a change form's unsaved data (editorial/preview.py): the
        published partners among those the form names, as get_queryset() gives them."""
        partners = [partner.pk for partner in related.get("partners", [])]
        item.published_partners = list(Municipality.objects.published().filter(pk__in=partners))

    def documents(self, item, is_member):
        """The documents the item offers (Offer), as the reader is offered them."""
        return [
            Offer(link, link.document, can_download=is_member or not link.is_members_only())
            for link in item.offered_documents()
        ]

    @staticmethod
    def share_image(item, documents=()):
        """The picture for link previews: the item's image, else its first document's first
        page (when anyone may download it); the site's default picture otherwise (in the
        template)."""
        url = social_url(item.image)
        if url:
            return url, translated(item.image, "alt").text
        for offer in documents:
            if offer.thumbnail_url and not offer.link.is_members_only():
                return offer.thumbnail_url, _("First page of the report")
        return "", ""


def private_file_response(name, content_type, filename=None):
    """A stored private file as a download named `filename` (by default after the stored
    file); a 404 if it is gone. Who may have it is the caller's to decide."""
    try:
        document = private_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404(_("There is no such document.")) from None
    response = FileResponse(
        document, content_type=content_type, filename=filename or posixpath.basename(name)
    )
    return protect_file(response)


class DocumentView(View):
    """The old address of a report's PDF, its first page's picture or an article's copy
    (/<lang>/news/documents/<stored name>, before the media library): the file is a library
    document now, under the same stored name, so the old address redirects for good to the
    document's (or its first page's) address, whose view decides who may have it."""

    def get(self, request, name):
        document = Document.objects.filter(file=name).only("pk", "title_en", "title", "language")
        document = document.order_by("pk").first()
        if document is not None:
            return HttpResponsePermanentRedirect(document.get_absolute_url())
        document = Document.objects.filter(thumbnail=name).order_by("pk").first()
        if document is not None and document.thumbnail_url:
            return HttpResponsePermanentRedirect(document.thumbnail_url)
        raise Http404(_("There is no such document."))


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """One click from an alert email stops that kind of alert, without logging in."""

    template_name = "news/unsubscribe.html"
    labels = {
        "alerts_reports": gettext_lazy("new reports"),
        "alerts_press": gettext_lazy("new press features"),
    }

    def get(self, request, token):
        return self.unsubscribe(request, token)

    def post(self, request, token):
        # RFC 8058 one-click unsubscribe from the mail client.
        return self.unsubscribe(request, token)

    def unsubscribe(self, request, token):
        try:
            user_id, flag = read_unsubscribe_token(token)
        except signing.BadSignature:
            return render(request, self.template_name, {"invalid": True}, status=400)
        get_user_model().objects.filter(pk=user_id).update(**{flag: False})
        return render(request, self.template_name, {"label": self.labels[flag]})
