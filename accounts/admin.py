from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from core.time_zones import StaffTimeZoneAdmin

from .models import User


class ConfirmedEmailFilter(admin.SimpleListFilter):
    title = _("email confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_confirmed_email=True)
        if self.value() == "no":
            return queryset.filter(has_confirmed_email=False)
        return queryset


class SubscribedFilter(admin.SimpleListFilter):
    title = _("subscribed to alerts")
    parameter_name = "subscribed"

    def lookups(self, request, model_admin):
        return [
            ("any", _("To any alert")),
            ("reports", _("To new reports")),
            ("press", _("To new press features")),
            ("none", _("To none")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "any":
            return queryset.filter(alerts_reports=True) | queryset.filter(alerts_press=True)
        if value == "reports":
            return queryset.filter(alerts_reports=True)
        if value == "press":
            return queryset.filter(alerts_press=True)
        if value == "none":
            return queryset.filter(alerts_reports=False, alerts_press=False)
        return queryset


@admin.register(User)
class MemberAdmin(StaffTimeZoneAdmin, UserAdmin):
    list_display = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "municipality",
        "confirmed",
        "alerts_reports",
        "alerts_press",
        "is_staff",
        "date_joined",
    ]
    list_filter = [
        ConfirmedEmailFilter,
        SubscribedFilter,
        "municipality",
        "is_staff",
        "is_superuser",
        "is_active",
        "groups",
    ]
    search_fields = ["email", "username", "first_name", "last_name", "organisation"]
    list_select_related = ["municipality"]
    ordering = ["-date_joined"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            _("Member"),
            {
                "fields": [
                    "organisation",
                    "municipality",
                    "language",
                    "time_zone",
                    "alerts_reports",
                    "alerts_press",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_confirmed_email()

    @admin.display(boolean=True, description=_("email confirmed"), ordering="has_confirmed_email")
    def confirmed(self, obj):
        return obj.has_confirmed_email
