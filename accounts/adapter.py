"""django-allauth's adapters. Accounts: three things allauth takes from the request by default,
the client's address (rate limits), the account's lock-out key, and the links in emails. MFA: who
may turn an authenticator app off."""

from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from core.mail import site_name
from core.security import passed_two_factor, two_factor_required


def on_site_address(url, request):
    """An absolute link to this site built from the request's Host header (which may carry any
    port: ALLOWED_HOSTS ignores ports), rebuilt on MPED_SITE_URL; anything else unchanged."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.netloc != request.get_host():
        return url
    return settings.MPED_SITE_URL + urlunsplit(("", "", parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """allauth's answer (REMOTE_ADDR, or the address the trusted proxies saw: README
        "Deploying with PostgreSQL"), else the connection's own address."""
        try:
            return super().get_client_ip(request)
        except (ImproperlyConfigured, PermissionDenied):
            # Fewer X-Forwarded-For entries than trusted proxies, or no client-IP header: the
            # request did not come through the proxies, so the peer is the client.
            return request.META.get("REMOTE_ADDR") or "unknown"

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth's key adds the request's host, port included, so each made-up port would
        # get five more tries at one account: the lock-out counts per account only.
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"account:{login}"

    def send_mail(self, template_prefix, email, context):
        """Every account email (confirmations, password resets, notices) links to the site's
        configured address, not to whatever Host the request that sent it named."""
        request = allauth_context.request
        if request is not None:
            context = {
                key: on_site_address(value, request) if isinstance(value, str) else value
                for key, value in context.items()
            }
            # "Hello from {name}": the site's name (site settings), not the Host header's;
            # "{domain}": MPED_SITE_URL's.
            site = get_current_site(request)
            site.name = site_name()
            site.domain = urlsplit(settings.MPED_SITE_URL).netloc
            context["current_site"] = site
        super().send_mail(template_prefix, email, context)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        """Staff who must use two-factor turn their app off (to move it to a new phone) only
        in a session that used it, or a recovery code: a password alone, in a session older
        than the app, cannot swap it for an app of the password holder's."""
        request = allauth_context.request
        user = authenticator.user
        if (
            request is not None
            and two_factor_required(user)
            and not passed_two_factor(request, user)
        ):
            return False
        return super().can_delete_authenticator(authenticator)
