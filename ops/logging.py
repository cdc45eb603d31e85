"""Logs as one JSON object per line on standard output, each carrying the id of the request it
belongs to (ops.middleware.RequestIdMiddleware), so that a log collector can follow one request
across the lines of several app servers.

A formatter and a filter of our own (about thirty lines) rather than python-json-logger: we need
a fixed handful of fields, and a dependency would not save any code. `DJANGO_LOG_FORMAT=text`
gives the plain lines a developer reads on the console (the default when DJANGO_DEBUG is on).

Either way one record is one line: a message carries what readers send (a path with `%0d%0a`
decodes to a line break), and must not be able to write a line that looks like another record.
JSON escapes control characters; the text format escapes them itself (TextFormatter)."""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

# The id of the request being handled by this thread or task; None outside a request (the task
# worker, management commands).
request_id = ContextVar("request_id", default=None)

# Fields a log call may add with `extra=`; the access log (logger "mped.request") sets them all.
EXTRA_FIELDS = ("method", "path", "status", "duration_ms")

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: what some
# reader of the logs (a terminal, a collector, str.splitlines()) may take as the end of a line.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters json.dumps(ensure_ascii=False) leaves as they are.
JSON_UNESCAPED = re.compile(r"[\x7f-\x9f\u2028\u2029]")


def escape_controls(text):
    """`text` with each control character written as an escape: "\\n", "\\x1b", "\\u2028"."""

    def escape(match):
        char = match.group()
        if char in NAMED_ESCAPES:
            return NAMED_ESCAPES[char]
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return CONTROL_CHARACTERS.sub(escape, text)


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
        line = json.dumps(entry, ensure_ascii=False, default=str)
        return JSON_UNESCAPED.sub(lambda match: f"\\u{ord(match.group()):04x}", line)


class TextFormatter(logging.Formatter):
    """The text format, one line per record whatever the message holds: control characters
    are escaped, and a traceback's lines are indented under the record's line."""

    def format(self, record):
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = escape_controls(self.formatMessage(record))
        # Formatted here, not cached in record.exc_text where other handlers would find it.
        blocks = []
        if record.exc_info:
            blocks.append(self.formatException(record.exc_info))
        if record.stack_info:
            blocks.append(self.formatStack(record.stack_info))
        for block in blocks:
            line += "".join(f"\n    {escape_controls(part)}" for part in block.splitlines())
        return line
