"""The platform's own tables: the email outbox (core.outbox)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxEmail(models.Model):
    """One outgoing email, written in the transaction of the change it tells about.

    The key names the email ("registration:42:confirmation"): a second email with the
    same key is never written, so nothing is sent twice however often it is asked for.
    The email is rendered at send time from templates/emails/<template>.txt (and .html
    when there is one) with `context`. A worker claims a row for `claimed_until`; a row
    whose claim ran out (its worker died) may be claimed again.
    """

    key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=100)
    # Blank only in history copied from before the outbox, where the address was unknown.
    to = models.EmailField("recipient", max_length=254, blank=True)
    subject = models.CharField(max_length=300)
    context = models.JSONField(default=dict, blank=True)
    # [{"filename", "mimetype", "content" (base64)}]; emptied with `context` once sent.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbox email"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OutboxStatus.values), name="outbox_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=OutboxStatus.SENT) | Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=OutboxStatus.SENDING) | Q(claimed_until__isnull=False),
                name="outbox_sending_is_claimed",
            ),
        ]
        indexes = [
            # The sweep's question: what is due or abandoned?
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]),
                name="outbox_due",
            ),
            models.Index(fields=["to"], name="outbox_recipient"),
        ]

    def __str__(self) -> str:
        return self.key
