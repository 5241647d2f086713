"""Rate limits for public forms, per client address, counted in the shared cache."""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

RATE_LIMIT_MESSAGE = (
    "Too many forms were sent from your network in a short time, so this one was not sent. "
    "Everything you typed is still here: please wait a few minutes and send it again."
)


def over_rate_limit(request: HttpRequest, *, group: str, rate: str | None = None) -> bool:
    """Count this POST against the client's address; True once the limit is passed.

    If the cache cannot be reached the form is let through rather than refused.
    """
    try:
        return is_ratelimited(
            request,
            group=group,
            key="ip",
            rate=rate or settings.PUBLIC_FORM_RATE,
            method="POST",
            increment=True,
        )
    except Exception:
        return False
