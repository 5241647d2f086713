"""Registration emails, each sent at most once (SentEmail holds a key per email)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from training.models import Registration, SentEmail

SUBJECTS = {
    "confirmation": "You are registered: {title}",
    "waitlisted": "You are on the waitlist: {title}",
    "promoted": "A seat opened up, you are in: {title}",
    "cancelled": "Your registration is cancelled: {title}",
}


def email_once(*, key: str, message: EmailMultiAlternatives) -> bool:
    """Send unless an email with this key was sent before; True if it was sent now.

    The key row is inserted in the same transaction as the send: if sending raises, the
    row is rolled back and a retry sends again; if the key exists, nothing is sent.
    """
    try:
        with transaction.atomic():
            SentEmail.objects.create(key=key)
            message.send()
    except IntegrityError:
        return False
    return True


def registration_email_send(*, registration_id: int, kind: str) -> bool:
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    event = registration.event
    context = {"registration": registration, "event": event, "site_url": settings.SITE_URL}
    context.update(_links(registration))
    body = render_to_string(f"emails/training/{kind}.txt", context)
    html = render_to_string(f"emails/training/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(title=event.title),
        body=body,
        to=[registration.email],
    )
    message.attach_alternative(html, "text/html")
    if kind in ("confirmation", "promoted"):
        _attach_ics(message, event)
    return email_once(key=f"registration:{registration.pk}:{kind}", message=message)


def _links(registration: Registration) -> dict:
    try:
        from training.links import cancel_url
    except ImportError:  # pragma: no cover - the links module lands with the registration pages
        return {}
    return {"cancel_url": cancel_url(registration)}


def _attach_ics(message: EmailMultiAlternatives, event) -> None:
    try:
        from training.ical import event_ics
    except ImportError:  # pragma: no cover - the iCalendar module lands with the feeds
        return
    message.attach(f"{event.slug}.ics", event_ics(event), "text/calendar; charset=utf-8")
