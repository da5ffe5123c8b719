"""Every request gets an ID (X-Request-ID in and out) and one access log line without personal
data; behind a trusted proxy (TRUST_X_FORWARDED_FOR) the client's address replaces the proxy's.

First in MIDDLEWARE, so redirects to HTTPS and errors carry the ID too.
"""

import ipaddress
import logging
import re
import time
import uuid

from django.conf import settings

from core.logs import TOKEN, request_id_var, request_var

log = logging.getLogger("portal.request")
SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request) -> str | None:
    """The last X-Forwarded-For entry: the address Caddy itself saw (it replaces what clients
    send). Only used when TRUST_X_FORWARDED_FOR is on: nothing but the proxy reaches gunicorn."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = forwarded.split(",")[-1].strip() if forwarded else ""
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if SANE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
            address = client_address(request)
            if address:
                request.META["REMOTE_ADDR"] = address
        id_token, request_token = request_id_var.set(request_id), request_var.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(id_token)
            request_var.reset(request_token)

    @staticmethod
    def _log(request, status: int, started: float) -> None:
        # The URL pattern, not the path: paths may hold signed-link tokens; no query strings.
        match = getattr(request, "resolver_match", None)
        route = f"/{match.route}" if match is not None and match.route else request.path
        route = TOKEN.sub("[token]", route)[:200]
        level = logging.WARNING if status >= 500 else logging.INFO
        log.log(level, "%s %s %s", request.method, route, status, extra={
            "method": request.method, "route": route, "status": status,
            "duration_ms": round((time.monotonic() - started) * 1000),
        })
