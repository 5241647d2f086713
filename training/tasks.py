"""Email tasks. Each email has a key recorded in SentEmail, so a task that runs twice
(a retry, a redelivery after a worker died) sends it once."""

from celery import shared_task


@shared_task(name="training.send_registration_email", bind=True, max_retries=5)
def send_registration_email(self, registration_id: int, kind: str) -> bool:
    from training import emails

    return emails.registration_email_send(registration_id=registration_id, kind=kind)
