"""911 peer support: confidential requests, the team roster, assignments, activity log.

Minimum necessary: no story of the incident is ever asked for or stored, and a request's
contact details are purged a set number of days after it closes (peersupport.services),
leaving only de-identified counts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.audit import confidential


class MemberType(models.TextChoices):
    PEER = "peer", "Peer"
    COMMAND = "command", "Command level"


class Discipline(models.TextChoices):
    DISPATCH = "dispatch", "Dispatch / 911"
    FIRE = "fire", "Fire"
    EMS = "ems", "EMS"
    LAW = "law", "Law enforcement"


ASSIGNABLE_TRAINING_HOURS = 40


class TeamMember(models.Model):
    """A member of the peer team; internal only, never shown to the public."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_member"
    )
    member_type = models.CharField(max_length=10, choices=MemberType.choices)
    discipline = models.CharField(max_length=10, choices=Discipline.choices)
    home_agency = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    county = models.CharField(max_length=80, blank=True)
    training_hours = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    active = models.BooleanField(default=True)
    on_call = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.CheckConstraint(condition=Q(training_hours__gte=0), name="member_hours_positive")
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def assignable(self) -> bool:
        return self.active and self.training_hours >= ASSIGNABLE_TRAINING_HOURS


class RequestType(models.TextChoices):
    GROUP_DEBRIEFING = "group", "Group debriefing at a 911 center (CISD)"
    ONE_IN_PERSON = "in_person", "One-to-one, in person"
    ONE_BY_PHONE = "phone", "One-to-one, by phone"
    COMMAND = "command", "Command-level support"


class IncidentKind(models.TextChoices):
    DEATH = "death", "Death"
    SUICIDE = "suicide", "Suicide"
    OFFICER_INVOLVED_SHOOTING = "ois", "Officer-involved shooting"
    CHILD = "child", "Child death or injury"
    MASS_CASUALTY = "mass_casualty", "Mass-casualty incident"
    LINE_OF_DUTY_DEATH = "lodd", "Line-of-duty death"
    OTHER = "other", "Other"


class Urgency(models.TextChoices):
    NOW = "now", "As soon as possible (within hours)"
    TODAY = "today", "Today or tomorrow"
    THIS_WEEK = "week", "This week"


URGENCY_RANK = {Urgency.NOW: 0, Urgency.TODAY: 1, Urgency.THIS_WEEK: 2}


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval (outside the region)"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    ASSIGNED = "assigned", "Assigned"
    CONTACTED = "contacted", "Contacted"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    RequestStatus.NEW,
    RequestStatus.AWAITING_APPROVAL,
    RequestStatus.APPROVED,
    RequestStatus.ASSIGNED,
    RequestStatus.CONTACTED,
    RequestStatus.COMPLETED,
)


class DeclineReason(models.TextChoices):
    """Why a coordinator declined a request: a choice, never a narrative."""

    OUTSIDE_AREA = "outside_area", "Outside what the team covers"
    DUPLICATE = "duplicate", "The same request was sent twice"
    WITHDRAWN = "withdrawn", "The requester withdrew the request"
    REFERRED = "referred", "Referred to another resource, such as an EAP"
    UNREACHABLE = "unreachable", "The requester could not be reached"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"


CONTACT_FIELDS = ("contact_name", "contact_method", "contact_phone", "contact_email", "best_time")


@confidential(exclude=CONTACT_FIELDS)
class SupportRequest(models.Model):
    reference = models.CharField(max_length=12, unique=True, editable=False)
    status_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    request_type = models.CharField(max_length=10, choices=RequestType.choices)
    incident_kind = models.CharField(max_length=15, choices=IncidentKind.choices)
    incident_date = models.DateField()
    requester_role = models.CharField(max_length=100)
    agency = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outside_region = models.BooleanField(default=False)
    outside_agency_name = models.CharField(max_length=200, blank=True)
    people_affected = models.PositiveIntegerField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    # Contact details: purged after closing (contact_purged_at).
    contact_name = models.CharField(max_length=120, blank=True)
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    best_time = models.CharField(max_length=200, blank=True, help_text="When to reach them.")
    contact_purged_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices)
    confidentiality_exception = models.BooleanField(
        default=False,
        help_text="Coordinator only: a confidentiality exception applied. No narrative.",
    )
    # The last decline, kept while the request stays declined (or closed after it): why,
    # by whom, when, and the status it was declined from, to which a reopening returns.
    decline_reason = models.CharField(max_length=15, choices=DeclineReason.choices, blank=True)
    declined_from = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(people_affected__gte=1), name="request_people_positive"
            ),
            models.CheckConstraint(
                condition=Q(outside_region=True, agency__isnull=True) & ~Q(outside_agency_name="")
                | Q(outside_region=False, agency__isnull=False),
                name="request_agency_in_or_outside_region",
            ),
        ]
        indexes = [models.Index(fields=["status", "urgency"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def agency_label(self) -> str:
        return self.outside_agency_name if self.outside_region else str(self.agency)


class StatusChange(models.Model):
    """Every status change of a request: who (empty for the requester) and when."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.from_status}→{self.to_status}"


class AssignmentStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Assignment(models.Model):
    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="assignments"
    )
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(
        max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.OFFERED
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "member"], name="assignment_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.member}"


class ServiceType(models.TextChoices):
    """Critical incident stress management services (ICISF-style)."""

    PRE_INCIDENT_EDUCATION = "education", "Pre-incident education"
    DEFUSING = "defusing", "Defusing"
    DEBRIEFING = "debriefing", "Debriefing (CISD)"
    DEMOBILIZATION = "demobilization", "Demobilization"
    ONE_ON_ONE = "one_on_one", "One-on-one contact"
    CRISIS_MANAGEMENT_BRIEFING = "cmb", "Crisis management briefing"
    FAMILY_SUPPORT = "family", "Family support"
    FOLLOW_UP = "follow_up", "Follow-up"
    REFERRAL = "referral", "Referral"


@confidential
class Activity(models.Model):
    """What was done, never what was said: operational logging, not clinical charting."""

    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="activities")
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="activities")
    date = models.DateField()
    service_type = models.CharField(max_length=15, choices=ServiceType.choices)
    people_reached = models.PositiveIntegerField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    follow_up_needed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="activity_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.get_service_type_display()} {self.date}"
