"""The training calendar: events (trainings, exercises, meetings), series, registrations."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from core.markdown import validate_markdown_alt_text


class EventKind(models.TextChoices):
    TRAINING = "training", "Training"
    EXERCISE = "exercise", "Exercise"
    MEETING = "meeting", "Meeting"


class Audience(models.TextChoices):
    DISPATCH = "dispatch", "Dispatch / 911"
    EMS = "ems", "EMS"
    FIRE = "fire", "Fire"
    LAW = "law", "Law enforcement"
    EMERGENCY_MANAGEMENT = "em", "Emergency management"
    PUBLIC_HEALTH = "public_health", "Public health"
    PUBLIC = "public", "Public"


class CECategory(models.TextChoices):
    """Missouri telecommunicator continuing-education categories."""

    NONE = "", "No continuing-education credit"
    LEGAL = "legal", "Legal"
    TECHNICAL = "technical", "Technical"
    INTERPERSONAL = "interpersonal", "Interpersonal"
    SKILL_DEVELOPMENT = "skill", "Skill development"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"


class Committee(models.Model):
    """A host committee (e.g. the Regional Homeland Security Coordinating Committee)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventSeries(models.Model):
    """A recurring meeting, e.g. the second Tuesday of each month.

    Its dates are materialized as Event rows (training.services.series_materialize), so
    one date can be moved or cancelled by editing that event alone.
    """

    title = models.CharField(max_length=200)
    rule = models.CharField(
        max_length=200,
        help_text='An RFC 5545 recurrence rule, e.g. "FREQ=MONTHLY;BYDAY=+2TU".',
    )
    first_start = models.DateTimeField(help_text="Date and time of the first meeting.")
    duration_minutes = models.PositiveIntegerField(default=90)
    template = models.ForeignKey(
        "Event",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="An event whose details (venue, description, audience…) each date copies.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "event series"

    def __str__(self) -> str:
        return self.title


class EventQuerySet(models.QuerySet):
    def public(self):
        return self.filter(published=True)


class Event(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(
        default=0, help_text="Raised on every change, for calendar subscribers (iCalendar)."
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220)
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    audiences = ArrayField(
        models.CharField(max_length=20, choices=Audience.choices), default=list, blank=True
    )
    program_area = models.ForeignKey(
        "programs.ProgramArea",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    host = models.ForeignKey(
        Committee, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    ce_category = models.CharField(
        "continuing-education category",
        max_length=15,
        choices=CECategory.choices,
        default=CECategory.NONE,
        blank=True,
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    venue_name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    virtual_url = models.URLField("virtual meeting link", blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    agency_seat_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most seats one agency may take. Empty: no cap."
    )
    registration_opens_at = models.DateTimeField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    registration_required = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    published = models.BooleanField(default=True)
    description = models.TextField(
        blank=True, validators=[validate_markdown_alt_text], help_text="Markdown."
    )
    series = models.ForeignKey(
        EventSeries, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    series_original_start = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("venue_name", weight="C", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [GinIndex(fields=["search_vector"]), GinIndex(fields=["audiences"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True)
                | Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_order",
            ),
            models.UniqueConstraint(
                fields=["series", "series_original_start"],
                condition=Q(series__isnull=False),
                name="event_one_per_series_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("training:event", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", "Agenda"
    MINUTES = "minutes", "Minutes"
    HANDOUT = "handout", "Handout"
    OTHER = "other", "Other"


class EventDocument(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=10, choices=DocumentKind.choices, default=DocumentKind.AGENDA
    )
    file = models.FileField(upload_to="training/documents/%Y/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"


# Statuses that hold a seat.
SEAT_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
)


class OverCapacityReason(models.TextChoices):
    """Why a coordinator let a walk-in in when every seat was taken: a short list, so the
    choice is one tap at the door and the reasons can be counted afterwards."""

    ROOM_HAS_SPACE = "room_has_space", "The room has space for one more"
    SEAT_OF_ABSENTEE = "seat_of_absentee", "Takes the seat of someone who did not come"
    REQUIRED_TRAINING = "required_training", "Their job requires this training"
    INSTRUCTOR_OR_STAFF = "instructor_or_staff", "Instructor, presenter or host staff"


class RegistrantState(models.TextChoices):
    MO = "MO", "Missouri"
    KS = "KS", "Kansas"


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(max_length=150)
    email = models.EmailField(help_text="Stored lower-case.")
    agency = models.ForeignKey(
        "accounts.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agency_name = models.CharField(max_length=200, help_text="As typed, or the directory name.")
    role = models.CharField(max_length=120, help_text="Job title or role, e.g. call-taker.")
    state = models.CharField(max_length=2, choices=RegistrantState.choices)
    accessibility_needs = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    is_instructor = models.BooleanField(default=False)
    minutes_attended = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: the whole event."
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    walk_in = models.BooleanField(
        default=False, help_text="Registered by the coordinator at the door, when checked in."
    )
    over_capacity_reason = models.CharField(
        max_length=20,
        choices=OverCapacityReason.choices,
        blank=True,
        help_text="Set when a walk-in was let in although every seat was taken.",
    )
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "status", "waitlist_position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status=RegistrationStatus.CANCELLED),
                name="registration_one_per_email_per_event",
            ),
            models.CheckConstraint(
                condition=Q(status=RegistrationStatus.WAITLISTED, waitlist_position__isnull=False)
                | (~Q(status=RegistrationStatus.WAITLISTED) & Q(waitlist_position__isnull=True)),
                name="registration_waitlist_position_iff_waitlisted",
            ),
            models.CheckConstraint(
                condition=Q(email=models.functions.Lower("email")),
                name="registration_email_lowercase",
            ),
        ]
        indexes = [models.Index(fields=["email"]), models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.name} · {self.event}"


class Certificate(models.Model):
    """A certificate of attendance; the public verification page looks it up by code."""

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(max_length=16, unique=True)
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code


class HistoryLink(models.Model):
    """An emailed training-history link. The link carries a random token; only its SHA-256
    is stored, so the token holds no personal data and the table cannot rebuild a link."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"History link (expires {self.expires_at:%Y-%m-%d %H:%M})"
