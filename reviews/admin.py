from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.time_zones import with_time_zone
from news.models import SEARCH_VECTORS, NewsItem
from pages.models import ProgramPage

from .forms import ReviewLinkForm
from .models import LinkStatus, ReviewLink, ReviewLinkUse

# The items a review link can show, by the model name in the admin's addresses.
ITEM_MODELS = {"newsitem": NewsItem, "programpage": ProgramPage}


def can_publish(user, model):
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


def with_use_counts(links):
    # Meta.ordering is not applied to a query with GROUP BY: newest first, said again.
    return links.annotate(use_count=Count("uses"), last_used=Max("uses__used_at")).order_by(
        "-created_at", "-id"
    )


class LinkStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return LinkStatus.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == LinkStatus.ACTIVE:
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == LinkStatus.EXPIRED:
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == LinkStatus.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class ReviewLinkUseInline(admin.TabularInline):
    model = ReviewLinkUse
    fields = ["used_at", "document", "language"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("reviews.view_reviewlink")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReviewLink)
class ReviewLinkAdmin(admin.ModelAdmin):
    """Every review link, read-only: made (and revoked) from the item's own page in the
    admin, by those who may publish it."""

    list_display = [
        "item_display",
        "note",
        "status_display",
        "created_by",
        "created_at",
        "expires_display",
        "use_count",
        "last_used",
    ]
    list_filter = [LinkStatusFilter, "created_at"]
    search_fields = ["note", "news_item__title", "program_page__title"]
    list_select_related = ["news_item", "program_page", "created_by"]
    fields = [
        "item_display",
        "note",
        "status_display",
        "created_by",
        "created_at",
        "expires_display",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields
    inlines = [ReviewLinkUseInline]
    actions = ["revoke"]

    def get_queryset(self, request):
        links = super().get_queryset(request).select_related("news_item", "program_page")
        # Not the news items' search vectors: large, and only the site search reads them.
        return with_use_counts(links.defer(*(f"news_item__{name}" for name in SEARCH_VECTORS)))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoke instead: the record of who opened what stays.
        return False

    def has_revoke_permission(self, request):
        return any(can_publish(request.user, model) for model in ITEM_MODELS.values())

    @admin.display(description=_("item"))
    def item_display(self, link):
        item = link.item
        url = reverse("admin:reviews_reviewlink_item", args=[item._meta.model_name, item.pk])
        return format_html('<a href="{}">{}</a> ({})', url, item, item._meta.verbose_name)

    @admin.display(description=_("status"))
    def status_display(self, link):
        return link.status.label

    @admin.display(description=_("expires"), ordering="expires_at")
    def expires_display(self, link):
        # With its zone: the staff member's own in the admin (editorial/middleware.py).
        return with_time_zone(link.expires_at)

    @admin.display(description=_("times opened"), ordering="use_count")
    def use_count(self, link):
        return link.use_count

    @admin.display(description=_("last opened"), ordering="last_used")
    def last_used(self, link):
        return link.last_used or "—"

    @admin.action(permissions=["revoke"], description=_("Revoke the selected review links"))
    def revoke(self, request, queryset):
        count = 0
        for link in queryset:
            if link.is_active and can_publish(request.user, type(link.item)):
                link.revoke(request.user)
                count += 1
        self.message_user(
            request,
            ngettext("%d review link revoked.", "%d review links revoked.", count) % count,
            messages.SUCCESS,
        )

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "item/<str:model_name>/<int:pk>/",
                site.admin_view(self.item_links_view),
                name="reviews_reviewlink_item",
            ),
            path(
                "<int:pk>/revoke/",
                site.admin_view(require_POST(self.revoke_view)),
                name="reviews_reviewlink_revoke",
            ),
        ] + super().get_urls()

    def item_links_view(self, request, model_name, pk):
        """An item's review links: make one (lifetime, for whom), copy its address, see how
        often each was opened, revoke them."""
        model = ITEM_MODELS.get(model_name)
        if model is None:
            raise Http404(_("Review links are for news items and program pages."))
        if not can_publish(request.user, model):
            raise PermissionDenied(_("Only staff who may publish this item make review links."))
        item = get_object_or_404(model._default_manager.all(), pk=pk)
        here = reverse("admin:reviews_reviewlink_item", args=[model_name, pk])
        status = 200
        form = ReviewLinkForm()
        if request.method == "POST":
            form = ReviewLinkForm(request.POST)
            if item.is_live:
                status = 400
                self.message_user(
                    request,
                    _("This item is published: send its public address instead."),
                    messages.ERROR,
                )
            elif form.is_valid():
                link = ReviewLink.make(
                    item,
                    days=form.cleaned_data["days"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
                self.message_user(
                    request,
                    _("Review link made. Copy its address below and send it."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(f"{here}#link-{link.pk}")
            else:
                status = 400
        links = with_use_counts(
            ReviewLink.objects.for_item(item).select_related("created_by", "revoked_by")
        )
        rows = [
            {
                "link": link,
                "address": request.build_absolute_uri(link.get_absolute_url())
                if link.is_active
                else "",
            }
            for link in links
        ]
        opts = model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review links: %(item)s") % {"item": item},
            "opts": self.opts,
            "item_opts": opts,
            "item": item,
            "item_change_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk]
            ),
            "form": form,
            "rows": rows,
        }
        return TemplateResponse(
            request, "admin/reviews/reviewlink/item_links.html", context, status=status
        )

    def revoke_view(self, request, pk):
        link = get_object_or_404(
            ReviewLink.objects.select_related("news_item", "program_page"), pk=pk
        )
        item = link.item
        if not can_publish(request.user, type(item)):
            raise PermissionDenied(_("Only staff who may publish this item revoke its links."))
        link.revoke(request.user)
        self.message_user(
            request,
            _("The review link is revoked: it no longer opens the item."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:reviews_reviewlink_item", args=[item._meta.model_name, item.pk])
        )
