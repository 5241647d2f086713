"""The partners' API keys: issued by program managers, stored only as a hash, revoked at will.

    key, secret = api_key_issue(name=..., organization=provider, scope=ApiScope.ENCOUNTERS,
                                expires_at=..., by=manager)
    key = api_key_authenticate(secret)            # None: unknown, revoked or expired
    api_call_audit(key, action=AuditAction.CREATE, outcome=AuditOutcome.SUCCESS, ip=ip,
                   path=path, object_type="coresponder.encounter", object_id="...")
    api_key_revoke(key, by=manager, ip=ip, path=path)

The secret is "marc_<prefix>_<random>": the prefix finds the key, the whole text is
compared with the stored hash. Partners send it as `Authorization: Bearer <secret>`; only
the API reads that header, so a key never signs anyone in to the staff pages.

Any app may import this module (it is part of accounts' public surface).
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import (
    ApiKey,
    ApiScope,
    AuditAction,
    AuditEvent,
    AuditOutcome,
    Organization,
    OrganizationKind,
    User,
)

__all__ = [
    "ApiKey",
    "ApiScope",
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME",
    "SCOPE_MISFIT",
    "api_call_audit",
    "api_key_authenticate",
    "api_key_issue",
    "api_key_revoke",
    "api_key_status",
    "api_keys_listed",
    "end_of_day",
    "latest_expiry",
    "organizations_for_scope",
    "organization_fits_scope",
    "scope_organization_kind",
]

KEY_MARK = "marc"
DEFAULT_LIFETIME = dt.timedelta(days=365)
# Two years, and the rest of the last day: an expiry typed as a date runs to its end.
MAX_LIFETIME = dt.timedelta(days=2 * 366 + 1)
# A key's "last used" is written at most this often, so a busy key does not write per call.
LAST_USED_EVERY = dt.timedelta(minutes=1)

SCOPE_MISFIT = {
    ApiScope.ENCOUNTERS: "A key for encounters belongs to a behavioral-health provider that "
    "has a data dictionary code. Choose one of the providers, or choose call volume.",
    ApiScope.CALL_VOLUME: "A key for call volume belongs to a police department that has a "
    "data dictionary code. Choose one of the police departments, or choose encounters.",
}

_SCOPE_KIND = {
    ApiScope.ENCOUNTERS: OrganizationKind.BEHAVIORAL_HEALTH,
    ApiScope.CALL_VOLUME: OrganizationKind.POLICE,
}


def scope_organization_kind(scope: str) -> str:
    """The kind of organization a key of this scope belongs to."""
    return _SCOPE_KIND[ApiScope(scope)]


def organization_fits_scope(organization: Organization, scope: str) -> bool:
    """A key's organization must be of the scope's kind and carry a data dictionary code
    (the code its data is filed under)."""
    return (
        bool(organization.dictionary_code)
        and organization.active
        and organization.kind == scope_organization_kind(scope)
    )


def organizations_for_scope(scope: str) -> QuerySet[Organization]:
    """The active directory organizations a key of this scope may belong to, by name."""
    return (
        Organization.objects.filter(kind=scope_organization_kind(scope), active=True)
        .exclude(dictionary_code="")
        .order_by("name")
    )


def latest_expiry(today: dt.date) -> dt.date:
    """The last day a key issued today may work: the same day two years on (February 28
    for a February 29)."""
    try:
        return today.replace(year=today.year + 2)
    except ValueError:
        return today.replace(year=today.year + 2, day=28)


def end_of_day(day: dt.date) -> dt.datetime:
    """The moment a key that works "until the end of `day`" stops: the next local midnight."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def _hash(secret: str) -> str:
    """sha256 of the whole secret. The secret is 256 random bits, so nobody can guess it
    from its hash; a slow password hash (PBKDF2, argon2) would only slow every API call."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"


def _issue_errors(*, name: str, organization: Organization, scope: str, expires_at, now) -> dict:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the key a name, so that you can tell it from the others."
    if scope not in ApiScope.values:
        errors["scope"] = "Choose what the key may reach."
    elif not organization_fits_scope(organization, scope):
        errors["organization"] = SCOPE_MISFIT[scope]
    if expires_at <= now:
        errors["expires_at"] = "Choose an expiry date after today."
    elif expires_at - now > MAX_LIFETIME:
        errors["expires_at"] = "A key may last at most two years. Choose an earlier date."
    return errors


def api_key_issue(
    *,
    name: str,
    organization: Organization,
    scope: str,
    expires_at: dt.datetime,
    by: User,
    ip: str = "",
    path: str = "",
) -> tuple[ApiKey, str]:
    """Issue a key and return it with its secret, the only time the secret exists in full.

    Raises ValidationError (messages by field: name, scope, organization, expires_at) when
    the organization does not fit the scope or the expiry is past or over two years away.
    The issue is audited as the staff member's; the secret is never logged.
    """
    now = timezone.now()
    errors = _issue_errors(
        name=name, organization=organization, scope=scope, expires_at=expires_at, now=now
    )
    if errors:
        raise ValidationError(errors)
    for _attempt in range(5):
        prefix, secret = _new_secret()
        try:
            with transaction.atomic():
                key = ApiKey.objects.create(
                    name=name.strip(),
                    prefix=prefix,
                    secret_hash=_hash(secret),
                    organization=organization,
                    scope=scope,
                    expires_at=expires_at,
                    created_by=by,
                )
                audit_record(
                    actor=by,
                    ip=ip,
                    path=path,
                    action=AuditAction.CREATE,
                    obj=key,
                    detail=_key_detail(key),
                )
            return key, secret
        except IntegrityError:  # the random prefix is taken: draw another
            continue
    raise RuntimeError("Could not draw an unused API key prefix.")


def _parse(secret: str) -> tuple[str, str] | None:
    parts = secret.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_MARK or not parts[1] or not parts[2]:
        return None
    return parts[1], secret.strip()


def api_key_authenticate(secret: str) -> ApiKey | None:
    """The key this secret belongs to, or None if it is unknown, revoked or expired (or its
    organization was made inactive). The hash is compared in constant time; "last used" is
    written at most once a minute."""
    parsed = _parse(secret or "")
    key = None
    if parsed is not None:
        prefix, whole = parsed
        key = ApiKey.objects.select_related("organization").filter(prefix=prefix).first()
    expected = key.secret_hash if key is not None else _hash("")
    given = _hash(parsed[1] if parsed is not None else "")
    matches = hmac.compare_digest(expected, given)
    now = timezone.now()
    if key is None or not matches or api_key_status(key, now=now) != "active":
        return None
    if not key.organization.active:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
        key.last_used_at = now
    return key


def api_key_status(key: ApiKey, *, now: dt.datetime | None = None) -> str:
    """ "active", "expired" or "revoked" (a revoked key stays revoked once expired)."""
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


@transaction.atomic
def api_key_revoke(key: ApiKey, *, by: User, ip: str = "", path: str = "") -> None:
    """Revoke a key for good: from now on it authenticates nothing. Revoking a revoked key
    changes nothing and records nothing."""
    updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    if updated:
        audit_record(
            actor=by,
            ip=ip,
            path=path,
            action=AuditAction.UPDATE,
            obj=key,
            detail={**_key_detail(key), "revoked": True},
        )


def _key_detail(key: ApiKey) -> dict:
    return {
        "api_key": key.pk,
        "key_name": key.name,
        "organization": key.organization.dictionary_code,
        "scope": key.scope,
        "prefix": key.prefix,
    }


@dataclass(frozen=True)
class _KeyActor:
    """audit_record's actor for a call made with a key: no account (pk None), and the key
    named where a staff member's username goes."""

    username: str
    pk: None = None


def api_call_audit(
    key: ApiKey | None,
    *,
    action: str,
    outcome: str,
    ip: str,
    path: str,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict | None = None,
) -> AuditEvent:
    """One audit-log line for one API call. Who is the key ("api key <prefix>") and its
    organization; a call without a valid key (key None) is anonymous."""
    actor = _KeyActor(username=f"api key {key.prefix}") if key is not None else None
    who = (
        {
            "api_key": key.pk,
            "key_name": key.name,
            "organization": key.organization.dictionary_code,
        }
        if key is not None
        else {}
    )
    return audit_record(
        actor=actor,
        ip=ip,
        path=path,
        action=action,
        outcome=outcome or AuditOutcome.SUCCESS,
        object_type=object_type,
        object_id=object_id,
        detail={**(detail or {}), **who},
    )


def api_keys_listed() -> QuerySet[ApiKey]:
    """Every key, newest first, with its organization (the staff list)."""
    return ApiKey.objects.select_related("organization", "created_by", "revoked_by")
