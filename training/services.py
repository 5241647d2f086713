"""Writes for the training calendar: events, series, registrations, the waitlist, and the
emailed link to a person's training history.

Capacity is enforced by locking the event row (SELECT … FOR UPDATE) for the length of the
transaction that counts its seats and adds a registration, so concurrent registrations for
the last seats queue up behind each other and never oversell.
"""

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass

from dateutil.rrule import rrulestr
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxEmail
from core.outbox import outbox_enqueue
from core.urls import absolute_url
from training.emails import registration_email_queue
from training.links import history_link_create
from training.models import (
    SEAT_STATUSES,
    Event,
    EventSeries,
    EventStatus,
    Registration,
    RegistrationStatus,
)

log = logging.getLogger(__name__)

HISTORY_LINK_MAX_AGE = dt.timedelta(hours=24)
# At most one link per address in this many seconds, however many times (and from however
# many networks) the form is sent: nobody can flood a stranger's inbox through it.
HISTORY_LINK_WINDOW_SECONDS = 5 * 60
HISTORY_LINK_SUBJECT = "Your MARC training history link"


class RegistrationError(Exception):
    """A registration refused for a reason the person can act on."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RegistrationData:
    name: str
    email: str
    agency_name: str
    role: str
    state: str
    accessibility_needs: str = ""
    agency_id: int | None = None


def registration_refusal(
    event: Event, *, now: dt.datetime | None = None
) -> RegistrationError | None:
    """Why nobody can register for this event now, or None if registration is open."""
    now = now or timezone.now()
    if not event.published or not event.registration_required:
        return RegistrationError("closed", "This event does not take registrations on the portal.")
    if event.status == EventStatus.CANCELLED:
        return RegistrationError(
            "cancelled", "This event was cancelled, so registration is closed."
        )
    if event.status == EventStatus.POSTPONED:
        return RegistrationError(
            "postponed", "This event is postponed; registration reopens when it has a new date."
        )
    if event.starts_at <= now:
        return RegistrationError("past", "This event has already started or taken place.")
    if event.registration_opens_at and now < event.registration_opens_at:
        opens = timezone.localtime(event.registration_opens_at)
        return RegistrationError(
            "not_open", f"Registration opens on {opens:%B %-d, %Y at %-I:%M %p}."
        )
    if event.registration_closes_at and now >= event.registration_closes_at:
        return RegistrationError("closed", "Registration for this event has closed.")
    return None


def seats_taken(event: Event) -> int:
    return event.registrations.filter(status__in=SEAT_STATUSES).count()


def _agency_seats(event: Event, *, agency_id: int | None, agency_name: str) -> int:
    same_agency = Q(agency_name__iexact=agency_name)
    if agency_id:
        same_agency |= Q(agency_id=agency_id)
    return event.registrations.filter(same_agency, status__in=SEAT_STATUSES).count()


def _next_waitlist_position(event: Event) -> int:
    top = event.registrations.aggregate(top=Max("waitlist_position"))["top"]
    return (top or 0) + 1


def registration_create(*, event_id: int, data: RegistrationData) -> Registration:
    """Register someone: a seat if one is free, otherwise a place on the waitlist."""
    email = data.email.strip().lower()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_id)
        refusal = registration_refusal(event)
        if refusal:
            raise refusal
        active = event.registrations.exclude(status=RegistrationStatus.CANCELLED)
        if active.filter(email=email).exists():
            raise RegistrationError(
                "duplicate",
                "This email address is already registered for this event. "
                "Check your inbox for the confirmation, which has a link to cancel.",
            )
        if event.agency_seat_cap and data.agency_name:
            taken = _agency_seats(event, agency_id=data.agency_id, agency_name=data.agency_name)
            if taken >= event.agency_seat_cap:
                raise RegistrationError(
                    "agency_cap",
                    f"{data.agency_name} already has {taken} of the {event.agency_seat_cap} "
                    "seats one agency may take. Ask your training coordinator about a swap.",
                )
        has_seat = event.capacity is None or seats_taken(event) < event.capacity
        registration = Registration(
            event=event,
            name=data.name.strip(),
            email=email,
            agency_id=data.agency_id,
            agency_name=data.agency_name.strip(),
            role=data.role.strip(),
            state=data.state,
            accessibility_needs=data.accessibility_needs.strip(),
            status=RegistrationStatus.CONFIRMED if has_seat else RegistrationStatus.WAITLISTED,
            waitlist_position=None if has_seat else _next_waitlist_position(event),
        )
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            raise RegistrationError(
                "duplicate", "This email address is already registered for this event."
            ) from None
        registration_email_queue(
            registration=registration, kind="confirmation" if has_seat else "waitlisted"
        )
    return registration


def registration_cancel(*, registration_id: int) -> Registration:
    """Cancel a registration; a freed seat goes to the first person on the waitlist."""
    with transaction.atomic():
        registration = Registration.objects.select_related("event").get(pk=registration_id)
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration.refresh_from_db()
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        freed_seat = registration.status in SEAT_STATUSES
        registration.status = RegistrationStatus.CANCELLED
        registration.waitlist_position = None
        registration.cancelled_at = timezone.now()
        registration.save(
            update_fields=["status", "waitlist_position", "cancelled_at", "updated_at"]
        )
        registration_email_queue(registration=registration, kind="cancelled")
        if (
            freed_seat
            and event.status == EventStatus.SCHEDULED
            and event.starts_at > timezone.now()
        ):
            waitlist_promote(event=event)
    return registration


SELF_CANCELLABLE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def registrant_may_cancel(registration: Registration, *, now: dt.datetime | None = None) -> bool:
    """The emailed link cancels only before the event starts and before attendance is taken,
    so an old link can never turn an attendance record into a cancellation."""
    now = now or timezone.now()
    return registration.status in SELF_CANCELLABLE and registration.event.starts_at > now


def registration_cancel_by_registrant(*, registration_id: int) -> Registration:
    """The registrant's own cancellation (the signed link); coordinators use
    registration_cancel, which has no time limit."""
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    if not registrant_may_cancel(registration):
        raise RegistrationError(
            "too_late",
            "This registration can no longer be cancelled online. Please contact the "
            "training coordinator.",
        )
    return registration_cancel(registration_id=registration_id)


def waitlist_promote(*, event: Event) -> list[Registration]:
    """Fill free seats from the head of the waitlist. Call with the event row locked."""
    promoted = []
    free = None if event.capacity is None else event.capacity - seats_taken(event)
    waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
        "waitlist_position", "created_at"
    )
    for candidate in waiting:
        if free is not None and free <= 0:
            break
        if event.agency_seat_cap and candidate.agency_name:
            taken = _agency_seats(
                event, agency_id=candidate.agency_id, agency_name=candidate.agency_name
            )
            if taken >= event.agency_seat_cap:
                continue
        candidate.status = RegistrationStatus.CONFIRMED
        candidate.waitlist_position = None
        candidate.promoted_at = timezone.now()
        candidate.save(update_fields=["status", "waitlist_position", "promoted_at", "updated_at"])
        registration_email_queue(registration=candidate, kind="promoted")
        promoted.append(candidate)
        if free is not None:
            free -= 1
    if promoted:
        _waitlist_renumber(event)
    return promoted


def _waitlist_renumber(event: Event) -> None:
    """Close the gaps promotions leave, so the waitlist always reads 1, 2, 3, …"""
    waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
        "waitlist_position", "created_at"
    )
    for index, registration in enumerate(waiting, start=1):
        if registration.waitlist_position != index:
            Registration.objects.filter(pk=registration.pk).update(waitlist_position=index)


def waitlist_move(*, registration_id: int, position: int) -> None:
    """Put a waitlisted registration at a 1-based position; the others shift to make room."""
    with transaction.atomic():
        registration = Registration.objects.get(pk=registration_id)
        Event.objects.select_for_update().get(pk=registration.event_id)
        waiting = list(
            Registration.objects.filter(
                event_id=registration.event_id, status=RegistrationStatus.WAITLISTED
            ).order_by("waitlist_position", "created_at")
        )
        if registration not in waiting:
            raise RegistrationError("not_waitlisted", "Only waitlisted registrations can be moved.")
        waiting.remove(registration)
        position = max(1, min(position, len(waiting) + 1))
        waiting.insert(position - 1, registration)
        for index, reg in enumerate(waiting, start=1):
            Registration.objects.filter(pk=reg.pk).update(waitlist_position=index)


def event_touch(*, event: Event, fields: list[str]) -> Event:
    """Save changed fields of an event and raise its iCalendar SEQUENCE."""
    event.sequence = F("sequence") + 1
    event.save(update_fields=[*fields, "sequence", "updated_at"])
    event.refresh_from_db(fields=["sequence"])
    return event


def series_materialize(*, series: EventSeries, until: dt.datetime) -> list[Event]:
    """Create the series' events up to `until`; dates that already exist are left alone."""
    template = series.template
    if template is None:
        raise ValueError("A series needs a template event to copy its details from.")
    local_first = timezone.localtime(series.first_start)
    naive_first = local_first.replace(tzinfo=None)
    rule = rrulestr(series.rule, dtstart=naive_first)
    tz = timezone.get_current_timezone()
    local_until = timezone.localtime(until).replace(tzinfo=None)
    existing = set(series.events.values_list("series_original_start", flat=True))
    created = []
    for naive_start in rule.between(naive_first, local_until, inc=True):
        start = timezone.make_aware(naive_start, tz)  # wall-clock time, DST-correct
        if start in existing:
            continue
        event = Event(
            title=template.title,
            slug=template.slug,
            kind=template.kind,
            audiences=list(template.audiences),
            program_area_id=template.program_area_id,
            host_id=template.host_id,
            ce_category=template.ce_category,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=series.duration_minutes),
            venue_name=template.venue_name,
            address=template.address,
            virtual_url=template.virtual_url,
            capacity=template.capacity,
            registration_required=template.registration_required,
            description=template.description,
            series=series,
            series_original_start=start,
        )
        event.save()
        created.append(event)
    return created


# --- Training history by emailed link ---------------------------------------------------


def history_token(email: str) -> str:
    """A new link token for the address, valid for HISTORY_LINK_MAX_AGE (see
    links.history_link_create)."""
    return history_link_create(email=email, lifetime=HISTORY_LINK_MAX_AGE)


def history_link_send(*, email: str) -> bool:
    """Email a history link if the address has any registration; True if one was queued
    (at most one per address within HISTORY_LINK_WINDOW_SECONDS)."""
    email = email.strip().lower()
    latest = Registration.objects.filter(email=email).order_by("-created_at").first()
    if latest is None:
        return False
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    window = int(time.time() // HISTORY_LINK_WINDOW_SECONDS)
    key = f"training-history-link:{digest}:{window}"
    if OutboxEmail.objects.filter(key=key).exists():
        return False  # no new link (and token) for an email that is not sent again
    with transaction.atomic():
        context = {
            "name": latest.name,
            "history_url": absolute_url(
                reverse("training:history:records", kwargs={"token": history_token(email)})
            ),
            "request_url": absolute_url(reverse("training:history:request")),
            "max_age_hours": int(HISTORY_LINK_MAX_AGE.total_seconds() // 3600),
        }
        return outbox_enqueue(
            key=key,
            template="training/history_link",
            to=email,
            subject=HISTORY_LINK_SUBJECT,
            context=context,
        )
