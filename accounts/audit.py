"""The one small API every app uses to write the audit log.

    audit_record(request=request, action=AuditAction.VIEW, obj=encounter)
    audit_record(actor=by, ip=ip, path=path, action=AuditAction.UPDATE, obj=encounter)
    audit_denied(request, obj_type="peersupport.supportrequest", obj_id=pk)

Views and middleware pass the request. Services never see it: they take the acting user,
the client's address and the page's path as plain values (the view works them out with
accounts.network.client_ip(request) and request.path) and pass them on as actor=, ip=
and path=.

The actions to record (AuditAction) are imported from here too.

Models that hold confidential data are declared with @confidential: besides the reads and
writes the app records through this API, a database trigger (django-pghistory) captures
every insert, update and delete, so bulk updates and raw SQL are not missed.
"""

import logging

import pghistory
from django.db import models
from django.http import HttpRequest

from accounts.models import AuditAction, AuditEvent, AuditOutcome
from accounts.network import client_ip, loggable_path

log = logging.getLogger(__name__)

CONFIDENTIAL_MODELS: set[type[models.Model]] = set()


def confidential(model: type[models.Model] | None = None, *, exclude: tuple[str, ...] = ()):
    """Mark a model confidential and capture its writes at the database level.

    Use as @confidential, or @confidential(exclude=(...)) to keep fields such as contact
    details out of the history (so purging them from the row purges them everywhere).
    """

    def decorate(model: type[models.Model]) -> type[models.Model]:
        options = {"exclude": list(exclude)} if exclude else {}
        tracked = pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            obj_field=pghistory.ObjForeignKey(related_name="history", db_constraint=False),
            **options,
        )(model)
        CONFIDENTIAL_MODELS.add(tracked)
        return tracked

    return decorate(model) if model is not None else decorate


def is_confidential(model: type[models.Model]) -> bool:
    return model in CONFIDENTIAL_MODELS


def _object_type(obj: models.Model | type[models.Model] | str | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    return obj._meta.label_lower


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor=None,
    ip: str = "",
    path: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = AuditOutcome.SUCCESS,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event. The actor, the client's address and the path default to the
    request's signed-in user, address and path; without a request they are what is given."""
    if request is not None:
        if actor is None:
            user = getattr(request, "user", None)
            actor = user if user is not None and user.is_authenticated else None
        ip = ip or client_ip(request)
        path = path or request.path
    event = AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "username", "") or (detail or {}).get("username", ""),
        action=action,
        outcome=outcome,
        object_type=object_type or _object_type(obj),
        object_id=str(object_id or getattr(obj, "pk", "") or ""),
        ip_address=ip or None,
        path=loggable_path(path) if path else "",
        detail=detail or {},
    )
    if outcome != AuditOutcome.SUCCESS:
        log.info("audit: %s %s %s", action, outcome, event.object_type)
    return event


def audit_read(request: HttpRequest, obj: models.Model) -> AuditEvent:
    return audit_record(request=request, action=AuditAction.VIEW, obj=obj)


def audit_refused_input(request: HttpRequest) -> None:
    """core.boundary's hook: a signed-in person's request refused for unusable characters."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    audit_record(
        request=request,
        action=AuditAction.PERMISSION_DENIED,
        outcome=AuditOutcome.DENIED,
        detail={"reason": "unusable characters in the request"},
    )


def audit_denied(request: HttpRequest, *, object_type: str = "", object_id="") -> AuditEvent:
    request._audit_denied_recorded = True  # permission_denied (the 403 handler) adds no second
    return audit_record(
        request=request,
        action=AuditAction.PERMISSION_DENIED,
        outcome=AuditOutcome.DENIED,
        object_type=object_type,
        object_id=object_id,
    )


def audit_denied_once(request: HttpRequest, *, object_type: str = "") -> None:
    """Record a refusal unless this request's refusal is already on record."""
    if not getattr(request, "_audit_denied_recorded", False):
        audit_denied(request, object_type=object_type)
