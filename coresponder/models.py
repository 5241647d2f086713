"""Co-responder records exactly as the data dictionary defines them (coresponder.dictionary).

Agencies and providers are organizations of the shared directory (accounts.Organization)
carrying their dictionary codes; no second list of agencies is kept here.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Q

from accounts.audit import confidential
from coresponder import dictionary as dd


def _choices(codes) -> list[tuple[str, str]]:
    return [(code, dd.label(code)) for code in codes]


class Clinician(models.Model):
    """A staff account of a partner behavioral health center, serving some agencies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinician"
    )
    provider = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="clinicians",
        limit_choices_to={"kind": "behavioral_health"},
    )
    agencies = models.ManyToManyField("accounts.Organization", related_name="+", blank=True)
    usual_agency = models.ForeignKey(
        "accounts.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.provider})"


@confidential
class Encounter(models.Model):
    encounter_id = models.CharField(max_length=64)
    agency = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(db_index=True)
    time = models.TimeField(null=True, blank=True)
    cad_incident = models.CharField(max_length=32, blank=True)
    referral_source = models.CharField(max_length=20, choices=_choices(dd.REFERRAL_SOURCES))
    contact_type = models.CharField(max_length=20, choices=_choices(dd.CONTACT_TYPES))
    concerns = ArrayField(models.CharField(max_length=20, choices=_choices(dd.CONCERNS)))
    assessment = models.BooleanField()
    disposition = models.CharField(max_length=20, choices=_choices(dd.DISPOSITIONS))
    linked_to_services = models.BooleanField()
    service_type = models.CharField(max_length=30, choices=_choices(dd.SERVICE_TYPES), blank=True)
    age_group = models.CharField(max_length=10, choices=_choices(dd.AGE_GROUPS), blank=True)
    gender = models.CharField(max_length=10, choices=_choices(dd.GENDERS), blank=True)
    veteran = models.BooleanField(null=True, blank=True)
    person_key = models.CharField(max_length=64, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    use_of_force = models.BooleanField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-time", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "encounter_id"], name="encounter_id_unique_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(linked_to_services=True) & ~Q(service_type="")
                | Q(linked_to_services=False, service_type=""),
                name="encounter_service_type_iff_linked",
            ),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__lte=1440),
                name="encounter_minutes_range",
            ),
            models.CheckConstraint(condition=~Q(concerns=[]), name="encounter_has_concerns"),
        ]
        indexes = [
            models.Index(fields=["date", "agency", "provider"]),
            GinIndex(fields=["concerns"]),
            models.Index(
                fields=["person_key", "date"],
                condition=~Q(person_key=""),
                name="encounter_person_key_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.encounter_id} ({self.date})"


class MonthlyCallVolume(models.Model):
    """The denominator: mental-health-related calls per agency and month (from CAD)."""

    agency = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    mh_calls = models.PositiveIntegerField()
    total_calls = models.PositiveIntegerField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "month"], name="volume_one_per_agency_month"),
            models.CheckConstraint(
                condition=Q(total_calls__isnull=True) | Q(total_calls__gte=F("mh_calls")),
                name="volume_total_at_least_mh",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="volume_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.month:%Y-%m}"


class ClosedMonth(models.Model):
    """A month a program manager closed: its records are read-only for everyone else."""

    month = models.DateField(unique=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="closed_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    CHECKING = "checking", "Checking"
    IMPORTING = "importing", "Importing"
    FAILED = "failed", "Errors found, nothing imported"
    DONE = "done", "Imported"
    ERROR = "error", "Stopped by an unexpected error"


class ImportJob(models.Model):
    """A CSV import; large files run as a Celery task and report progress here."""

    kind = models.CharField(
        max_length=12, choices=[("encounters", "Encounters"), ("volume", "Monthly call volume")]
    )
    file = models.FileField(upload_to="coresponder/imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(
        default=0, help_text="Rows identical to the stored record: nothing was written."
    )
    changed_columns = models.JSONField(
        default=dict, blank=True, help_text="Updated records per changed column: {column: count}."
    )
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(
        default=list, blank=True, help_text="Data-quality warnings found after the import."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For a clinician's import: only this provider's rows are accepted.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk}"


class Release(models.Model):
    """One published revision of the public figures of a closed calendar year.

    A release prints two rows: the year (records dated in it) and the program to date at
    the year's end (every record dated up to December 31). Its figures are computed once,
    when a program manager publishes it (coresponder.services.release_publish), and never
    again: a correction is a new revision with a stated reason. A database trigger
    (migration 0006) refuses any UPDATE or DELETE of a row, so nothing can change a release
    once it is out, not even a bulk update or raw SQL.
    """

    year = models.PositiveSmallIntegerField()
    revision = models.PositiveSmallIntegerField(help_text="1 for the first publication.")
    note = models.CharField(
        max_length=300, blank=True, help_text="Why this revision was published (revisions only)."
    )
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    counts = models.JSONField(
        help_text="The true counts of both rows, {row: {count: n}}: staff only, for revisions."
    )
    figures = models.JSONField(
        help_text="What the public page prints, {row: {figure: {text, value, status}}}."
    )
    hidden_across = models.JSONField(
        default=list,
        blank=True,
        help_text="Figures hidden because of earlier releases: [{row, figure, reason}].",
    )

    class Meta:
        ordering = ["-year", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["year", "revision"], name="release_one_per_revision"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="release_revision_positive"),
            models.CheckConstraint(
                condition=Q(revision=1) | ~Q(note=""), name="release_revision_has_note"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900, year__lte=2199), name="release_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} figures, revision {self.revision}"
