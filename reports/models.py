"""Monthly report runs: one row per kind, month, scope and version, claimed by one worker.

`reports` never writes to another app's tables; it reads their figures through their
selectors and keeps its own rows and files.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReportKind(models.TextChoices):
    CORESPONDER = "coresponder", "Co-responder program"
    PEERSUPPORT = "peersupport", "911 peer support"
    TRAINING = "training", "Training calendar"
    SUMMARY = "summary", "Summary across programs"


class RunStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportRun(models.Model):
    """One build of one report.

    Scope is "" for program-wide, or "agency:<code>" / "provider:<code>" for co-responder
    reports. A rebuild adds a new version; earlier versions stay as history. At most one
    version per kind, month and scope is pending or running at a time, and a worker
    claims a run with one atomic UPDATE (reports.services.report_run_claim).
    """

    kind = models.CharField(max_length=15, choices=ReportKind.choices)
    period = models.DateField(help_text="The first day of the month reported on.")
    scope = models.CharField(max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    html_file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pdf_file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    csv_file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    xlsx_file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the files.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "kind", "scope", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "scope", "version"], name="report_run_unique_version"
            ),
            models.UniqueConstraint(
                fields=["kind", "period", "scope"],
                condition=Q(status__in=["pending", "running"]),
                name="report_run_one_active_build",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="report_run_period_first_day"),
        ]
        indexes = [models.Index(fields=["status", "lease_until"])]

    def __str__(self) -> str:
        scope = f" {self.scope}" if self.scope else ""
        return f"{self.get_kind_display()}{scope} {self.period:%Y-%m} v{self.version}"


class Subscription(models.Model):
    """A staff member who wants an email when a report of this kind is ready."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    kind = models.CharField(max_length=15, choices=ReportKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="subscription_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.kind}"
