"""Absolute links, for pages, emails and feeds: the one place that reads SITE_URL.

In production (DEBUG off) every absolute link starts with SITE_URL, the public address
(marc_safety/settings.py gives it a default there, as it always has). In development
SITE_URL may be left unset: a page then links to the address it was asked on (its host,
already checked against ALLOWED_HOSTS), so a status link works on whatever host and port
the developer opened. What is built without a request (an email queued by a
service, a feed entry, a certificate) falls back to runserver's own address,
DEVELOPMENT_SITE_URL; set SITE_URL to serve development anywhere else.
"""

from django.conf import settings
from django.http import HttpRequest

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_url(request: HttpRequest | None = None) -> str:
    """The scheme and host links start with, without a trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if settings.DEBUG and request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEVELOPMENT_SITE_URL


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """The absolute link to `path` (which starts with "/"), e.g. for an email or a copy."""
    return site_url(request) + path
