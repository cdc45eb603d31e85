import logging
import re
import time
import uuid

from .health import HEALTH_ROUTE
from .logging import request_id

access_log = logging.getLogger("mped.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An id set by the load balancer or proxy in front (or by a client) is kept if it is short and
# plain, so that it can be logged and sent back as it is; anything else gets a new id.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Gives each request an id, carried by every log line written while it is handled and sent
    back in the X-Request-ID header, and writes one access-log line per request. First in
    MIDDLEWARE, so that the other middleware's log lines carry the id too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        current = incoming if VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = current
        token = request_id.set(current)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = current
            self.log(request, response, started)
            return response
        finally:
            request_id.reset(token)

    @staticmethod
    def log(request, response, started):
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        # A load balancer asks for /health/ every few seconds: a healthy answer is not news.
        quiet = request.path_info == f"/{HEALTH_ROUTE}" and response.status_code == 200
        access_log.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
