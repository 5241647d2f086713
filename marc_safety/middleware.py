import logging

from django.db import InterfaceError, OperationalError
from django.shortcuts import render

from accounts.network import loggable_path

log = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """While PostgreSQL is down or restarting, answer with a clear 503 page in the site's style.

    Connections are health-checked (CONN_HEALTH_CHECKS), so the portal recovers by itself
    as soon as the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            log.error(
                "database unavailable while serving %s: %s", loggable_path(request.path), exception
            )
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "30"
            response["Cache-Control"] = "no-store"
            return response
        return None
