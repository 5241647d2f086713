"""Writes the training coordinator makes: event edits and copies, attendance, the waitlist,
messages to registrants and cancelling an event.

Every change to an event goes through services.event_touch, so calendar subscribers see a
higher iCalendar SEQUENCE. Emails go through the outbox (core.outbox) with a key per
recipient, so submitting the same message (or the same cancellation) twice sends nothing
twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.audit import AuditAction, audit_record
from core.outbox import outbox_enqueue
from training.emails import cancel_attachment, email_context
from training.models import (
    SEAT_STATUSES,
    Event,
    EventDocument,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from training.services import (
    RegistrationError,
    event_touch,
    seats_taken,
    waitlist_move,
    waitlist_promote,
)

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)

# Fields a copy takes from the original; the date, registrations and documents are new.
COPIED_FIELDS = (
    "title",
    "slug",
    "kind",
    "audiences",
    "program_area_id",
    "host_id",
    "ce_category",
    "venue_name",
    "address",
    "virtual_url",
    "capacity",
    "agency_seat_cap",
    "registration_required",
    "published",
    "description",
)

# Who hears from the coordinator: everyone holding a seat or waiting for one.
MESSAGE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def events_for_coordinator(*, user) -> QuerySet[Event]:
    """The events a training coordinator manages: all of them."""
    return Event.objects.all()


def event_create(*, values: dict[str, Any]) -> Event:
    event = Event(**values)
    event.save()
    return event


def event_update(*, event_id: int, changes: dict[str, Any]) -> tuple[Event, list[Registration]]:
    """Apply changed fields, raise the SEQUENCE, and fill seats a larger capacity frees.

    The event row stays locked from reading the old capacity to promoting from the
    waitlist, so a registration arriving meanwhile cannot take the same seat. Returns the
    event and whoever was promoted.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        if not changes:
            return event, []
        for name, value in changes.items():
            setattr(event, name, value)
        event_touch(event=event, fields=list(changes))
        seats_may_have_freed = {"capacity", "agency_seat_cap", "status"} & set(changes)
        if (
            seats_may_have_freed
            and event.status == EventStatus.SCHEDULED
            and event.starts_at > timezone.now()
        ):
            return event, waitlist_promote(event=event)
    return event, []


def event_copy(*, event_id: int, starts_at: dt.datetime, title: str = "") -> Event:
    """A new event with the original's details on a new date, with no registrations.

    The end time and the registration window move by the same amount as the start.
    """
    original = Event.objects.get(pk=event_id)
    shift = starts_at - original.starts_at
    copied = {name: getattr(original, name) for name in COPIED_FIELDS}
    if title:
        copied["title"] = title
    copy = Event(
        **copied,
        starts_at=starts_at,
        ends_at=original.ends_at + shift,
        registration_opens_at=original.registration_opens_at
        and original.registration_opens_at + shift,
        registration_closes_at=original.registration_closes_at
        and original.registration_closes_at + shift,
        status=EventStatus.SCHEDULED,
    )
    copy.audiences = list(original.audiences)
    copy.save()
    return copy


def event_document_add(*, event: Event, title: str, kind: str, file) -> EventDocument:
    return EventDocument.objects.create(event=event, title=title, kind=kind, file=file)


def event_document_delete(*, document: EventDocument) -> None:
    document.file.delete(save=False)
    document.delete()


# --- Attendance ------------------------------------------------------------------------


def check_in_opens_at(event: Event) -> dt.datetime:
    """When the door opens: TRAINING_CHECK_IN_OPENS_MINUTES before the start."""
    return event.starts_at - dt.timedelta(minutes=settings.TRAINING_CHECK_IN_OPENS_MINUTES)


def check_in_refusal(event: Event, *, now: dt.datetime | None = None) -> RegistrationError | None:
    """Why nobody can check in (or be added at the door) now, or None while the door is open.

    Check-in is open from check_in_opens_at to the end of the event, so nobody is marked
    attended, and earns credit hours, weeks before a training takes place.
    """
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return RegistrationError("cancelled", "This event is cancelled, so nobody can check in.")
    opens = check_in_opens_at(event)
    if now < opens:
        local = timezone.localtime(opens)
        return RegistrationError(
            "check_in_not_open",
            f"Check-in opens on {local:%A, %B %-d at %-I:%M %p}, "
            f"{settings.TRAINING_CHECK_IN_OPENS_MINUTES} minutes before the event starts.",
        )
    if now > event.ends_at:
        local = timezone.localtime(event.ends_at)
        return RegistrationError(
            "check_in_closed",
            f"Check-in closed when the event ended, on {local:%A, %B %-d at %-I:%M %p}. "
            "Record attendance on the roster instead.",
        )
    return None


def _check_in_audit(
    registration: Registration,
    *,
    change: str,
    by: User,
    ip: str,
    path: str,
    action: str = AuditAction.UPDATE,
    **more,
) -> None:
    audit_record(
        actor=by,
        ip=ip,
        path=path,
        action=action,
        obj=registration,
        detail={"change": change, "event_id": registration.event_id, **more},
    )


def registration_check_in(
    *, registration_id: int, by: User, ip: str = "", path: str = ""
) -> Registration:
    """Mark someone holding a seat as attended, with the time they checked in.

    Refused outside the check-in window (check_in_refusal). Checking in twice keeps the
    first time.
    """
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration_id)
        )
        refusal = check_in_refusal(registration.event)
        if refusal:
            raise refusal
        if registration.status not in SEAT_STATUSES:
            raise RegistrationError(
                "no_seat",
                f"{registration.name} is {registration.get_status_display().lower()}, "
                "so there is no seat to check in to.",
            )
        if registration.status == RegistrationStatus.ATTENDED and registration.checked_in_at:
            return registration
        registration.status = RegistrationStatus.ATTENDED
        registration.checked_in_at = timezone.now()
        registration.save(update_fields=["status", "checked_in_at", "updated_at"])
        _check_in_audit(registration, change="checked in", by=by, ip=ip, path=path)
    return registration


def event_is_full(event: Event) -> bool:
    """Every seat is taken (or more: walk-ins let in over capacity)."""
    return event.capacity is not None and seats_taken(event) >= event.capacity


@dataclass(frozen=True)
class WalkIn:
    name: str
    email: str
    agency_name: str
    agency_id: int | None = None
    state: str = ""
    over_capacity_reason: str = ""


def registration_walk_in(
    *, event_id: int, person: WalkIn, by: User, ip: str = "", path: str = ""
) -> Registration:
    """Register someone who came without registering, and check them in, in one step.

    A walk-in takes a seat like anyone else. When every seat is taken they are let in only
    with an over_capacity_reason, which is kept on the registration and in the audit log.
    The event row stays locked from counting the seats to adding the person (as in
    services.registration_create), so two people added at once cannot both take the last
    seat unnoticed.
    """
    email = person.email.strip().lower()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        refusal = check_in_refusal(event)
        if refusal:
            raise refusal
        existing = (
            event.registrations.exclude(status=RegistrationStatus.CANCELLED)
            .filter(email=email)
            .first()
        )
        if existing is not None:
            raise RegistrationError(
                "duplicate",
                f"{existing.name} is already registered with this email address "
                f"({existing.get_status_display().lower()}). Find them in the list instead.",
            )
        taken = seats_taken(event)
        full = event_is_full(event)
        if full and not person.over_capacity_reason:
            raise RegistrationError(
                "full",
                f"Every seat is taken ({taken} of {event.capacity}). To let "
                f"{person.name.strip()} in anyway, choose why they may go over capacity.",
            )
        registration = Registration(
            event=event,
            name=person.name.strip(),
            email=email,
            agency_id=person.agency_id,
            agency_name=person.agency_name.strip(),
            state=person.state,
            status=RegistrationStatus.ATTENDED,
            checked_in_at=timezone.now(),
            walk_in=True,
            over_capacity_reason=person.over_capacity_reason if full else "",
        )
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            raise RegistrationError(
                "duplicate", "This email address is already registered for this event."
            ) from None
        _check_in_audit(
            registration,
            change="walk-in registered and checked in",
            action=AuditAction.CREATE,
            by=by,
            ip=ip,
            path=path,
            seats_taken_before=taken,
            capacity=event.capacity,
            over_capacity_reason=registration.over_capacity_reason,
        )
    return registration


def registration_check_in_undo(
    *, registration_id: int, by: User, ip: str = "", path: str = ""
) -> Registration:
    """Take back a check-in made by mistake, and the credit hours and certificate it gave.

    Someone who registered goes back to "not marked yet" with their seat; a walk-in, who
    had no registration before the door, is cancelled, which frees the seat. A certificate
    already issued stays on record but no longer verifies (certificates.certificate_is_current).
    Allowed at any time, not only while check-in is open: it corrects a record, as the
    roster's attendance form does.
    """
    with transaction.atomic():
        registration = Registration.objects.get(pk=registration_id)
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.status != RegistrationStatus.ATTENDED:
            raise RegistrationError(
                "not_checked_in",
                f"{registration.name} is not checked in, so there is nothing to undo.",
            )
        checked_in_at = registration.checked_in_at
        registration.status = (
            RegistrationStatus.CANCELLED if registration.walk_in else RegistrationStatus.CONFIRMED
        )
        registration.checked_in_at = None
        registration.minutes_attended = None
        if registration.walk_in:
            registration.cancelled_at = timezone.now()
        registration.save(
            update_fields=[
                "status",
                "checked_in_at",
                "minutes_attended",
                "cancelled_at",
                "updated_at",
            ]
        )
        _check_in_audit(
            registration,
            change="check-in undone",
            by=by,
            ip=ip,
            path=path,
            checked_in_at=checked_in_at.isoformat() if checked_in_at else None,
            walk_in=registration.walk_in,
        )
        if (
            registration.walk_in
            and event.status == EventStatus.SCHEDULED
            and event.starts_at > timezone.now()
        ):
            waitlist_promote(event=event)  # the walk-in's seat is free again, as on a cancel
    return registration


def registration_attendance_set(
    *,
    registration_id: int,
    status: str,
    minutes_attended: int | None,
    is_instructor: bool,
) -> Registration:
    """Record attendance: attended or no-show (or back to confirmed), minutes, instructor.

    A no-show or a reset clears the check-in time; minutes apply only to attendance.
    """
    allowed = (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.NO_SHOW,
    )
    if status not in allowed:
        raise ValueError(f"Attendance cannot be set to {status!r}.")
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if registration.status not in SEAT_STATUSES:
            raise RegistrationError(
                "no_seat",
                f"{registration.name} is {registration.get_status_display().lower()}, "
                "so attendance cannot be recorded.",
            )
        registration.status = status
        registration.is_instructor = is_instructor
        if status == RegistrationStatus.ATTENDED:
            registration.minutes_attended = minutes_attended
        else:
            registration.minutes_attended = None
            registration.checked_in_at = None
        registration.save(
            update_fields=[
                "status",
                "is_instructor",
                "minutes_attended",
                "checked_in_at",
                "updated_at",
            ]
        )
    return registration


# --- Waitlist --------------------------------------------------------------------------


def waitlist_reorder(
    *,
    registration_id: int,
    position: int,
    reason: str,
    by: User,
    ip: str = "",
    path: str = "",
) -> Registration:
    """Move a waitlisted registration to a position, recording who did it (by, from ip and
    path) and why."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required to reorder the waitlist.")
    with transaction.atomic():
        before = Registration.objects.get(pk=registration_id).waitlist_position
        waitlist_move(registration_id=registration_id, position=position)
        registration = Registration.objects.get(pk=registration_id)
        audit_record(
            actor=by,
            ip=ip,
            path=path,
            action=AuditAction.UPDATE,
            obj=registration,
            detail={
                "reason": reason,
                "change": "waitlist position",
                "event_id": registration.event_id,
                "from": before,
                "to": registration.waitlist_position,
            },
        )
    return registration


# --- Emails to registrants -------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    queued: int
    already_sent: int


def _queue_each(
    *, registrations, key: str, template: str, subject: str, context: dict, attachments=()
) -> SendResult:
    """One outbox email per registrant, all in one transaction; each key at most once."""
    queued = already = 0
    with transaction.atomic():
        for registration in registrations:
            added = outbox_enqueue(
                key=f"{key}:{registration.pk}",
                template=f"training/{template}",
                to=registration.email,
                subject=subject,
                context={**email_context(registration, with_cancel_link=False), **context},
                attachments=attachments,
            )
            queued += added
            already += not added
    return SendResult(queued=queued, already_sent=already)


def event_message_send(
    *, event_id: int, message_id: uuid.UUID | str, subject: str, body: str
) -> SendResult:
    """Email confirmed and waitlisted registrants, each at most once per message id.

    Sending the same message id again sends only to those who did not get it yet
    (someone who registered since).
    """
    event = Event.objects.get(pk=event_id)
    registrations = (
        event.registrations.filter(status__in=MESSAGE_STATUSES)
        .select_related("event")
        .order_by("pk")
    )
    return _queue_each(
        registrations=registrations,
        key=f"training-message:{uuid.UUID(str(message_id))}",
        template="message",
        subject=subject,
        context={"body": body},
    )


def event_cancel(*, event_id: int, note: str = "") -> tuple[Event, SendResult]:
    """Cancel an event and tell every registrant once; the registrations stay as they are.

    Cancelling an event that is already cancelled changes nothing and only tells those
    who were not told yet. The emails are written in the transaction that cancels.
    """
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        if event.status != EventStatus.CANCELLED:
            event.status = EventStatus.CANCELLED
            event_touch(event=event, fields=["status"])
        registrations = (
            event.registrations.exclude(status=RegistrationStatus.CANCELLED)
            .select_related("event")
            .order_by("pk")
        )
        result = _queue_each(
            registrations=registrations,
            key=f"training-event-cancelled:{event.pk}",
            template="event_cancelled",
            subject=f"Cancelled: {event.title}",
            context={"note": note},
            attachments=[cancel_attachment(event)],
        )
    return event, result
