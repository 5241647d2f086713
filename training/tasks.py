"""Training tasks: thin. Every email goes through the outbox (core.outbox), whose key
keeps a task that runs twice (a retry, a redelivery, a second beat run) from sending twice."""

from celery import shared_task

from training import emails


@shared_task(name="training.send_registration_email")
def send_registration_email(registration_id: int, kind: str) -> bool:
    """Put a registration email in the outbox. The services add their emails themselves,
    in their transaction; this task serves messages queued before the outbox existed."""
    return emails.registration_email_queue_by_id(registration_id=registration_id, kind=kind)


@shared_task(name="training.send_reminders")
def send_reminders() -> int:
    """Remind confirmed registrants of events the day after tomorrow (beat, hourly)."""
    return emails.reminders_send()
