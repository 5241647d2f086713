"""The client's address, correct behind a configurable number of trusted reverse proxies."""

import ipaddress

from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest

from core.boundary import clean_text
from core.logs import mask_path

# django-axes stores the username in a column of this many characters.
_AXES_USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def _is_ip_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with N trusted proxies the address the Nth proxy from us saw.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so with N proxies the client is the Nth entry from the right;
    anything further left was written by the client and cannot be trusted.

    A request with fewer entries than there are proxies did not come through them (it
    reached gunicorn directly), so its header was written by the client: then, and when
    the entry is not an IP address at all, the answer is REMOTE_ADDR. This cannot catch
    a client that reaches gunicorn directly and writes exactly N entries itself, which is
    why the proxy must be the only way in (see README, TRUSTED_PROXY_COUNT).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    return candidate if _is_ip_address(candidate) else remote


def client_ip_meta(request: HttpRequest) -> str:
    """django-ratelimit's RATELIMIT_IP_META_KEY hook."""
    return client_ip(request)


def sign_in_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username of a sign-in attempt, from the credentials or the sign-in form.

    Cut to the length django-axes can store: no account has a username that long (the
    user model allows 150 characters), so the cut name still matches no account, and a
    sign-in with a 300-character username fails like any other instead of with a 500.
    """
    if credentials and credentials.get("username"):
        username = credentials["username"]
    else:
        data = getattr(request, "POST", {})
        username = data.get("auth-username") or data.get("username")
    return str(username)[:_AXES_USERNAME_MAX_LENGTH] if username else username


def loggable_path(path: str) -> str:
    """A request path safe for logs and the audit log: private link tokens are masked."""
    return clean_text(mask_path(path))[:300]
