"""Security headers beyond Django's own settings, and the staff admin's two-factor rule.

The Content-Security-Policy comes from django-csp (`CONTENT_SECURITY_POLICY` in settings). Public
pages get the same nonce-free policy on every response, so a whole cached page stays valid; only
the staff admin, which is never cached, adds a per-request nonce. It goes on the one inline script
the admin needs, the import map of the rich-text editor (django-prose-editor, through
django-js-asset's Media: templates/admin/change_form.html), and the editor hands it on to the
<style> element Tiptap adds (mped/static/js/rich-text-editor.js).
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from csp.constants import NONCE
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
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


class StaffTwoFactorMiddleware:
    """With MPED_STAFF_REQUIRE_2FA on, staff must set up an authenticator app before they can
    use the admin: a password alone does not open it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.MPED_STAFF_REQUIRE_2FA
            and user.is_authenticated
            and user.is_staff
            and is_admin_request(request)
            and request.path_info != reverse("admin:logout")
            and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
        ):
            messages.warning(
                request,
                _(
                    "Staff accounts need two-factor authentication: set up an authenticator "
                    "app, then open the staff admin again."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
