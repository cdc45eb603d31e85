import datetime
import functools
import posixpath
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import ListView

from core.cache import current_content_token, kept_per_version
from core.preview import PreviewableDetailView
from core.translated import translated
from core.updated import latest_update
from files.media import protect_file
from files.storage import private_storage
from library.models import Document
from library.renditions import social_url
from pages.models import SiteSettings
from partners.models import Municipality

from .alerts import ALERT_FLAGS, ALERT_LABELS, read_unsubscribe_token
from .models import Article, ItemDocument, Kind, NewsItem
from .seo import news_article

# The earliest year the archive's year filter accepts.
FIRST_YEAR = 1900
# The columns a news card (templates/includes/_news_card.html) and the list's "Page Updated"
# read: not the bodies, the documents' text or the search columns.
CARD_COLUMNS = [
    "id",
    "is_published",
    "published_at",
    "unpublish_at",
    "kind",
    "slug",
    "is_members_only",
    "updated_at",
    "title",
    "summary",
    *(f"{name}_{lang}" for name in ("title", "summary") for lang in dict(settings.LANGUAGES)),
]


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


# The news list's pages (NewsItemListView): the first MPED_NEWS_NUMBERED_PAGES are numbered
# (?page=N, read with OFFSET, "Page N of M" from a count kept per content version); past them
# "Older" and "Newer" carry the position of the last (first) item shown, ?before=<cursor> and
# ?after=<cursor>, so that any page is one index range read however deep; ?oldest=1 is the
# oldest items. A cursor is an item's publication time (UTC, to the microsecond) and id:
# 20190601T120000.000000-4321.
NUMBERED_PAGES = 50
CURSOR = re.compile(r"([0-9]{8}T[0-9]{6}\.[0-9]{6})-([0-9]{1,18})")
CURSOR_FORMAT = "%Y%m%dT%H%M%S.%f"


def cursor_of(item):
    """The position of an item in the list, for ?before= and ?after=."""
    at = item.published_at.astimezone(datetime.UTC)
    return f"{at.strftime(CURSOR_FORMAT)}-{item.pk}"


class BadListAddress(Exception):
    """A news list address that names no page: its message for the reader, and the status."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def read_cursor(value):
    """(publication time, id) from a cursor; BadListAddress if it is not one."""
    match = CURSOR.fullmatch(value)
    if match is None:
        raise BadListAddress(_("This link to a page of the news list is damaged."))
    try:
        at = datetime.datetime.strptime(match[1], CURSOR_FORMAT).replace(tzinfo=datetime.UTC)
    except ValueError:
        raise BadListAddress(_("This link to a page of the news list is damaged.")) from None
    return at, int(match[2])


class ListPage:
    """A page of the news list: its items, its number (None past the numbered pages), and the
    query strings of its neighbours ("" when there is none)."""

    def __init__(self, items, *, number=None, pages=None, newer="", older="", oldest=""):
        self.items = items
        self.number = number
        self.pages = pages
        self.newer = newer
        self.older = older
        self.oldest = oldest


class NewsItemListView(ListView):
    """The news archive: filtered by kind, year and partner, all in the URL. The first pages are
    numbered; "Older" and "Newer" go on past them (see NUMBERED_PAGES)."""

    template_name = "news/newsitem_list.html"
    per_page = settings.MPED_NEWS_PER_PAGE

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

    def get_partner(self):
        """The published municipality named by ?partner=<slug> (its page links here), or None;
        404 for any other value."""
        if not hasattr(self, "_partner"):
            slug = self.request.GET.get("partner", "")
            self._partner = None
            if slug:
                if not (slug.isascii() and len(slug) <= 200 and slug.replace("-", "").isalnum()):
                    raise Http404(_("There is no such partner."))
                self._partner = Municipality.objects.published().filter(slug=slug).first()
                if self._partner is None:
                    raise Http404(_("There is no such partner."))
        return self._partner

    def filtered(self, kind=None, year=None, partner=None):
        items = NewsItem.objects.published()
        if partner:
            items = items.filter(partners=partner)
        if kind:
            items = items.filter(kind=kind)
        if year:
            items = items.filter(published_at__year=year)
        return items

    def get_queryset(self):
        # The cards' report links (news.models.NewsItem.public_report): one query per page.
        items = self.filtered(self.get_kind(), self.get_year(), self.get_partner())
        return items.only(*CARD_COLUMNS).prefetch_related(documents_prefetch())

    def years(self, kind, partner):
        """The years with news of this kind (and partner), newest first: one query over every
        row, so worked out once per content version (core/cache.py) and kept in the cache."""

        def work_out():
            items = self.filtered(kind, partner=partner)
            return [day.year for day in items.dates("published_at", "year", "DESC")]

        partner = partner.pk if partner else ""
        return kept_per_version(work_out, "news-years", kind, partner, request=self.request)

    def count(self, kind, year, partner):
        """How many items the list has with these filters, once per content version."""

        def work_out():
            return self.filtered(kind, year, partner).count()

        parts = ("news-count", kind, year or "", partner.pk if partner else "")
        return kept_per_version(work_out, *parts, request=self.request)

    def query(self, kind, year, *more):
        partner = self.get_partner()
        pairs = [("partner", partner.slug if partner else ""), ("kind", kind), ("year", year)]
        return urlencode([(k, v) for k, v in [*pairs, *more] if v])

    def link(self, kind, year):
        query = self.query(kind, year)
        return f"{reverse('news:list')}?{query}" if query else reverse("news:list")

    def position(self):
        """Which page the address asks for: ("page", n), ("before"/"after", cursor) or
        ("oldest", None). BadListAddress for anything else."""
        names = ("page", "before", "after", "oldest")
        asked = [name for name in names if name in self.request.GET]
        if len(asked) > 1:
            raise BadListAddress(_("This address asks for two pages of the news list at once."))
        name = asked[0] if asked else "page"
        value = self.request.GET.get(name, "1")
        if name == "oldest":
            if value != "1":
                raise BadListAddress(_("This link to a page of the news list is damaged."))
            return name, None
        if name != "page":
            return name, read_cursor(value)
        if value == "last":  # Django's paginator's name for it, in links made before
            return "oldest", None
        if not (value.isascii() and value.isdigit() and value.strip("0")):
            raise BadListAddress(_("A page number is a whole number from 1."))
        # Past any page there is (and past what int() reads of a string).
        return name, int(value) if len(value) <= 9 else 10**9

    def page(self, items, kind, year, partner):
        """The ListPage the address asks for."""
        name, value = self.position()
        size = self.per_page
        if name == "page":
            numbered = getattr(settings, "MPED_NEWS_NUMBERED_PAGES", NUMBERED_PAGES)
            if value > numbered:
                raise BadListAddress(
                    _(
                        "Pages past page %(number)s of the news list have no number: go on with "
                        "“Older” from page %(number)s, or choose a year."
                    )
                    % {"number": numbered},
                    status=404,
                )
            count = self.count(kind, year, partner)
            pages = max(1, -(-count // size))
            if value > pages:
                message = ngettext(
                    "The news list has %(pages)s page.", "The news list has %(pages)s pages.", pages
                )
                raise BadListAddress(message % {"pages": pages}, status=404)
            shown = list(items[(value - 1) * size : value * size])
            older = ""
            if value < pages:
                more = ("page", value + 1) if value < numbered else ("before", cursor_of(shown[-1]))
                older = self.query(kind, year, more)
            return ListPage(
                shown,
                number=value,
                pages=pages,
                newer=self.query(kind, year, ("page", value - 1)) if value > 1 else "",
                older=older,
                oldest=self.query(kind, year, ("oldest", 1)) if value < pages else "",
            )
        if name == "before":
            at, pk = value
            rows = items.filter(published_at__lte=at).exclude(published_at=at, pk__gte=pk)
            shown = list(rows[: size + 1])
            more = len(shown) > size
            shown = shown[:size]
            newer = cursor_of(shown[0]) if shown else self.request.GET["before"]
            return ListPage(
                shown,
                newer=self.query(kind, year, ("after", newer)),
                older=self.query(kind, year, ("before", cursor_of(shown[-1]))) if more else "",
                oldest=self.query(kind, year, ("oldest", 1)) if more else "",
            )
        if name == "after":
            at, pk = value
            rows = items.filter(published_at__gte=at).exclude(published_at=at, pk__lte=pk)
            shown = list(rows.order_by("published_at", "pk")[: size + 1])
            if len(shown) <= size:
                return None  # nothing newer than a page: that is the first page
            shown = shown[:size][::-1]
        else:
            shown = list(items.order_by("published_at", "pk")[: size + 1])
            more = len(shown) > size
            shown = shown[:size][::-1]
            if not more:
                return None  # the oldest items are all on the first page
        return ListPage(
            shown,
            newer=self.query(kind, year, ("after", cursor_of(shown[0]))),
            older=self.query(kind, year, ("before", cursor_of(shown[-1])))
            if name == "after"
            else "",
            oldest=self.query(kind, year, ("oldest", 1)) if name == "after" else "",
        )

    def get(self, request, *args, **kwargs):
        kind, year, partner = self.get_kind(), self.get_year(), self.get_partner()
        try:
            page = self.page(self.get_queryset(), kind, year, partner)
        except BadListAddress as error:
            self.object_list = []
            context = self.get_context_data(error=error.message)
            return self.render_to_response(context, status=error.status)
        if page is None:
            return redirect(self.link(kind, year))
        self.object_list = page.items
        return self.render_to_response(self.get_context_data(page=page))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind, year, partner = self.get_kind(), self.get_year(), self.get_partner()
        years = self.years(kind, partner)
        context.update(
            kind=kind,
            year=year,
            partner=partner,
            kind_label=Kind(kind).label if kind else "",
            kind_links=[(_("All"), self.link("", year), not kind)]
            + [(label, self.link(value, year), kind == value) for value, label in Kind.choices],
            year_links=[(_("All years"), self.link(kind, None), not year)]
            + [(str(y), self.link(kind, y), year == y) for y in years],
            newest_link=self.link(kind, year),
            page_updated=latest_update(context["object_list"]),
        )
        return context


# What NewsItemDetailView.article() gives the template.
ARTICLE = (
    "partners",
    "can_read",
    "documents",
    "withheld_documents",
    "first_page",
    "page_updated",
    "share_image",
    "share_image_alt",
    "structured_data",
)


class NewsItemDetailView(PreviewableDetailView):
    model = NewsItem
    # Named, so that finding it does not read the item (get()).
    template_name = "news/newsitem_detail.html"

    def get_queryset(self):
        # Previews of drafts are for staff: other readers are spared the permission queries.
        if self.request.user.is_staff:
            items = super().get_queryset()
        else:
            items = NewsItem.objects.published()
        # The documents, articles and partners are read only when the page's article is not
        # in the cache yet (article() below; templates/news/newsitem_detail.html).
        return items.select_related("image")

    def get(self, request, *args, **kwargs):
        live = self.live_item()
        if live is None:
            return super().get(request, *args, **kwargs)
        # A live item whose page parts may be in the cache (templates/news/newsitem_detail.html):
        # its row is read only if a part must be rendered.
        load = functools.cache(self.get_object)
        self.object = SimpleLazyObject(load)
        context = self.article_context(load, self.reader_kind(live["members_parts"]))
        context.update(object=self.object, newsitem=self.object, view=self, preview_status=None)
        return self.render_to_response(context)

    def live_item(self):
        """What the page needs to know of a live item before its parts ({"members_parts"}),
        kept per content version and language (the slug is the language's); None for an item
        that is not live, or when pages are not shared (core/templatetags/shared.py)."""
        request = self.request
        match = getattr(request, "resolver_match", None)
        if match is None or not getattr(match.func, "cache_public_page", False):
            return None
        slug = self.kwargs.get(self.slug_url_kwarg)

        def work_out():
            item = NewsItem.objects.published().filter(slug=slug).values("pk", "is_members_only")
            item = item.first()
            if item is None:
                return None
            links = ItemDocument.objects.filter(
                news_item=item["pk"], document__is_members_only=True
            )
            return {"members_parts": item["is_members_only"] or links.exists()}

        if current_content_token(request) is None:
            return None
        return kept_per_version(work_out, "news-item", slug, language=True, request=request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object
        context.update(self.article_context(lambda: item, self.reader_kind(True)))
        return context

    def article_context(self, load, reader):
        """The template's values, each worked out on first use: the parts that are the same for
        every reader of its kind come from the cache."""
        article = functools.cache(lambda: self.article(load()))
        context = {name: functools.partial(lambda name: article()[name], name) for name in ARTICLE}
        context["reader"] = reader
        return context

    def article(self, item):
        """What the page shows of the item beyond its own row, as the reader may see it."""
        prefetch_related_objects(
            [item],
            documents_prefetch(),
            Prefetch(
                "articles",
                queryset=Article.objects.select_related("document").defer("document__text"),
            ),
            Prefetch(
                "partners",
                queryset=Municipality.objects.published(),
                to_attr="published_partners",
            ),
        )
        partners = item.published_partners
        is_member = can_read_members_content(self.request.user)
        documents = self.documents(item, is_member)
        share_image, share_image_alt = self.share_image(item, documents)
        return {
            "partners": partners,
            "can_read": is_member or not item.is_members_only,
            "documents": [offer for offer in documents if offer.can_download],
            "withheld_documents": [offer for offer in documents if not offer.can_download],
            "first_page": next(
                (offer for offer in documents if offer.can_download and offer.thumbnail_url), None
            ),
            "page_updated": news_item_updated(item),
            "share_image": share_image,
            "share_image_alt": share_image_alt,
            "structured_data": news_article(
                self.request,
                item,
                SiteSettings.for_request(self.request),
                share_image,
                next(
                    (offer.document for offer in documents if not offer.link.is_members_only()),
                    None,
                ),
            ),
        }

    def reader_kind(self, members_parts):
        """Whom the article is shown as (the key of its shared part): everyone alike, unless
        the item has members-only text or documents, which members read and others are
        invited to (differently when they are logged in)."""
        if not members_parts:
            return "all"
        user = self.request.user
        if can_read_members_content(user):
            return "member"
        return "signed-in" if user.is_authenticated else "anonymous"

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
    """The link in every alert email. Opening it (GET, which mail scanners and link previews
    do) changes nothing: the page offers the choice. A mail client's one-click POST (RFC 8058,
    the List-Unsubscribe-Post header) stops that kind of alert at once and carries no CSRF
    token; the page's own buttons do (csrf_protect). No login: the signed token authorises."""

    template_name = "news/unsubscribe.html"

    def get(self, request, token):
        user, flag, error = self.read(token)
        if error:
            return error
        return self.page(request, token, user, flag)

    def post(self, request, token):
        if request.POST.get("List-Unsubscribe") == "One-Click":
            user, flag, error = self.read(token)
            if error:
                return error
            type(user).objects.filter(pk=user.pk).update(**{flag: False})
            return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
        return csrf_protect(self.choose)(request, token)

    def choose(self, request, token):
        user, flag, error = self.read(token)
        if error:
            return error
        action = request.POST.get("action")
        if action == "stop":
            changed = [flag] if getattr(user, flag) else []
        elif action == "stop_all":
            changed = [name for name in ALERT_FLAGS.values() if getattr(user, name)]
        elif action == "undo":
            wanted = set(request.POST.getlist("restore"))
            changed = [name for name in ALERT_FLAGS.values() if name in wanted]
            type(user).objects.filter(pk=user.pk).update(**dict.fromkeys(changed, True))
            user.refresh_from_db()
            return self.page(request, token, user, flag, restored=changed)
        else:
            return render(request, self.template_name, {"invalid": True}, status=400)
        type(user).objects.filter(pk=user.pk).update(**dict.fromkeys(changed, False))
        user.refresh_from_db()
        return self.page(request, token, user, flag, stopped=changed)

    def read(self, token):
        """(user, flag, None), or an error page for a damaged or expired link."""
        try:
            user_id, flag = read_unsubscribe_token(token)
        except signing.SignatureExpired:
            error = {"invalid": True, "expired": True}
        except signing.BadSignature:
            error = {"invalid": True}
        else:
            user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
            if user is not None:
                return user, flag, None
            error = {"invalid": True}
        return None, None, render(self.request, self.template_name, error, status=400)

    def page(self, request, token, user, flag, stopped=(), restored=()):
        subscribed = [name for name in ALERT_FLAGS.values() if getattr(user, name)]
        return render(
            request,
            self.template_name,
            {
                "token": token,
                "token_flag": flag,
                "label": ALERT_LABELS[flag],
                "is_subscribed": getattr(user, flag),
                "subscribed_labels": [ALERT_LABELS[name] for name in subscribed],
                "stopped": stopped,
                "stopped_labels": [ALERT_LABELS[name] for name in stopped],
                "restored_labels": [ALERT_LABELS[name] for name in restored],
                "has_other": any(name != flag for name in subscribed),
            },
        )
