"""Email tasks. Each email has a key recorded in SentEmail, so a task that runs twice
(a retry, a redelivery after a worker died, a second beat run) sends it once."""

from celery import shared_task


@shared_task(
    name="training.send_registration_email",
    autoretry_for=(OSError,),  # SMTP errors and refused connections; smtplib's are OSErrors
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    max_retries=5,
)
def send_registration_email(registration_id: int, kind: str) -> bool:
    from training import emails

    return emails.registration_email_send(registration_id=registration_id, kind=kind)


@shared_task(name="training.send_reminders")
def send_reminders() -> int:
    """Remind confirmed registrants of events the day after tomorrow (beat, hourly)."""
    from training import emails

    return emails.reminders_send()


@shared_task(name="training.send_unsent_emails")
def send_unsent_emails() -> int:
    """Catch up on status emails that could not be queued (beat, every 10 minutes)."""
    from training import emails

    return emails.unsent_emails_send()
