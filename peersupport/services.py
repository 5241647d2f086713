"""Writes for peer support: submission, the status workflow, assignment, activity, purge.

The workflow is one table (TRANSITIONS): who may move a request from which status to
which. Every change is recorded (StatusChange) and audited; anything else is refused.
A team member answers only an offered assignment on a request still in progress, acts on a
request only once they have accepted it, and logs activity only after contact is made
(LOGGABLE_STATUSES). These rules refuse with TransitionError, whose message the member's
pages show as it is.

Declining is the one move with its own service (request_decline): it needs a reason, and
it records who declined, when and from which status, so that a coordinator can undo it
with request_reopen within PEER_SUPPORT_DECLINE_REOPEN_HOURS. Every move locks the
request's row (select_for_update) and checks its status again under the lock, so two
coordinators acting at once cannot both move it.

A write takes the acting user (by) and, for the audit log, the client's address (ip) and
the page it was made from (path): plain values the view works out from its request. Called
outside a request (a command, a test), ip and path stay empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.audit import AuditAction, audit_record
from peersupport import notifications
from peersupport.models import (
    CONTACT_FIELDS,
    Activity,
    Assignment,
    AssignmentStatus,
    DeclineReason,
    RequestStatus,
    StatusChange,
    SupportRequest,
    TeamMember,
)

if TYPE_CHECKING:
    from accounts.models import Organization, User

S = RequestStatus
COORDINATOR, MEMBER = "coordinator", "member"

# (from, to) → who may make that move.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (S.NEW, S.APPROVED): {COORDINATOR},
    (S.NEW, S.DECLINED): {COORDINATOR},
    (S.NEW, S.ASSIGNED): {COORDINATOR},
    (S.AWAITING_APPROVAL, S.APPROVED): {COORDINATOR},
    (S.AWAITING_APPROVAL, S.DECLINED): {COORDINATOR},
    (S.APPROVED, S.ASSIGNED): {COORDINATOR},
    (S.APPROVED, S.DECLINED): {COORDINATOR},
    (S.ASSIGNED, S.CONTACTED): {COORDINATOR, MEMBER},
    (S.CONTACTED, S.COMPLETED): {COORDINATOR, MEMBER},
    (S.COMPLETED, S.CLOSED): {COORDINATOR, MEMBER},
    (S.DECLINED, S.CLOSED): {COORDINATOR},
    (S.ASSIGNED, S.CLOSED): {COORDINATOR},
    (S.CONTACTED, S.CLOSED): {COORDINATOR},
}

# Activity is logged once contact is made, and may follow a completed request (follow-up).
LOGGABLE_STATUSES = (S.CONTACTED, S.COMPLETED)
FINISHED_STATUSES = (S.CLOSED, S.DECLINED)

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"


class TransitionError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- What a team member may do (the member's pages ask these too, to explain a refusal) ---


def response_refusal(assignment: Assignment) -> str:
    """Why the member cannot accept or decline this assignment now, or ""."""
    if assignment.status == AssignmentStatus.ACCEPTED:
        return "You have already accepted this request."
    if assignment.request.status in FINISHED_STATUSES:
        return (
            f"This request is {assignment.request.get_status_display().lower()}; "
            "there is nothing to accept or decline."
        )
    return ""


def acting_refusal(assignment: Assignment | None) -> str:
    """Why the member cannot act on the request (contact, complete, close, log), or ""."""
    if assignment is None or assignment.status != AssignmentStatus.ACCEPTED:
        return "Accept the request first: only the member who accepted it can act on it."
    return ""


def activity_refusal(assignment: Assignment | None) -> str:
    """Why the member cannot log activity on the request now, or ""."""
    refusal = acting_refusal(assignment)
    if refusal:
        return refusal
    current = assignment.request.status
    if current == S.ASSIGNED:
        return "Record that contact was made before logging activity."
    if current not in LOGGABLE_STATUSES:
        return (
            f"This request is {assignment.request.get_status_display().lower()}; "
            "no more activity can be logged on it."
        )
    return ""


def _assignment_of(support_request: SupportRequest, **member) -> Assignment | None:
    """The assignment of one member (member=… or member__user=…) to a locked request."""
    assignment = Assignment.objects.filter(request=support_request, **member).first()
    if assignment is not None:
        assignment.request = support_request
    return assignment


def allowed_transitions(status: str, actor_role: str) -> list[str]:
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == status and actor_role in roles]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_reference() -> str:
    while True:
        code = "PS-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not SupportRequest.objects.filter(reference=code).exists():
            return code


@dataclass(frozen=True)
class RequestData:
    request_type: str
    incident_kind: str
    incident_date: dt.date
    requester_role: str
    agency: Organization | None
    outside_agency_name: str
    people_affected: int
    urgency: str
    contact_name: str
    contact_method: str
    contact_phone: str
    contact_email: str
    best_time: str


def request_submit(
    *, data: RequestData, ip: str = "", path: str = ""
) -> tuple[SupportRequest, str]:
    """Save a request from the public form (nobody signed in); returns it and the private
    status token.

    Requests from outside the MARC region wait for a coordinator's approval.
    """
    outside = data.agency is None or not data.agency.in_region
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        support_request = SupportRequest.objects.create(
            reference=_new_reference(),
            status_token_hash=token_hash(token),
            request_type=data.request_type,
            incident_kind=data.incident_kind,
            incident_date=data.incident_date,
            requester_role=data.requester_role.strip(),
            agency=None if outside else data.agency,
            outside_region=outside,
            outside_agency_name=(
                (data.outside_agency_name.strip() or str(data.agency or "")) if outside else ""
            ),
            people_affected=data.people_affected,
            urgency=data.urgency,
            contact_name=data.contact_name.strip(),
            contact_method=data.contact_method,
            contact_phone=data.contact_phone.strip(),
            contact_email=data.contact_email.strip().lower(),
            best_time=data.best_time.strip(),
            status=S.AWAITING_APPROVAL if outside else S.NEW,
        )
        StatusChange.objects.create(request=support_request, to_status=support_request.status)
        audit_record(ip=ip, path=path, action=AuditAction.CREATE, obj=support_request)
        _notify_coordinators(support_request)
    return support_request, token


def request_by_token(token: str) -> SupportRequest | None:
    return SupportRequest.objects.filter(status_token_hash=token_hash(token)).first()


def request_transition(
    *,
    support_request: SupportRequest,
    to_status: str,
    by: User,
    actor_role: str,
    ip: str = "",
    path: str = "",
) -> SupportRequest:
    """Move a request to another status if the workflow allows it for this actor; a member
    (by) only on a request they have accepted."""
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
        if actor_role == MEMBER:
            refusal = acting_refusal(_assignment_of(locked, member__user=by))
            if refusal:
                raise TransitionError(refusal)
        roles = TRANSITIONS.get((locked.status, to_status), set())
        if actor_role not in roles:
            raise TransitionError(
                f"A request that is {locked.get_status_display().lower()} cannot be moved to "
                f"“{RequestStatus(to_status).label.lower()}” by a {actor_role}."
            )
        if to_status == S.ASSIGNED and locked.outside_region and locked.status != S.APPROVED:
            raise TransitionError("Requests from outside the region must be approved first.")
        if to_status == S.COMPLETED and actor_role == MEMBER and not locked.activities.exists():
            raise TransitionError("Log at least one activity before marking the request completed.")
        if to_status == S.DECLINED:
            raise TransitionError("Choose a reason to decline the request.")
        now = timezone.now()
        fields = []
        if to_status == S.CONTACTED and locked.first_contact_at is None:
            locked.first_contact_at = now
            fields.append("first_contact_at")
        if to_status == S.CLOSED:
            locked.closed_at = now
            fields.append("closed_at")
        _move(locked, to_status=to_status, fields=fields, by=by, ip=ip, path=path)
    return locked


def _move(
    locked: SupportRequest,
    *,
    to_status: str,
    fields: list[str],
    by: User,
    ip: str,
    path: str,
    detail: dict | None = None,
) -> None:
    """Save a locked request in its new status (and the other fields already set on it),
    and record the change: a StatusChange row and an audit event."""
    previous = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at", *fields])
    StatusChange.objects.create(request=locked, from_status=previous, to_status=to_status, by=by)
    audit_record(
        actor=by,
        ip=ip,
        path=path,
        action=AuditAction.UPDATE,
        obj=locked,
        detail={"status": [previous, to_status], **(detail or {})},
    )


DECLINE_FIELDS = ["decline_reason", "declined_from", "declined_by", "declined_at"]


def request_decline(
    *, support_request: SupportRequest, reason: str, by: User, ip: str = "", path: str = ""
) -> SupportRequest:
    """A coordinator declines a request, with one of the DeclineReason choices; who, when,
    why and the status it leaves are kept, so that request_reopen can undo it."""
    if reason not in DeclineReason.values:
        raise TransitionError("Choose a reason to decline the request.")
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
        if COORDINATOR not in TRANSITIONS.get((locked.status, S.DECLINED), set()):
            raise TransitionError(
                f"A request that is {locked.get_status_display().lower()} cannot be declined."
            )
        locked.decline_reason = reason
        locked.declined_from = locked.status
        locked.declined_by = by
        locked.declined_at = timezone.now()
        _move(
            locked,
            to_status=S.DECLINED,
            fields=DECLINE_FIELDS,
            by=by,
            ip=ip,
            path=path,
            detail={"decline_reason": reason},
        )
    return locked


def reopen_deadline(support_request: SupportRequest) -> dt.datetime | None:
    """Until when a declined request can be reopened, or None if it was never declined."""
    if support_request.declined_at is None:
        return None
    hours = settings.PEER_SUPPORT_DECLINE_REOPEN_HOURS
    return support_request.declined_at + dt.timedelta(hours=hours)


def reopen_refusal(support_request: SupportRequest, *, now: dt.datetime | None = None) -> str:
    """Why a coordinator cannot reopen the request now, or "" (the detail page asks too)."""
    if support_request.status != S.DECLINED:
        return (
            f"This request is {support_request.get_status_display().lower()}, not declined: "
            "there is nothing to reopen."
        )
    deadline = reopen_deadline(support_request)
    if deadline is None or not support_request.declined_from:
        return (
            "This request was declined before declines could be undone, so it cannot be "
            "reopened. If the person still needs support, they can send a new request."
        )
    if (now or timezone.now()) > deadline:
        declined_at = date_format(timezone.localtime(support_request.declined_at), "M j, Y g:i A")
        return (
            f"A declined request can be reopened for "
            f"{settings.PEER_SUPPORT_DECLINE_REOPEN_HOURS} hours; this one was declined on "
            f"{declined_at}, so it cannot be reopened. If the person still needs support, "
            "they can send a new request."
        )
    return ""


def request_reopen(
    *, support_request: SupportRequest, by: User, ip: str = "", path: str = ""
) -> SupportRequest:
    """Undo a decline within PEER_SUPPORT_DECLINE_REOPEN_HOURS: the request goes back to the
    status it was declined from, and its decline record is cleared (the audit log and the
    status history keep it)."""
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
        refusal = reopen_refusal(locked)
        if refusal:
            raise TransitionError(refusal)
        to_status = locked.declined_from
        reason = locked.decline_reason
        locked.decline_reason = locked.declined_from = ""
        locked.declined_by = locked.declined_at = None
        _move(
            locked,
            to_status=to_status,
            fields=DECLINE_FIELDS,
            by=by,
            ip=ip,
            path=path,
            detail={"reopened": True, "decline_reason": reason},
        )
    return locked


def request_assign(
    *,
    support_request: SupportRequest,
    members: list[TeamMember],
    by: User,
    ip: str = "",
    path: str = "",
) -> list[Assignment]:
    """Assign members (at least one); the request moves to assigned; assignees are emailed."""
    if not members:
        raise TransitionError("Choose at least one team member.")
    not_ready = [m for m in members if not m.assignable]
    if not_ready:
        raise TransitionError(
            f"{not_ready[0]} cannot be assigned: members must be active with 40 or more "
            "training hours."
        )
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
        if locked.status in (S.NEW, S.APPROVED):
            request_transition(
                support_request=locked,
                to_status=S.ASSIGNED,
                by=by,
                actor_role=COORDINATOR,
                ip=ip,
                path=path,
            )
        elif locked.status != S.ASSIGNED:
            raise TransitionError(
                f"A request that is {locked.get_status_display().lower()} cannot be assigned."
            )
        created = []
        for member in members:
            assignment, made = Assignment.objects.get_or_create(
                request=locked, member=member, defaults={"assigned_by": by}
            )
            if made:
                created.append(assignment)
                _notify_assignee(assignment)
        audit_record(
            actor=by,
            ip=ip,
            path=path,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={"assigned_members": [m.pk for m in members]},
        )
    return created


def assignment_respond(
    *, assignment: Assignment, accept: bool, by: User, ip: str = "", path: str = ""
) -> Assignment:
    """The member accepts or declines an assignment; refused once accepted, and on a
    request that is closed or declined."""
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=assignment.request_id)
        current = Assignment.objects.select_for_update().get(pk=assignment.pk)
        current.request = locked
        refusal = response_refusal(current)
        if refusal:
            raise TransitionError(refusal)
        assignment.status = AssignmentStatus.ACCEPTED if accept else AssignmentStatus.DECLINED
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["status", "responded_at"])
        audit_record(
            actor=by,
            ip=ip,
            path=path,
            action=AuditAction.UPDATE,
            obj=locked,
            detail={"assignment": assignment.pk, "response": assignment.status},
        )
    return assignment


def member_on_call_set(
    *, member: TeamMember, on_call: bool, by: User, ip: str = "", path: str = ""
) -> TeamMember:
    """A member switches their own on-call flag; an inactive member cannot go on call."""
    if on_call and not member.active:
        raise TransitionError("An inactive member cannot go on call.")
    if member.on_call != on_call:
        member.on_call = on_call
        member.save(update_fields=["on_call", "updated_at"])
        audit_record(
            actor=by,
            ip=ip,
            path=path,
            action=AuditAction.UPDATE,
            obj=member,
            detail={"on_call": on_call},
        )
    return member


def activity_log(
    *,
    support_request: SupportRequest,
    member: TeamMember,
    date: dt.date,
    service_type: str,
    people_reached: int,
    hours,
    follow_up_needed: bool,
    by: User,
    actor_role: str = COORDINATOR,
    ip: str = "",
    path: str = "",
) -> Activity:
    """Record what a member did for a request. A member logging their own activity
    (actor_role=MEMBER) must have accepted the request, and contact must have been made
    (activity_refusal); a coordinator may record a member's activity at any time."""
    with transaction.atomic():
        locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
        if actor_role == MEMBER:
            refusal = activity_refusal(_assignment_of(locked, member=member))
            if refusal:
                raise TransitionError(refusal)
        activity = Activity.objects.create(
            request=locked,
            member=member,
            date=date,
            service_type=service_type,
            people_reached=people_reached,
            hours=hours,
            follow_up_needed=follow_up_needed,
        )
        audit_record(actor=by, ip=ip, path=path, action=AuditAction.CREATE, obj=activity)
    return activity


def confidentiality_exception_set(
    *, support_request: SupportRequest, applied: bool, by: User, ip: str = "", path: str = ""
) -> None:
    support_request.confidentiality_exception = applied
    support_request.save(update_fields=["confidentiality_exception", "updated_at"])
    audit_record(
        actor=by,
        ip=ip,
        path=path,
        action=AuditAction.UPDATE,
        obj=support_request,
        detail={"confidentiality_exception": applied},
    )


def contact_details_purge(*, now: dt.datetime | None = None) -> int:
    """Blank the contact details of requests closed more than PEER_SUPPORT_PURGE_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.PEER_SUPPORT_PURGE_DAYS)
    due = SupportRequest.objects.filter(
        status=S.CLOSED, closed_at__lte=cutoff, contact_purged_at__isnull=True
    )
    blank = {field: "" for field in CONTACT_FIELDS}
    with transaction.atomic():
        ids = list(due.select_for_update().values_list("pk", flat=True))
        SupportRequest.objects.filter(pk__in=ids).update(contact_purged_at=now, **blank)
        for pk in ids:
            audit_record(
                action=AuditAction.UPDATE,
                object_type="peersupport.supportrequest",
                object_id=pk,
                detail={"contact_details": "purged"},
            )
    return len(ids)


def _notify_coordinators(support_request: SupportRequest) -> None:
    notifications.coordinators_notify(support_request=support_request)


def _notify_assignee(assignment: Assignment) -> None:
    notifications.assignee_notify(assignment=assignment)
