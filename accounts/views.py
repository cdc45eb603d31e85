import json

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView, UpdateView

from .forms import AlertsForm, DeleteAccountForm, ProfileForm


class AccountOverviewView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["emails"] = EmailAddress.objects.filter(user=self.request.user)
        context["two_factor"] = is_mfa_enabled(self.request.user)
        return context


class OwnAccountView(LoginRequiredMixin, SuccessMessageMixin, UpdateView):
    """Edit the logged-in person's own account row."""

    def get_object(self, queryset=None):
        return self.request.user


class ProfileView(OwnAccountView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:overview")
    success_message = gettext_lazy("Your profile was saved.")

    def form_invalid(self, form):
        # The form comes back with its errors, as a 400: nothing was saved.
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class AlertsView(OwnAccountView):
    form_class = AlertsForm
    template_name = "accounts/alerts.html"
    success_url = reverse_lazy("accounts:alerts")
    success_message = gettext_lazy("Your alert choices were saved.")


class DataExportView(LoginRequiredMixin, View):
    """Everything we hold about the person, as a JSON download."""

    def get(self, request):
        user = request.user
        data = {
            "exported_at": timezone.now().isoformat(),
            "profile": {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "organisation": user.organisation,
                "partner_municipality": user.municipality.name if user.municipality else None,
                "language": user.language,
                "time_zone": user.time_zone,
                "date_joined": user.date_joined.isoformat(),
                "last_login": user.last_login.isoformat() if user.last_login else None,
            },
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("email")
            ],
            "subscriptions": {
                "new_reports": user.alerts_reports,
                "new_press_features": user.alerts_press,
            },
            "alerts_received": [
                {"news_item": delivery.news_item.title, "sent_at": delivery.sent_at.isoformat()}
                for delivery in user.alert_deliveries.filter(sent_at__isnull=False)
                .select_related("news_item")
                .defer("news_item__search_public", "news_item__search_members")
                .order_by("sent_at")
            ],
        }
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="mped-account-data.json"'
        response["Cache-Control"] = "private, no-store"
        return response


class DeleteAccountView(LoginRequiredMixin, FormView):
    template_name = "accounts/delete.html"
    form_class = DeleteAccountForm
    success_url = reverse_lazy("home")

    def get_form_kwargs(self):
        return {"user": self.request.user, **super().get_form_kwargs()}

    @transaction.atomic
    def form_valid(self, form):
        user = self.request.user
        logout(self.request)
        # Email addresses, alert records and sessions go with the account (cascade).
        get_user_model().objects.filter(pk=user.pk).delete()
        messages.success(self.request, _("Your account and your personal data have been deleted."))
        return super().form_valid(form)
