"""GET /health/ for load balancers and monitoring: can this app server reach its database and
its cache? 200 with {"status": "ok", ...} when it can, 503 saying which check failed when it
cannot. Never cached, and no session or user is loaded.

HealthCheckMiddleware answers it before the rest of the middleware: a load balancer asks with
the server's own address as the host name (not in ALLOWED_HOSTS) and over plain HTTP, and the
page cache would otherwise consult the cache and the database before the checks could report
them. It still gets the security headers of every other response (from the same middleware)."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.security import PermissionsPolicyMiddleware

# Named as before the move to ops/ (docs/operations.md): log queries keep finding it.
logger = logging.getLogger("mped.health")


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def check_cache():
    key = f"mped:health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        return cache.get(key) == "ok"
    finally:
        cache.delete(key)


HEALTH_ROUTE = "health/"
CHECKS = {"database": check_database, "cache": check_cache}
# JSON for machines: it loads nothing, and no page may frame it.
POLICY = "default-src 'none'; frame-ancestors 'none'"


@never_cache
@require_safe
def health(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            passed = check()
        except Exception as error:  # any failure of the service is an answer, not an error page
            logger.warning("Health check failed: %s (%s: %s)", name, type(error).__name__, error)
            passed = False
        results[name] = "ok" if passed else "error"
    healthy = all(result == "ok" for result in results.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503
    )
    # Django logs every 5xx as an error and mails it to the admins: a load balancer asking
    # every few seconds while the database is down would send hundreds. Our warning above is
    # the log line.
    response._has_been_logged = True
    response["Content-Security-Policy"] = POLICY
    return response


class HealthCheckMiddleware:
    """Second in MIDDLEWARE, after RequestIdMiddleware (the check is logged with its id)."""

    def __init__(self, get_response):
        self.get_response = get_response
        # The headers of every response, from the middleware that gives them: X-Frame-Options,
        # Permissions-Policy, then SecurityMiddleware's HSTS (over HTTPS), nosniff,
        # Referrer-Policy and Cross-Origin-Opener-Policy: its response half only, without the
        # redirect to HTTPS. None of them checks the host.
        self.answer = XFrameOptionsMiddleware(PermissionsPolicyMiddleware(health))
        self.security = SecurityMiddleware(self.answer)

    def __call__(self, request):
        if request.path_info == f"/{HEALTH_ROUTE}":
            return self.security.process_response(request, self.answer(request))
        return self.get_response(request)
