"""Registration emails, each put in the outbox once (core.outbox; its key says which email).

Kinds: confirmation (with the event's .ics and links to add it to Google Calendar or
Outlook.com), waitlisted, promoted (a seat opened, the same), cancelled (with an .ics that
takes the event out of the person's calendar: METHOD:CANCEL), and reminder (two days
before the event). The key of an email is its registration and kind; a reminder's key
also has the event's start date, so a registrant is reminded again if the event moves to
another day. The services call
`registration_email_queue` in the transaction that changes the registration, so the email
is there exactly when the change is; an email whose news is no longer true (a "waitlisted"
email for someone already promoted, asked for by an old task) is not added.

Reminders: `reminders_due` picks the confirmed registrations of scheduled events that
start on the calendar day after tomorrow in America/Chicago. Beat runs the task every hour
of the working day; each run covers the whole target day, so a missed run is made up by
the next one, and the outbox key keeps the others from adding it twice. Calendar days
rather than "47 to 49 hours from now" keep the rule right across DST changes and
midnight, and let the email say "the day after tomorrow".
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import dateformat, timezone

from core.outbox import outbox_enqueue
from training.ical import calendar_links, cancel_ics, event_ics, event_url, map_url
from training.links import cancel_url
from training.models import Event, EventStatus, Registration, RegistrationStatus
from training.timetext import time_range

log = logging.getLogger(__name__)

SUBJECTS = {
    "confirmation": "You are registered: {title}",
    "waitlisted": "You are on the waitlist: {title}",
    "promoted": "A seat opened up, you are in: {title}",
    "cancelled": "Your registration is cancelled: {title}",
    "reminder": "Reminder, the day after tomorrow: {title}",
}
# The status a registration must still have for the email to be true.
STATUS_FOR_KIND = {
    "confirmation": RegistrationStatus.CONFIRMED,
    "waitlisted": RegistrationStatus.WAITLISTED,
    "promoted": RegistrationStatus.CONFIRMED,
    "cancelled": RegistrationStatus.CANCELLED,
    "reminder": RegistrationStatus.CONFIRMED,
}
WITH_CALENDAR_FILE = ("confirmation", "promoted")
ICS_TYPE = "text/calendar; charset=utf-8"
REMINDER_DAYS_BEFORE = 2


def email_key(registration: Registration, kind: str) -> str:
    if kind == "reminder":
        start_day = timezone.localdate(registration.event.starts_at)
        return f"registration:{registration.pk}:reminder:{start_day.isoformat()}"
    return f"registration:{registration.pk}:{kind}"


def email_context(registration: Registration, *, with_cancel_link: bool = True) -> dict:
    """What the training email templates show, as plain values (the outbox stores JSON)."""
    event = registration.event
    start = timezone.localtime(event.starts_at)
    context = {
        "registration": {
            "name": registration.name,
            "status": registration.status,
            "waitlist_position": registration.waitlist_position,
            "accessibility_needs": bool(registration.accessibility_needs),
        },
        "event": {
            "title": event.title,
            "venue_name": event.venue_name,
            "address": event.address,
            "virtual_url": event.virtual_url,
        },
        "starts_at": dateformat.format(start, "l, F j, Y, g:i A"),
        "day": f"{start:%A, %B %-d, %Y}",
        "time_range": time_range(event.starts_at, event.ends_at),
        "place": ", ".join(part for part in (event.venue_name, event.address) if part),
        "event_url": event_url(event),
        "map_url": map_url(event.address),
    }
    if with_cancel_link:
        context["cancel_url"] = cancel_url(registration)
    return context


def cancel_attachment(event: Event) -> tuple[str, bytes, str]:
    """The .ics that takes the event out of a registrant's calendar, as an attachment."""
    return (f"{event.slug}-cancelled.ics", cancel_ics(event), ICS_TYPE)


def registration_email_queue(*, registration: Registration, kind: str) -> bool:
    """Put one registration email in the outbox, in the caller's transaction; True if it
    was added now (False: already there, or its news is out of date)."""
    if kind not in SUBJECTS:
        raise ValueError(f"Unknown registration email: {kind!r}")
    event = registration.event
    if registration.status != STATUS_FOR_KIND[kind] or (
        kind == "reminder" and event.status != EventStatus.SCHEDULED
    ):
        log.info(
            "registration %s is %s (event %s); its %s email is out of date and not sent",
            registration.pk,
            registration.status,
            event.status,
            kind,
        )
        return False
    context = email_context(registration)
    attachments = []
    if kind in WITH_CALENDAR_FILE:
        attachments.append((f"{event.slug}.ics", event_ics(event), ICS_TYPE))
        context["calendar"] = calendar_links(event)
    elif kind == "cancelled":
        attachments.append(cancel_attachment(event))
    return outbox_enqueue(
        key=email_key(registration, kind),
        template=f"training/{kind}",
        to=registration.email,
        subject=SUBJECTS[kind].format(title=" ".join(event.title.split())),
        context=context,
        attachments=attachments,
    )


def registration_email_queue_by_id(*, registration_id: int, kind: str) -> bool:
    """The same, for a task that has only the id (tasks queued before the outbox)."""
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        log.info("registration %s is gone; no %s email", registration_id, kind)
        return False
    return registration_email_queue(registration=registration, kind=kind)


def _local_midnight(day: dt.date) -> dt.datetime:
    # Midnight exists on every day in America/Chicago (its DST changes happen at 2 AM).
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def reminders_due(*, now: dt.datetime) -> QuerySet[Registration]:
    """Confirmed registrations of scheduled events that start the day after tomorrow.

    "The day after tomorrow" is the calendar day in America/Chicago, from local midnight
    to the next local midnight, so a day of 23 or 25 hours (DST) is covered exactly.
    """
    target = timezone.localdate(now) + dt.timedelta(days=REMINDER_DAYS_BEFORE)
    return (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            event__status=EventStatus.SCHEDULED,
            event__published=True,
            event__starts_at__gte=_local_midnight(target),
            event__starts_at__lt=_local_midnight(target + dt.timedelta(days=1)),
        )
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Put every due reminder not sent yet in the outbox; the number added by this call."""
    with transaction.atomic():
        return sum(
            registration_email_queue(registration=registration, kind="reminder")
            for registration in reminders_due(now=now or timezone.now())
        )
