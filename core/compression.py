"""Compressed pages for anonymous readers: zstd, brotli or gzip, whichever the browser prefers
(django-http-compression's middleware, which also adds `Vary: Accept-Encoding`).

Only responses that carry no secret are compressed. BREACH guesses a secret on a compressed page
(a CSRF token, a member's email address) from the size of the responses while it puts its own
guesses in the same page; with no secret in the page there is nothing to guess. So a response is
left as it is when the request may belong to someone (a session or messages cookie, a logged-in
user), when its page used the CSRF token, when it sets a cookie or is marked private or
no-store, and when it is streamed (downloads: ranges and their ETags stay byte-exact) or partial.

It sits outside the page cache (core/cache.py, MIDDLEWARE in the settings): the cache stores the
plain page, and each hit is compressed for the reader's Accept-Encoding (well under a
millisecond for a home page).
"""

from django.conf import settings
from django.utils.cache import patch_vary_headers
from django_http_compression.middleware import HttpCompressionMiddleware


def may_belong_to_someone(request):
    """The request is a member's or carries a session: its page may hold personal data."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return True
    # A page served from the page cache never reached AuthenticationMiddleware: no `user`.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def carries_a_secret(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        may_belong_to_someone(request)
        or request.META.get("CSRF_COOKIE_USED", False)
        or bool(response.cookies)
        or "private" in cache_control
        or "no-store" in cache_control
    )


class PublicCompressionMiddleware(HttpCompressionMiddleware):
    """django-http-compression's middleware, for the responses that carry no secret."""

    def maybe_compress(self, request, response):
        if (
            response.streaming
            or response.status_code == 206
            or response.has_header("Content-Encoding")
            or carries_a_secret(request, response)
        ):
            return
        content_type = response.get("Content-Type", "").split(";", 1)[0]
        if self.content_type_re.match(content_type):
            # Also when this reader takes no compression (as Django's GZipMiddleware does): a
            # shared cache keeps a copy per Accept-Encoding, not this plain one for everyone.
            patch_vary_headers(response, ("Accept-Encoding",))
        super().maybe_compress(request, response)
