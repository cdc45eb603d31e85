import posixpath
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
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
from files.pdfs import THUMBNAIL_CONTENT_TYPE
from files.storage import private_storage
from library.renditions import social_url
from pages.models import SiteSettings
from partners.models import Municipality

from .alerts import read_unsubscribe_token
from .models import PRIVATE_FILE_FIELDS, Article, Kind, NewsItem
from .seo import news_article

# The earliest year the archive's year filter accepts.
FIRST_YEAR = 1900


def can_read_members_content(user):
    return user.is_authenticated and user.is_member


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
        return self.filtered(self.get_kind(), self.get_year())

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
        items = super().get_queryset().select_related("image").prefetch_related("articles")
        return with_published_partners(items)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object
        partners = item.published_partners
        is_member = can_read_members_content(self.request.user)
        share_image, share_image_alt = self.share_image(item)
        context.update(
            partners=partners,
            can_read=is_member or not item.is_members_only,
            can_download=is_member or not item.pdf_is_members_only,
            pdf_versions=item.pdf_versions(),
            page_updated=news_item_updated(item),
            share_image=share_image,
            share_image_alt=share_image_alt,
            structured_data=news_article(
                self.request, item, SiteSettings.for_request(self.request), share_image
            ),
        )
        return context

    def preview_relations(self, item, related):
        """For the preview of a change form's unsaved data (editorial/preview.py): the
        published partners among those the form names, as get_queryset() gives them."""
        partners = [partner.pk for partner in related.get("partners", [])]
        item.published_partners = list(Municipality.objects.published().filter(pk__in=partners))

    @staticmethod
    def share_image(item):
        """The picture for link previews: the item's image, else its report's first page
        (when the PDF is public); the site's default picture otherwise (in the template)."""
        url = social_url(item.image)
        if url:
            return url, translated(item.image, "alt").text
        if item.pdf_thumbnail and not item.pdf_is_members_only:
            return item.pdf_thumbnail.url, _("First page of the report")
        return "", ""


def private_file_response(name, content_type):
    """A stored private file as a download named after it; a 404 if it is gone. Who may have
    it is the caller's to decide."""
    try:
        document = private_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404(_("There is no such document.")) from None
    response = FileResponse(document, content_type=content_type, filename=posixpath.basename(name))
    return protect_file(response)


class DocumentView(View):
    """Serves a report PDF (in any of its languages) or an article copy to whoever may read it:
    anyone for a public item, members for members-only ones, staff always (for previews in the
    admin). The picture of a report's first page is served the same way, to those who may read
    the report."""

    def get(self, request, name):
        content_type = "application/pdf"
        # A report's PDF in any language, or the picture of its first page: the same rule.
        item = NewsItem.objects.filter(
            reduce(or_, (Q(**{field: name}) for field in PRIVATE_FILE_FIELDS))
        ).first()
        if item is not None:
            members_only = item.pdf_is_members_only
            if name == item.pdf_thumbnail.name:
                content_type = THUMBNAIL_CONTENT_TYPE
        else:
            article = Article.objects.select_related("news_item").filter(file=name).first()
            if article is None:
                raise Http404(_("There is no such document."))
            item = article.news_item
            members_only = item.is_members_only
        if not request.user.has_perm("news.view_newsitem"):
            if not item.is_live:
                raise Http404(_("There is no such document."))
            if members_only and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if members_only and not request.user.is_member:
                raise PermissionDenied(_("This document is for members with a confirmed email."))
        response = private_file_response(name, content_type)
        # Staff see drafts and scheduled items too: only what anyone may have is shared.
        is_public = item.is_live and not members_only
        response["Cache-Control"] = "public, max-age=3600" if is_public else "private, no-store"
        return response


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
