"""Signed links in registration emails: a registrant cancels without an account.

A cancel token is `django.core.signing` output (HMAC-SHA256 with SECRET_KEY, salt
"training.cancel") over the registration's id and a keyed digest of its email address.
It cannot be guessed or forged without the secret key, it needs no database row, and it
stops working if a coordinator corrects the registration's email address. The address
itself is not in the token, so it does not end up in server logs or browser history.
Tokens do not expire: the link in a confirmation must work up to the day of the event.

A training-history link is different: it shows a person's whole record, so its token is
random (secrets.token_urlsafe), holds no personal data, expires, and only its SHA-256 is
stored in HistoryLink, like the peer-support status token.
"""

import datetime as dt
import hashlib
import secrets

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from core.urls import absolute_url
from training.models import HistoryLink, Registration

CANCEL_SALT = "training.cancel"
# The page after a successful registration; its link only needs to work for a while.
REGISTERED_SALT = "training.registered"
REGISTERED_MAX_AGE = 24 * 60 * 60


def _email_digest(email: str) -> str:
    return salted_hmac(CANCEL_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[:20]


def cancel_token(registration: Registration) -> str:
    """The same token every time for the same registration and address (no timestamp):
    every email about one registration carries one and the same cancel link."""
    payload = {"r": registration.pk, "e": _email_digest(registration.email)}
    return signing.Signer(salt=CANCEL_SALT).sign_object(payload)


def cancel_url(registration: Registration) -> str:
    """The absolute link to cancel this registration, for emails."""
    path = reverse("training:cancel", kwargs={"token": cancel_token(registration)})
    return absolute_url(path)


def registration_from_token(token: str) -> Registration | None:
    """The registration a cancel token names, or None if the token is not valid.

    Raises nothing for a bad token; a valid signature whose registration was deleted, or
    whose email address has since changed, also gives None.
    """
    try:
        try:
            payload = signing.Signer(salt=CANCEL_SALT).unsign_object(token)
        except (signing.BadSignature, ValueError):
            # Links emailed before tokens lost their timestamp (signing.dumps) still work:
            # their "payload:timestamp" part verifies but does not decode as a payload.
            payload = signing.loads(token, salt=CANCEL_SALT)
        pk, digest = int(payload["r"]), str(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    registration = Registration.objects.select_related("event").filter(pk=pk).first()
    if registration is None or not constant_time_compare(digest, _email_digest(registration.email)):
        return None
    return registration


def registered_token(registration: Registration) -> str:
    return signing.dumps(registration.pk, salt=REGISTERED_SALT)


def registration_from_registered_token(token: str) -> Registration | None:
    """The registration a fresh "you are registered" link names, within a day."""
    try:
        pk = int(signing.loads(token, salt=REGISTERED_SALT, max_age=REGISTERED_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return Registration.objects.select_related("event").filter(pk=pk).first()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def history_link_create(*, email: str, lifetime: dt.timedelta) -> str:
    """Store a new history link for the address and return its token (shown only once).

    Links that expired more than a day ago are removed on the way."""
    now = timezone.now()
    HistoryLink.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
    token = secrets.token_urlsafe(32)
    HistoryLink.objects.create(
        token_hash=_hash(token), email=email.strip().lower(), expires_at=now + lifetime
    )
    return token


def history_link_email(token: str) -> tuple[str | None, str | None]:
    """(email, None) for a live token, or (None, "expired") / (None, "invalid")."""
    if not token or len(token) > 100:
        return None, "invalid"
    link = HistoryLink.objects.filter(token_hash=_hash(token)).first()
    if link is None:
        return None, "invalid"
    if link.expires_at <= timezone.now():
        return None, "expired"
    return link.email, None
