"""The sign-in lockout: django-axes, plus a slowdown for an account attacked from many places.

django-axes (settings AXES_*) counts failures per account *and* address together, so a
scanner's failures as "alice" lock only "alice" from the scanner's address: not every
account used from that address, and not "alice" from everywhere else. A success resets
only its own (account, address) failures.

That leaves an account attacked from many addresses, each staying under the limit. For
it, once the account has SIGN_IN_SLOWDOWN_AFTER failures within the lockout window (from
any addresses), each further failure makes every sign-in to the account wait: refused,
unchecked, until a time that doubles with each failure from 5 seconds up to
SIGN_IN_SLOWDOWN_MAX_SECONDS. The wait is kept in the cache as "refused until"; nobody's
request sleeps. Administrators are told once per account per lockout window
(accounts.services.sign_in_slowdown_notify).

Typed passwords are never stored: axes would keep a failed attempt's POST data (masking
only field names it knows), so the portal keeps none (forget_form_data).
"""

import hashlib
import logging
import math
import time

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.network import client_ip
from accounts.services import sign_in_slowdown_notify

log = logging.getLogger(__name__)

SLOWDOWN_FIRST_SECONDS = 5
RETRY_AFTER = "sign_in_retry_after"  # request attribute: seconds to wait, when slowed


def _key(kind: str, username: str) -> str:
    digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sign-in-{kind}:{digest}"


def slowdown_seconds(*, failures: int) -> int:
    """How long one more failure makes the account wait; 0 below the threshold."""
    after = settings.SIGN_IN_SLOWDOWN_AFTER
    if failures < after:
        return 0
    return min(
        settings.SIGN_IN_SLOWDOWN_MAX_SECONDS, SLOWDOWN_FIRST_SECONDS * 2 ** (failures - after)
    )


def retry_after(*, username: str) -> int:
    """Seconds until the account may try again (0: now). An unreachable cache lets it try."""
    try:
        until = cache.get(_key("slowed-until", username))
    except Exception:
        log.warning("sign-in slowdown: the cache cannot be reached", exc_info=True)
        return 0
    if not until:
        return 0
    return max(0, math.ceil(until - time.time()))


def account_failures(*, request: HttpRequest, username: str) -> tuple[int, int]:
    """Failures recorded for an account within the lockout window, and from how many addresses."""
    totals = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(failures=Sum("failures_since_start"), addresses=Count("ip_address", distinct=True))
    return totals["failures"] or 0, totals["addresses"] or 0


def _slow_down(*, request: HttpRequest, username: str) -> None:
    """After a checked failure: set the account's wait, and tell administrators once."""
    failures, addresses = account_failures(request=request, username=username)
    seconds = slowdown_seconds(failures=failures)
    if not seconds:
        return
    window = int(get_cool_off(request).total_seconds())
    try:
        # The entry holds its own end; it is kept for the window so a slow clock cannot
        # drop it early.
        cache.set(_key("slowed-until", username), time.time() + seconds, timeout=window)
        first_in_window = cache.add(_key("slowed-notice", username), 1, timeout=window)
    except Exception:
        log.warning("sign-in slowdown: the cache cannot be reached", exc_info=True)
        return
    log.warning("sign-in slowed down for an account after %d failures", failures)
    if first_in_window:
        sign_in_slowdown_notify(
            username=username,
            failures=failures,
            addresses=addresses,
            ip=client_ip(request),
            path=request.path,
        )


class PortalAxesHandler(AxesDatabaseHandler):
    """axes' database handler, with the account slowdown on top (settings.AXES_HANDLER)."""

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        if not super().is_allowed(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        username = get_client_username(request, credentials)
        seconds = retry_after(username=username) if username else 0
        if seconds:
            setattr(request, RETRY_AFTER, seconds)
            # AxesMiddleware answers with the lockout response (lockout_response below).
            request.axes_locked_out = True
            return False
        return True

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        if getattr(request, RETRY_AFTER, 0):
            return None  # refused unchecked while slowed: counts for nothing
        # With AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off, axes has already marked a
        # refused (locked) attempt: it is not counted, so it cannot feed the slowdown either.
        refused = bool(getattr(request, "axes_locked_out", False))
        result = super().user_login_failed(sender, credentials, request, **kwargs)
        username = get_client_username(request, credentials)
        if not refused and username and not self.is_whitelisted(request, credentials):
            _slow_down(request=request, username=username)
        return result


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The page for a locked or slowed sign-in (settings.AXES_LOCKOUT_CALLABLE), status 429."""
    seconds = getattr(request, RETRY_AFTER, 0)
    context = {
        "retry_after": seconds,
        "cooloff_minutes": round(get_cool_off(request).total_seconds() / 60),
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def forget_form_data(sender, instance: AccessAttempt, **kwargs) -> None:
    """pre_save of axes' AccessAttempt: keep no typed form data, whatever the field names."""
    instance.post_data = ""
