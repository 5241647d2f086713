"""The email outbox: every email the portal sends is a row here first.

    outbox_enqueue(
        key=f"registration:{registration.pk}:confirmation",
        template="training/confirmation",  # templates/emails/training/confirmation.txt/.html
        to=registration.email,
        subject="You are registered: …",
        context={...},  # JSON: plain values, rendered into the templates at send time
        attachments=[("event.ics", ics_bytes, "text/calendar; charset=utf-8")],
    )

- `outbox_enqueue` writes the row in the caller's transaction (INSERT … ON CONFLICT (key)
  DO NOTHING): the email exists exactly when the change it tells about does, and a key
  enqueued twice is one email. The send task is queued after commit
  (core.queueing.queue_after_commit); if the broker is down the row waits for the sweep.
- `outbox_send` (task core.outbox_send) claims the row with one UPDATE … WHERE it is
  pending and due, or its claim (lease) ran out, so a redelivered task, a second worker or
  the sweep never sends a row that is sent or held by a live worker. It renders and sends
  the email, then marks the row sent (and empties its context and attachments, which may
  hold private links).
- An error while sending: the attempt is recorded with its error and the row waits,
  1, 2, 4 … minutes (OUTBOX_RETRY_SECONDS doubling), for the next one; after
  OUTBOX_MAX_ATTEMPTS attempts, or at once for a permanent refusal (an SMTP 5xx answer),
  it is failed. The admin's "Retry" action sends failed rows again.
- `outbox_sweep` (task core.outbox_sweep, beat every OUTBOX_SWEEP_SECONDS) sends what is
  due: rows whose task was never queued (broker down), retries, and rows whose worker
  died (claim ran out).

One window may send an email twice, and no more: a worker that dies (or loses the
database) after the mail server accepted the email and before the row is marked sent
leaves the row claimed; once the claim runs out it is sent again. The second copy has the
same Message-ID, which many mail stores use to drop duplicates. Keep OUTBOX_LEASE_SECONDS
well above EMAIL_TIMEOUT, so that a slow but living worker is never overtaken.
"""

import base64
import datetime as dt
import hashlib
import json
import logging
import smtplib
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from core.models import OutboxEmail, OutboxStatus
from core.queueing import queue_after_commit, queue_now
from core.urls import site_url

log = logging.getLogger(__name__)

SEND_TASK = "core.outbox_send"
SWEEP_TASK = "core.outbox_sweep"
SWEEP_BATCH = 200  # rows per sweep run; a full batch queues the next run at once
MAX_RETRY_WAIT = dt.timedelta(hours=6)

Attachment = tuple[str, bytes, str]  # filename, content, MIME type


def _template_names(template: str) -> tuple[str, str]:
    return f"emails/{template}.txt", f"emails/{template}.html"


def outbox_enqueue(
    *,
    key: str,
    template: str,
    to: str,
    subject: str,
    context: dict | None = None,
    attachments: Iterable[Attachment] = (),
) -> bool:
    """Add an email to the outbox in the caller's transaction and queue its sending after
    commit. True if it was added; False if an email with this key is already there."""
    if not to:
        raise ValueError(f"outbox email {key!r} has no recipient")
    get_template(_template_names(template)[0])  # a typo fails here, in the caller's tests
    now = timezone.now()
    stored_attachments = [
        {
            "filename": filename,
            "mimetype": mimetype,
            "content": base64.b64encode(content).decode("ascii"),
        }
        for filename, content, mimetype in attachments
    ]
    table = connection.ops.quote_name(OutboxEmail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (key, template, "to", subject, context, attachments, status,
                                 attempts, last_error, next_attempt_at, created_at, updated_at)
            VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, 0, '', %s, %s, %s)
            ON CONFLICT (key) DO NOTHING
            RETURNING id
            """,  # noqa: S608 - the table name is the model's, every value a parameter
            [
                key,
                template,
                to,
                " ".join(subject.split())[:300],
                json.dumps(context or {}, cls=DjangoJSONEncoder),
                json.dumps(stored_attachments),
                OutboxStatus.PENDING,
                now,
                now,
                now,
            ],
        )
        inserted = cursor.fetchone()
    if inserted is None:
        log.info("outbox: %s is there already; not added again", key)
        return False
    queue_after_commit(SEND_TASK, inserted[0])
    return True


# --- Sending ------------------------------------------------------------------------------


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lt=now
    )


def outbox_claim(*, row_id: int) -> OutboxEmail | None:
    """Take the row for this worker for OUTBOX_LEASE_SECONDS, counting the attempt; None if
    it is not due, already sent or failed, or claimed by a worker whose claim still runs."""
    now = timezone.now()
    claimed = (
        OutboxEmail.objects.filter(_claimable(now), pk=row_id).update(
            status=OutboxStatus.SENDING,
            claimed_until=now + _lease(),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )
    return OutboxEmail.objects.get(pk=row_id) if claimed else None


def message_id(row: OutboxEmail) -> str:
    """The same Message-ID for every attempt of a row."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    return f"<outbox.{row.pk}.{digest}@{domain}>"


def email_message(row: OutboxEmail) -> EmailMultiAlternatives:
    """The email of a row: its templates rendered with its context, and its attachments."""
    text_name, html_name = _template_names(row.template)
    context = {"site_url": site_url(), **row.context}
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=render_to_string(text_name, context),
        to=[row.to],
        headers={"Message-ID": message_id(row)},
    )
    try:
        html = get_template(html_name)
    except TemplateDoesNotExist:
        html = None
    if html is not None:
        message.attach_alternative(html.render(context), "text/html")
    for attachment in row.attachments:
        message.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    return message


def _permanent(error: Exception) -> bool:
    """An error no later attempt can mend: the mail server refused for good (5xx), or a
    template is broken (fixed by a release; then "Retry" in the admin)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return isinstance(error, TemplateDoesNotExist | TemplateSyntaxError)


def retry_wait(attempts: int) -> dt.timedelta:
    """The wait after the attempts-th failed attempt: OUTBOX_RETRY_SECONDS doubling."""
    wait = dt.timedelta(seconds=settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return min(wait, MAX_RETRY_WAIT)


def _record_failure(row: OutboxEmail, error: Exception) -> str:
    final = row.attempts >= settings.OUTBOX_MAX_ATTEMPTS or _permanent(error)
    now = timezone.now()
    OutboxEmail.objects.filter(
        pk=row.pk, status=OutboxStatus.SENDING, claimed_until=row.claimed_until
    ).update(
        status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=now if final else now + retry_wait(row.attempts),
        claimed_until=None,
        updated_at=now,
    )
    if final:
        log.error("outbox: %s failed after %s attempt(s): %r", row.key, row.attempts, error)
        return "failed"
    log.warning("outbox: %s not sent (attempt %s), retried later: %r", row.key, row.attempts, error)
    return "retrying"


def _mark_sent(row: OutboxEmail) -> None:
    now = timezone.now()
    OutboxEmail.objects.filter(pk=row.pk).exclude(status=OutboxStatus.SENT).update(
        status=OutboxStatus.SENT,
        sent_at=now,
        claimed_until=None,
        last_error="",
        context={},
        attachments=[],
        updated_at=now,
    )


def _deliver(row: OutboxEmail) -> str:
    try:
        email_message(row).send()
    except Exception as error:  # SMTP errors, refused connections, broken templates
        return _record_failure(row, error)
    _mark_sent(row)
    log.info("outbox: %s sent (attempt %s)", row.key, row.attempts)
    return "sent"


def outbox_send(*, row_id: int) -> str:
    """Send one row if it can be claimed: "sent", "retrying", "failed" or "skipped"."""
    row = outbox_claim(row_id=row_id)
    if row is None:
        return "skipped"
    return _deliver(row)


def outbox_due_ids(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Rows to send now: pending and due, or claimed by a worker whose claim ran out."""
    return list(
        OutboxEmail.objects.filter(_claimable(timezone.now()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Send what is due (see outbox_due_ids); the number sent. A full batch queues the
    next sweep at once, so a backlog (after a broker outage) drains without waiting."""
    due = outbox_due_ids(limit=limit)
    sent = sum(outbox_send(row_id=row_id) == "sent" for row_id in due)
    if due:
        log.info("outbox sweep: %s of %s due emails sent", sent, len(due))
    if len(due) == limit:
        queue_now(SWEEP_TASK)
    return sent


def outbox_retry(*, ids: Iterable[int]) -> int:
    """Send failed rows again (the admin's action): attempts start over; the number."""
    now = timezone.now()
    with transaction.atomic():
        failed = list(
            OutboxEmail.objects.select_for_update()
            .filter(pk__in=list(ids), status=OutboxStatus.FAILED)
            .values_list("pk", flat=True)
        )
        OutboxEmail.objects.filter(pk__in=failed).update(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            updated_at=now,
        )
        for row_id in failed:
            queue_after_commit(SEND_TASK, row_id)
    return len(failed)


def outbox_failed_count() -> int:
    return OutboxEmail.objects.filter(status=OutboxStatus.FAILED).count()
