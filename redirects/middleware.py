import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .models import MissingPage, Redirect, find_redirect
from .paths import (
    candidates,
    canonical,
    in_language,
    is_admin_path,
    is_asset_path,
    is_site_path,
    split_language,
)

logger = logging.getLogger(__name__)


class RedirectMiddleware:
    """Answers a 404 with the redirect stored for its address, or counts it in the 404 log.

    One indexed query finds the redirect (the path as requested, and without its language).
    A language-neutral target keeps the language of the request; a request without one (an old
    link from before the site had languages) goes to the reader's language with a 302 and
    `Vary`, as LocaleMiddleware itself does, since another reader would go elsewhere. The
    query string is passed on. A failing lookup or log never turns a 404 into a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or is_admin_path(request.path_info):
            return response
        try:
            return self.answer_404(request) or response
        except Exception:
            logger.exception("The redirect lookup or the 404 log failed for %s", request.path)
            return response

    def answer_404(self, request):
        path = canonical(request.path_info)
        found = candidates(path)
        redirect = find_redirect(path, Redirect.objects.filter(old_path__in=found))
        if redirect is not None:
            return self.redirect(request, path, redirect)
        if request.method in ("GET", "HEAD") and self.is_worth_logging(request, path):
            MissingPage.record(path, self.referrer(request))
        return None

    @staticmethod
    def redirect(request, path, redirect):
        language = split_language(path)[0]
        chosen_for_reader = (
            language is None
            and is_site_path(redirect.new_path)
            and split_language(redirect.new_path)[0] is None
        )
        target = in_language(redirect.new_path, language or translation.get_language())
        if target.partition("?")[0] == path:
            return None  # bad data leading to itself: a 404 beats a redirect loop
        query = request.META.get("QUERY_STRING", "")
        if query:
            target += ("&" if "?" in target else "?") + query
        redirect.used()
        if redirect.is_permanent and not chosen_for_reader:
            return HttpResponsePermanentRedirect(target)
        response = HttpResponseRedirect(target)
        if chosen_for_reader:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    @staticmethod
    def is_worth_logging(request, path):
        if is_asset_path(request.path_info) or not request.path_info.isprintable():
            return False
        match = getattr(request, "resolver_match", None)
        if match is not None and not getattr(match.func, "cache_public_page", False):
            # A 404 of a private page (a document, a review link's file, an account page):
            # its address may hold a token or a members' file name, not for the log.
            return False
        language = split_language(path)[0]
        if language is None:
            # LocaleMiddleware sends an address without a language that is one with it (an
            # old /news/<slug>/ link) to the reader's language: not a missing page.
            with_language = f"/{translation.get_language()}{request.path_info}"
            urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
            if is_valid_path(with_language, urlconf) or is_valid_path(with_language + "/", urlconf):
                return False
        return True

    @staticmethod
    def referrer(request):
        parts = urlsplit(request.headers.get("Referer", ""))
        if parts.scheme not in ("http", "https"):
            return ""
        # The query string may hold someone's token: only the page is kept.
        return f"{parts.scheme}://{parts.netloc}{parts.path}"
