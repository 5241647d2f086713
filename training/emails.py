"""Registration emails, each sent at most once (SentEmail holds a key per email).

Kinds: confirmation (with the event's .ics), waitlisted, promoted (a seat opened, with the
.ics), cancelled, and reminder (two days before the event). The key of an email is its
registration and kind; a reminder's key also has the event's start date, so a registrant
is reminded again if the event moves to another day. An email whose news is out of date
by the time its task runs (a "waitlisted" email for someone already promoted) is skipped.

Reminders: `reminders_due` picks the confirmed registrations of scheduled events that
start on the calendar day after tomorrow in America/Chicago. Beat runs the task every hour
of the working day; each run covers the whole target day, so a missed run is made up by
the next one, and the SentEmail key keeps the others from sending twice. Calendar days
rather than "47 to 49 hours from now" keep the rule right across DST changes and
midnight, and let the email say "the day after tomorrow".
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from training.ical import event_ics, event_url
from training.links import cancel_url
from training.models import EventStatus, Registration, RegistrationStatus, SentEmail
from training.selectors import time_range

log = logging.getLogger(__name__)

SUBJECTS = {
    "confirmation": "You are registered: {title}",
    "waitlisted": "You are on the waitlist: {title}",
    "promoted": "A seat opened up, you are in: {title}",
    "cancelled": "Your registration is cancelled: {title}",
    "reminder": "Reminder, the day after tomorrow: {title}",
}
# The status a registration must still have when the task runs for the email to be true.
STATUS_FOR_KIND = {
    "confirmation": RegistrationStatus.CONFIRMED,
    "waitlisted": RegistrationStatus.WAITLISTED,
    "promoted": RegistrationStatus.CONFIRMED,
    "cancelled": RegistrationStatus.CANCELLED,
    "reminder": RegistrationStatus.CONFIRMED,
}
WITH_CALENDAR_FILE = ("confirmation", "promoted")
REMINDER_DAYS_BEFORE = 2


def email_once(*, key: str, message: EmailMultiAlternatives) -> bool:
    """Send unless an email with this key was sent before; True if it was sent now.

    The key row is inserted in the same transaction as the send: if sending raises, the
    row is rolled back and a retry sends again; if the key exists, nothing is sent. A
    second worker sending the same key at the same moment waits on the unique index and
    then finds the key taken.
    """
    try:
        with transaction.atomic():
            SentEmail.objects.create(key=key)
            message.send()
    except IntegrityError:
        return False
    return True


def email_key(registration: Registration, kind: str) -> str:
    if kind == "reminder":
        start_day = timezone.localdate(registration.event.starts_at)
        return f"registration:{registration.pk}:reminder:{start_day.isoformat()}"
    return f"registration:{registration.pk}:{kind}"


def registration_email_send(*, registration_id: int, kind: str) -> bool:
    """Send one registration email once; True if it was sent by this call."""
    if kind not in SUBJECTS:
        raise ValueError(f"Unknown registration email: {kind!r}")
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:
        log.info("registration %s is gone; no %s email", registration_id, kind)
        return False
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
    message = _message(registration, kind)
    return email_once(key=email_key(registration, kind), message=message)


def _message(registration: Registration, kind: str) -> EmailMultiAlternatives:
    event = registration.event
    start = timezone.localtime(event.starts_at)
    context = {
        "registration": registration,
        "event": event,
        "day": f"{start:%A, %B %-d, %Y}",
        "time_range": time_range(event.starts_at, event.ends_at),
        "place": ", ".join(part for part in (event.venue_name, event.address) if part),
        "event_url": event_url(event),
        "cancel_url": cancel_url(registration),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(title=" ".join(event.title.split())),
        body=render_to_string(f"emails/training/{kind}.txt", context),
        to=[registration.email],
    )
    message.attach_alternative(
        render_to_string(f"emails/training/{kind}.html", context), "text/html"
    )
    if kind in WITH_CALENDAR_FILE:
        message.attach(f"{event.slug}.ics", event_ics(event), "text/calendar; charset=utf-8")
    return message


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
    """Send every due reminder not sent yet; the number sent by this call.

    One failed email is logged and left for the next run (its key is not recorded), so
    it does not hold up the others.
    """
    sent = 0
    for registration in reminders_due(now=now or timezone.now()):
        try:
            sent += email_once(
                key=email_key(registration, "reminder"),
                message=_message(registration, "reminder"),
            )
        except Exception:
            log.exception(
                "reminder for registration %s not sent; next run retries", registration.pk
            )
    return sent


SWEEP_WINDOW = dt.timedelta(days=3)
SWEEP_GRACE = dt.timedelta(minutes=2)


def _current_kind(registration: Registration) -> str | None:
    """The status email a registration should have had by now."""
    if registration.status == RegistrationStatus.CONFIRMED:
        return "promoted" if registration.promoted_at else "confirmation"
    if registration.status == RegistrationStatus.WAITLISTED:
        return "waitlisted"
    if registration.status == RegistrationStatus.CANCELLED:
        return "cancelled"
    return None


def unsent_emails_send(*, now: dt.datetime | None = None) -> int:
    """Send the status emails that never went out (e.g. the broker was down when queued).

    Looks at registrations changed in the last three days, at least two minutes ago so the
    normal path has had its chance; email_once keeps every email single.
    """
    now = now or timezone.now()
    recent = Registration.objects.filter(
        updated_at__gte=now - SWEEP_WINDOW, updated_at__lte=now - SWEEP_GRACE
    ).select_related("event")
    wanted = {}
    for registration in recent:
        kind = _current_kind(registration)
        if kind:
            wanted[email_key(registration, kind)] = (registration.pk, kind)
    already = set(SentEmail.objects.filter(key__in=wanted).values_list("key", flat=True))
    sent = 0
    for key, (registration_id, kind) in wanted.items():
        if key not in already and registration_email_send(
            registration_id=registration_id, kind=kind
        ):
            sent += 1
    return sent
