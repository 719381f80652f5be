"""A request id on every log line and in the ``X-Request-ID`` response header, so a user's report
or a proxy's log leads to the server's lines for that request."""

import contextvars
import logging
import re
import secrets

HEADER = "X-Request-ID"
# A proxy's own id is kept when it is a short plain token; anything else could forge log lines.
_SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")
current = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request.request_id = incoming if _SANE.fullmatch(incoming) else secrets.token_hex(8)
        token = current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record: the request's own (Django logs some responses after
    the middleware has returned), or the one of the request being handled, or ``-``."""

    def filter(self, record):
        record.request_id = getattr(getattr(record, "request", None), "request_id", current.get())
        return True
