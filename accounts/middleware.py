import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import audit_record
from accounts.models import AuditAction

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN = "staff_last_seen"
LAST_SEEN_WRITE_INTERVAL = 30  # seconds: avoid a session write on every request


def is_staff_path(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.STAFF_PATH_PREFIXES)


class StaffSessionMiddleware:
    """Signed-in sessions end after 30 minutes idle and after 12 hours at most."""

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
                logout(request)
                messages.info(
                    request,
                    "You were signed out after 30 minutes without activity. Please sign in again."
                    if idle
                    else "Sessions last 12 hours at most. Please sign in again.",
                )
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= LAST_SEEN_WRITE_INTERVAL or LAST_SEEN not in session:
                session[LAST_SEEN] = now
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
