"""The portal's answer while PostgreSQL is down or restarting: a styled 503, not a 500.

`DatabaseUnavailableMiddleware` is the first entry of MIDDLEWARE, so it wraps the whole
stack. A database error can come from any layer, not only from the view: the session
middleware loading or saving a session, authentication and two-factor (request.user),
django-axes, the staff-session checks. Django turns an exception raised inside a
middleware into a response at that middleware's boundary (handler500), so no middleware
above it ever sees the exception itself. Therefore:

- a `got_request_exception` receiver marks the request when the exception being handled
  is a database outage (OperationalError or InterfaceError), wherever it was raised;
- on the way out, this middleware replaces the response of a marked request with the
  outage page;
- a view's database error is answered directly by `process_exception` (no error report
  then: the outage is logged once, here).

The outage page is rendered without a request context: no context processor, no session,
no request.user, so no database access. It says Retry-After and is never cached.

Connections are health-checked (CONN_HEALTH_CHECKS), so the portal recovers by itself as
soon as the database is back.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template import loader

from accounts.network import loggable_path

log = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_MARK = "_database_outage"
# Headers the layers below added to the error response that the outage page keeps.
_KEPT_HEADERS = (
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
)


def is_outage(exception: BaseException | None) -> bool:
    """A database error that means PostgreSQL cannot be reached (here or as the cause)."""
    return isinstance(exception, OUTAGE_ERRORS) or isinstance(
        getattr(exception, "__cause__", None), OUTAGE_ERRORS
    )


def outage_response(*, keep_headers_of: HttpResponse | None = None) -> HttpResponse:
    """The styled 503 page, rendered with no request context (so with no database)."""
    response = HttpResponse(loader.get_template("503.html").render({}), status=503)
    if keep_headers_of is not None:
        for header in _KEPT_HEADERS:
            if header in keep_headers_of:
                response[header] = keep_headers_of[header]
    response.setdefault("X-Content-Type-Options", "nosniff")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception, dispatch_uid="marc_safety.database_outage_mark")
def _mark_outage(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """Sent while Django handles an exception raised anywhere below the first middleware."""
    exception = sys.exc_info()[1]
    if request is not None and is_outage(exception):
        setattr(request, _MARK, exception)


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is down, answer every request with the styled 503 page.

    First in MIDDLEWARE: see the module docstring for how it sees errors of every layer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except OUTAGE_ERRORS as exception:  # only if exceptions propagate (a test setting)
            return self._answer(request, exception, None)
        exception = getattr(request, _MARK, None)
        if exception is not None:
            return self._answer(request, exception, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_outage(exception):
            return self._answer(request, exception, None)
        return None

    @staticmethod
    def _answer(
        request: HttpRequest, exception: BaseException, response: HttpResponse | None
    ) -> HttpResponse:
        log.error(
            "database unavailable while serving %s: %s",
            loggable_path(request.path),
            str(exception).strip().splitlines()[0] if str(exception).strip() else exception,
        )
        return outage_response(keep_headers_of=response)
