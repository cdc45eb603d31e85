"""Logs as one JSON object per line on standard output, each carrying the id of the request it
belongs to (mped.middleware.RequestIdMiddleware), so that a log collector can follow one request
across the lines of several app servers.

A formatter and a filter of our own (about thirty lines) rather than python-json-logger: we need
a fixed handful of fields, and a dependency would not save any code. `DJANGO_LOG_FORMAT=text`
gives the plain lines a developer reads on the console (the default when DJANGO_DEBUG is on)."""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# The id of the request being handled by this thread or task; None outside a request (the task
# worker, management commands).
request_id = ContextVar("request_id", default=None)

# Fields a log call may add with `extra=`; the access log (logger "mped.request") sets them all.
EXTRA_FIELDS = ("method", "path", "status", "duration_ms")


def record_request_id(record):
    """The id of the request a record was logged in, or None."""
    current = getattr(record, "request_id", None) or request_id.get()
    if current is None:
        # Django logs a 4xx or 5xx response (django.request) once the middleware, and so the
        # request's context, are done; it gives the request itself instead.
        current = getattr(getattr(record, "request", None), "request_id", None)
    return None if current == "-" else current


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or "-") to every record, for both formats."""

    def filter(self, record):
        record.request_id = record_request_id(record) or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record_request_id(record),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        # Django's own request loggers (django.request, django.server) give the status so.
        if "status" not in entry and isinstance(getattr(record, "status_code", None), int):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
