from allauth.account.forms import ResetPasswordForm
from allauth.account.utils import filter_users_by_email
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.time_zones import StaffTimeZoneAdmin

from . import invitations
from .invitations import Status
from .models import User, display_name, supported_language


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


class InvitationFilter(admin.SimpleListFilter):
    title = _("invitation")
    parameter_name = "invitation"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(invitations.status_filter(self.value()))
        return queryset


class InviteForm(forms.ModelForm):
    """The add page: who the new staff member is and their role. No password: they choose
    their own from the invitation email (accounts/invitations.py)."""

    role = forms.ChoiceField(
        label=_("Role"),
        help_text=_(
            "Editors write drafts and submit them for review; publishers also publish. "
            "Administrators can do everything, staff accounts included."
        ),
    )
    # The admin sets it per request (MemberAdmin.get_form): who is inviting.
    inviter = None

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "email": _("Email address"),
            "language": _("Language"),
        }
        help_texts = {
            "email": _("The invitation goes to this address; they log in with it."),
            "language": _(
                "The invitation email is written in this language, and so are the "
                "emails the site sends them later."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True
        self.fields["role"].choices = [
            ("", "---------"),
            *invitations.roles_for(self.inviter),
        ]
        self.fields["role"].error_messages["invalid_choice"] = _(
            "Choose one of the roles in the list."
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists() or filter_users_by_email(email):
            raise forms.ValidationError(
                _(
                    "An account already uses %(email)s. Find it in the list of users: you can "
                    "make it a staff account there, or resend its invitation."
                ),
                params={"email": email},
            )
        return email


@admin.register(User)
class MemberAdmin(StaffTimeZoneAdmin, UserAdmin):
    add_form = InviteForm
    add_form_template = "admin/accounts/user/invite_form.html"
    change_form_template = "admin/accounts/user/change_form.html"
    add_fieldsets = [
        (None, {"fields": ["first_name", "last_name", "email", "role", "language"]}),
    ]
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
        "invitation",
        "date_joined",
    ]
    list_filter = [
        ConfirmedEmailFilter,
        SubscribedFilter,
        InvitationFilter,
        "municipality",
        "is_staff",
        "is_superuser",
        "is_active",
        "groups",
    ]
    search_fields = ["email", "username", "first_name", "last_name", "organisation"]
    list_select_related = ["municipality"]
    ordering = ["-date_joined"]
    # Thousands of members: no second COUNT(*) of the whole table on each page.
    show_full_result_count = False
    # Django's first fieldset offers to set the person's password: staff set their own (an
    # invitation, or a password reset email), so it says how they sign in instead.
    fieldsets = [
        (None, {"fields": ["username", "sign_in"]}),
        *UserAdmin.fieldsets[1:],
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
    readonly_fields = ["sign_in"]
    actions = ["resend_invitations", "send_password_resets"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_confirmed_email()

    @admin.display(boolean=True, description=_("email confirmed"), ordering="has_confirmed_email")
    def confirmed(self, obj):
        return obj.has_confirmed_email

    @admin.display(description=_("invitation"), ordering="invitation_sent_at")
    def invitation(self, obj):
        found = invitations.status(obj)
        return found.label if found else None

    @admin.display(description=_("Password"))
    def sign_in(self, obj):
        if obj is None or obj.pk is None:
            return ""
        found = invitations.status(obj)
        when = {
            "sent": date_format(timezone.localtime(obj.invitation_sent_at), "DATETIME_FORMAT")
            if obj.invitation_sent_at
            else "",
            "expires": date_format(
                timezone.localtime(invitations.expires_at(obj)), "DATETIME_FORMAT"
            )
            if obj.invitation_sent_at
            else "",
            "by": display_name(obj.invited_by) if obj.invited_by else gettext("someone"),
        }
        if found == Status.PENDING and not obj.has_usable_password():
            return (
                gettext(
                    "Invitation pending: sent on %(sent)s by %(by)s; the link works until "
                    "%(expires)s."
                )
                % when
            )
        if found == Status.EXPIRED and not obj.has_usable_password():
            return (
                gettext(
                    "The invitation sent on %(sent)s by %(by)s expired on %(expires)s: resend it."
                )
                % when
            )
        if obj.has_usable_password():
            return gettext(
                "Set by its owner. Nobody else sees or types it: if they forgot it, send "
                "them a password reset email."
            )
        return gettext("None: this account cannot log in with a password.")

    # The add page: an invitation -----------------------------------------------------------

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form = type("InviteForm", (form,), {"inviter": request.user})
        return form

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": _("Invite a staff member"),
            "invitation_days": self.invitation_days(),
        }
        return super().add_view(request, form_url, extra_context)

    @staticmethod
    def invitation_days():
        return settings.MPED_INVITATION_DAYS

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            invitations.invite(obj, form.cleaned_data["role"], by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        if IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            gettext("Invitation sent to %(name)s (%(email)s).")
            % {"name": display_name(obj), "email": obj.email},
            messages.SUCCESS,
        )
        if "_addanother" in request.POST:
            return redirect("admin:accounts_user_add")
        return redirect("admin:accounts_user_changelist")

    # No password typed for someone else -----------------------------------------------------

    def user_change_password(self, request, id, form_url=""):
        """Django's "change password" page of another account: gone. One's own password is
        changed on the account pages, with the old one; for someone else, an email."""
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404(gettext("There is no such user."))
        if user.pk == request.user.pk:
            return redirect("account_change_password")
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        self.message_user(
            request,
            gettext(
                "Staff choose their own passwords: send a password reset email, or resend "
                "the invitation, instead."
            ),
            messages.WARNING,
        )
        return redirect("admin:accounts_user_change", user.pk)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/send/<str:kind>/",
                self.admin_site.admin_view(self.send_email_view),
                name="accounts_user_send",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "email_tools": self.email_tools(user)}
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def email_tools(user):
        """The emails the change form offers to send: (kind, label)."""
        if user is None:
            return []
        if can_resend(user):
            return [("invitation", _("Resend the invitation"))]
        if can_reset(user):
            return [("reset", _("Send a password reset email"))]
        return []

    def send_email_view(self, request, object_id, kind):
        user = self.get_object(request, unquote(object_id))
        if user is None or kind not in {"invitation", "reset"}:
            raise Http404(gettext("There is no such user or email."))
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        allowed = can_resend(user) if kind == "invitation" else can_reset(user)
        if allowed and request.method == "POST":
            if kind == "invitation":
                with transaction.atomic():
                    invitations.resend(user, by=request.user)
                done = gettext("A new invitation was sent to %(email)s.")
            else:
                send_password_reset(request, user)
                done = gettext("A password reset email was sent to %(email)s.")
            self.message_user(request, done % {"email": user.email}, messages.SUCCESS)
            return redirect("admin:accounts_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "kind": kind,
            "allowed": allowed,
            "days": self.invitation_days(),
            "title": _("Resend the invitation")
            if kind == "invitation"
            else _("Send a password reset email"),
        }
        return TemplateResponse(
            request,
            "admin/accounts/user/send_email.html",
            context,
            status=200 if allowed else 400,
        )

    @admin.action(permissions=["change"], description=_("Resend the invitation"))
    def resend_invitations(self, request, queryset):
        sent = skipped = 0
        with transaction.atomic():
            for user in queryset.select_related(None):
                if can_resend(user) and invitations.resend(user, by=request.user):
                    sent += 1
                else:
                    skipped += 1
        self.report(
            request,
            sent,
            skipped,
            ngettext(
                "A new invitation was sent to %(count)d person.",
                "New invitations were sent to %(count)d people.",
                sent,
            ),
            ngettext(
                "%(count)d skipped: not waiting for an invitation (already accepted, or never "
                "invited).",
                "%(count)d skipped: not waiting for an invitation (already accepted, or never "
                "invited).",
                skipped,
            ),
        )

    @admin.action(permissions=["change"], description=_("Send a password reset email"))
    def send_password_resets(self, request, queryset):
        sent = skipped = 0
        for user in queryset.select_related(None):
            if can_reset(user):
                send_password_reset(request, user)
                sent += 1
            else:
                skipped += 1
        self.report(
            request,
            sent,
            skipped,
            ngettext(
                "A password reset email was sent to %(count)d person.",
                "Password reset emails were sent to %(count)d people.",
                sent,
            ),
            ngettext(
                "%(count)d skipped: an invitation is waiting (resend it instead), or the "
                "account is inactive.",
                "%(count)d skipped: an invitation is waiting (resend it instead), or the "
                "accounts are inactive.",
                skipped,
            ),
        )

    def report(self, request, sent, skipped, sent_message, skipped_message):
        if sent:
            self.message_user(request, sent_message % {"count": sent}, messages.SUCCESS)
        if skipped:
            self.message_user(request, skipped_message % {"count": skipped}, messages.WARNING)


def can_resend(user):
    return (
        user.is_active
        and not user.has_usable_password()
        and invitations.status(user) in {Status.PENDING, Status.EXPIRED}
    )


def can_reset(user):
    return user.is_active and bool(user.email) and not can_resend(user)


def send_password_reset(request, user):
    """allauth's password reset email, as if they had asked for it, in their language."""
    with translation.override(supported_language(user.language)):
        form = ResetPasswordForm(data={"email": user.email})
        if form.is_valid():
            form.save(request)
