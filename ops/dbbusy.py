"""A database that stays busy longer than the site waits (SQLite's busy timeout, see DATABASES in
mped/settings/base.py) answers 503 with a plain page and Retry-After, instead of a server error.

The request's transaction was rolled back before the error reached here, so no part of it was
saved; the person goes back and sends the form again."""

import logging

from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# SQLite's words for a lock held by another connection ("database is locked", SQLITE_BUSY) or,
# in a shared cache, by another connection of the same process ("database table is locked").
BUSY_MESSAGES = ("database is locked", "database table is locked")


def is_database_busy(error):
    return isinstance(error, OperationalError) and any(
        message in str(error).lower() for message in BUSY_MESSAGES
    )


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy, answered 503: %s %s", request.method, request.path)
        response = HttpResponse(render_to_string("database_busy.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
