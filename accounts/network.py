"""The client's address, correct behind a configurable number of trusted reverse proxies."""

import re

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with N trusted proxies the address the Nth proxy from us saw.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so with N proxies the client is the Nth entry from the right;
    anything further left was written by the client and cannot be trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return forwarded[0] if forwarded else remote
    return forwarded[-proxies]


def client_ip_meta(request: HttpRequest) -> str:
    """django-ratelimit's RATELIMIT_IP_META_KEY hook."""
    return client_ip(request)


def sign_in_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username of a sign-in attempt, from the credentials or the sign-in form."""
    if credentials and credentials.get("username"):
        return credentials["username"]
    data = getattr(request, "POST", {})
    return data.get("auth-username") or data.get("username")


# Path segments that follow these words are private tokens (status, cancel, history links).
_TOKEN_IN_PATH = re.compile(r"/(status|cancel|history|registered)/[^/]+")


def loggable_path(path: str) -> str:
    """A request path safe for logs and the audit log: private link tokens are masked."""
    return _TOKEN_IN_PATH.sub(r"/\1/[link]", path)[:300]
