import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import keptwork
from accounts.audit import audit_record
from accounts.models import AuditAction
from accounts.staff_areas import is_staff_path

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN = "staff_last_seen"
LAST_SEEN_WRITE_INTERVAL = 30  # seconds: avoid a session write on every request


BACKGROUND_POLL_HEADER = "X-Background-Poll"


def is_background_poll(request) -> bool:
    """A page asking by itself (a report's progress), not the person: it is not activity,
    so a page left open does not keep a session alive for ever. The header only ever
    shortens the sender's own session, so it needs no proof."""
    return BACKGROUND_POLL_HEADER in request.headers


class SessionTimes:
    """When this signed-in session ends, for the warning that signed-in pages show
    (templates/includes/session_timeout.html reads it as request.staff_session).

    A page shows only the limits, which are the same on every page (pages are compared
    byte for byte to show that a hidden record looks like a missing one): it counts the
    idle time from its own arrival, up to LAST_SEEN_WRITE_INTERVAL late. The keep-alive
    answer is exact: ends_in, the seconds left by either limit."""

    def __init__(self, session, now: float):
        self.idle_limit = settings.STAFF_SESSION_IDLE_SECONDS
        self.warn_before = settings.STAFF_SESSION_WARNING_SECONDS
        idle_ends = session[LAST_SEEN] + self.idle_limit
        longest_ends = session[SIGNED_IN_AT] + settings.STAFF_SESSION_MAX_SECONDS
        self.ends_in = max(0, int(min(idle_ends, longest_ends) - now))


def mark_active(session) -> SessionTimes:
    """Count this moment as activity (the warning's "Stay signed in" button)."""
    now = time.time()
    session[LAST_SEEN] = now
    return SessionTimes(session, now)


def _signed_out_message(*, idle: bool, kept: bool, files: bool) -> str:
    text = (
        "You were signed out after 30 minutes without activity."
        if idle
        else "Sessions last 12 hours at most."
    )
    if not kept:
        return f"{text} Please sign in again."
    minutes = settings.KEPT_WORK_SECONDS // 60
    text += (
        " What you typed is kept: sign in again within "
        f"{minutes} minutes and it is back on the page, ready to check and send."
    )
    if files:
        text += " Files you attached are not kept: attach them again."
    return text


class StaffSessionMiddleware:
    """Signed-in sessions end after 30 minutes idle and after 12 hours at most.

    A form that arrives after the end is kept for its author (accounts.keptwork) when its
    page takes part, so that signing in again brings it back instead of losing it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS
            too_long = now - signed_in_at > settings.STAFF_SESSION_MAX_SECONDS
            if idle or too_long:
                audit_record(
                    request=request,
                    action=AuditAction.SESSION_EXPIRED,
                    detail={"reason": "idle" if idle else "maximum length"},
                )
                kept = keptwork.keep(request, user)  # before sign-out rotates the CSRF token
                files = kept and bool(request.FILES)
                logout(request)
                messages.info(request, _signed_out_message(idle=idle, kept=kept, files=files))
                return redirect_to_login(request.get_full_path())
            if LAST_SEEN not in session or (
                now - last_seen >= LAST_SEEN_WRITE_INTERVAL and not is_background_poll(request)
            ):
                session[LAST_SEEN] = now
            request.staff_session = SessionTimes(session, now)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """No staff page without two-factor: enrol first, or verify this session."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = None

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and is_staff_path(request.path):
            if self.exempt is None:
                self.exempt = {
                    reverse("two_factor:setup"),
                    reverse("two_factor:qr"),
                    reverse("two_factor:setup_complete"),
                }
            if request.path not in self.exempt:
                if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
                    # Signed in without a code (e.g. a session from before enrolment): again.
                    logout(request)
                    return redirect_to_login(request.get_full_path())
                messages.info(request, "Set up two-factor sign-in before you use the staff pages.")
                return redirect("two_factor:setup")
        return self.get_response(request)


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Permissions-Policy everywhere; no caching anywhere of staff or signed-in pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or is_staff_path(request.path) or request.path.startswith("/account/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
