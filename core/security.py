"""Security headers beyond Django's own settings, and the two-factor rule for staff powers.

The Content-Security-Policy comes from django-csp (`CONTENT_SECURITY_POLICY` in settings). Public
pages get the same nonce-free policy on every response, so a whole cached page stays valid; only
the staff admin, which is never cached, adds a per-request nonce. It goes on the one inline script
the admin needs, the import map of the rich-text editor (django-prose-editor, through
django-js-asset's Media: templates/admin/change_form.html), and the editor hands it on to the
<style> element Tiptap adds (core/static/js/rich-text-editor.js).
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from csp.constants import NONCE
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _


def is_admin_request(request):
    return request.path_info.startswith("/" + settings.MPED_ADMIN_URL)


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with nonces in the staff admin only."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if is_admin_request(request):
            # django-csp only writes the nonce into the header when a page used it.
            update = dict(parts.update or {})
            for directive in ("script-src", "style-src"):
                update[directive] = [*update.get(directive, []), NONCE]
            parts.update = update
        else:
            parts.nonce = None
        return parts


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header (Django has no setting for it): the site uses none of
    these browser features, so no page, nor anything injected into one, may ask for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.MPED_PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.MPED_PERMISSIONS_POLICY)
        return response


def two_factor_required(user):
    """Whether this user's staff powers wait for two-factor authentication: staff and
    superusers, when MPED_STAFF_REQUIRE_2FA is on."""
    return (
        settings.MPED_STAFF_REQUIRE_2FA
        and user.is_authenticated
        and (user.is_staff or user.is_superuser)
    )


def passed_two_factor(request, user):
    """Two-factor is completed when the account has an authenticator app and this session
    used it: logged in with a code or a recovery code (allauth's `mfa` authentication record,
    also written when a code is asked for again), or set the app up (which takes a code).
    A session opened some other way (a password alone from before the app was set up, a
    login link) does not count, even for an account that has the app."""
    used_it = request.session.get(TOTP_SET_UP_SESSION_KEY) == user.pk or any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )
    return used_it and is_mfa_enabled(user, [Authenticator.Type.TOTP])


# The user who set up an authenticator app in this session (allauth records no authentication
# for it, though the person has just typed a code from the app).
TOTP_SET_UP_SESSION_KEY = "mped_totp_set_up_by"


class StaffTwoFactorMiddleware:
    """With MPED_STAFF_REQUIRE_2FA on, staff who have not completed two-factor authentication
    in this session have no staff powers anywhere: their user is marked (accounts.User
    withholds every permission, and membership unless their own address is confirmed), and the
    admin sends them to set up an authenticator app, or to type a code from it. is_staff is
    left as it is, so the header still shows them the way to the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.MPED_STAFF_REQUIRE_2FA:
            return self.get_response(request)
        user = request.user
        # Still lazy: a request that never looks at its user (most public pages) costs nothing.
        request.user = SimpleLazyObject(lambda: self.checked(request, user))
        if is_admin_request(request):
            response = self.admin_redirect(request)
            if response:
                return response
        response = self.get_response(request)
        # The app was set up in this request (process_view saw none before the view).
        if getattr(request, "mped_setting_up_totp", False) and is_mfa_enabled(
            request.user, [Authenticator.Type.TOTP]
        ):
            request.session[TOTP_SET_UP_SESSION_KEY] = request.user.pk
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            settings.MPED_STAFF_REQUIRE_2FA
            and request.method == "POST"
            and request.resolver_match.url_name == "mfa_activate_totp"
            and request.user.is_authenticated
            and not is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
        ):
            request.mped_setting_up_totp = True

    @staticmethod
    def checked(request, user):
        if two_factor_required(user) and not passed_two_factor(request, user):
            user.staff_powers_withheld = True
        return user

    @staticmethod
    def admin_redirect(request):
        user = request.user
        if (
            not user.is_authenticated
            or not getattr(user, "staff_powers_withheld", False)
            or request.path_info == reverse("admin:logout")
        ):
            return None
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication: set up an authenticator "
                    "app, then open the staff admin again."
                ),
            )
            return redirect("mfa_activate_totp")
        messages.warning(
            request,
            _("Type a code from your authenticator app to open the staff admin."),
        )
        query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
