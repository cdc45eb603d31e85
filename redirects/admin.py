from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import MissingPage, Redirect


class InvalidFormIs400:
    """A form sent back with errors answers 400, as the site's other forms do."""

    def changeform_view(self, request, *args, **kwargs):
        response = super().changeform_view(request, *args, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if request.method == "POST" and context.get("errors"):
            response.status_code = 400
        return response


@admin.register(Redirect)
class RedirectAdmin(InvalidFormIs400, admin.ModelAdmin):
    list_display = [
        "old_path",
        "new_path",
        "is_permanent",
        "is_automatic",
        "hits",
        "last_used",
    ]
    list_filter = ["is_automatic", "is_permanent"]
    search_fields = ["old_path", "new_path", "note"]
    date_hierarchy = "created_at"
    fields = [
        "old_path",
        "new_path",
        "is_permanent",
        "note",
        "is_automatic",
        "created_by",
        "created_at",
        "hits",
        "last_used",
    ]
    readonly_fields = ["is_automatic", "created_by", "created_at", "hits", "last_used"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        collapsed_from = getattr(obj, "collapsed_from", None)
        if collapsed_from:
            messages.info(
                request,
                _(
                    "%(target)s already redirects, so this redirect leads straight to where "
                    "it ends: %(final)s."
                )
                % {"target": collapsed_from, "final": obj.new_path},
            )


class HasRedirectFilter(admin.SimpleListFilter):
    title = _("redirected")
    parameter_name = "redirected"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_redirect=True)
        if self.value() == "no":
            return queryset.filter(has_redirect=False)
        return queryset


@admin.register(MissingPage)
class MissingPageAdmin(admin.ModelAdmin):
    """Read-only: rows are made by requests. Staff with the delete permission clear them."""

    list_display = [
        "path",
        "hits",
        "last_seen",
        "last_referrer",
        "redirected",
        "redirect_link",
    ]
    list_filter = [HasRedirectFilter, "last_seen"]
    search_fields = ["path", "last_referrer"]
    date_hierarchy = "last_seen"
    ordering = ["-hits", "-last_seen"]
    list_per_page = 50

    def get_queryset(self, request):
        redirects = Redirect.objects.filter(
            Q(old_path=OuterRef("path")) | Q(old_path=OuterRef("neutral_path"))
        )
        return super().get_queryset(request).annotate(has_redirect=Exists(redirects))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("redirected"), boolean=True, ordering="has_redirect")
    def redirected(self, obj):
        return obj.has_redirect

    @admin.display(description=_("redirect"))
    def redirect_link(self, obj):
        if obj.has_redirect:
            return ""
        # Without its language: one redirect answers the address in every language.
        query = urlencode({"old_path": obj.neutral_path})
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:redirects_redirect_add"),
            query,
            _("Redirect this address"),
        )

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if not request.user.has_perm("redirects.add_redirect"):
            columns = [column for column in columns if column != "redirect_link"]
        return columns
