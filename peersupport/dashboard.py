"""De-identified figures for the staff dashboard of 911 peer support (read-only selectors).

Everything here counts or measures: no name, contact detail, reference or agency leaves
this module, and nothing reads the contact fields, so the figures are the same before and
after peersupport.services.contact_details_purge blanks them.

A period is a range of local (America/Chicago) dates, both ends included. Requests belong
to the period by when they were submitted, activities by their date. Open requests are a
snapshot of today, whatever the period.

Staff-only: small counts are shown as they are. The suppression rules of the domain notes
apply to public statistics, and nothing here is public.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.dates import add_months, month_start, months_spanned
from peersupport.models import (
    OPEN_STATUSES,
    Activity,
    IncidentKind,
    RequestStatus,
    RequestType,
    ServiceType,
    StatusChange,
    SupportRequest,
)

DEFAULT_MONTHS = 12
MAX_MONTHS = 60


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the value at `fraction` of the ordered values,
    interpolated linearly between neighbours (works on numbers and on intervals)."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        # A float checked above, so it is safe to write into the SQL as a literal.
        super().__init__(expression, fraction=repr(fraction), **extra)


# --- The period ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included

    @classmethod
    def default(cls, today: dt.date | None = None) -> "Period":
        """The last twelve months: the current month so far and the eleven before it."""
        today = today or timezone.localdate()
        return cls(start=add_months(month_start(today), 1 - DEFAULT_MONTHS), end=today)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes: the start of the first day, the start of the day after the last."""
        tz = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return first, after

    @property
    def month_count(self) -> int:
        return months_spanned(self.start, self.end)

    @property
    def months(self) -> list[dt.date]:
        """The first day of each calendar month the period touches, in order."""
        months, month = [], month_start(self.start)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months


def requests_submitted_in(period: Period):
    first, after = period.bounds
    return SupportRequest.objects.filter(submitted_at__gte=first, submitted_at__lt=after)


# --- Figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelCount:
    label: str
    count: int


def hours_minutes(duration: dt.timedelta | None) -> str:
    """A duration as "7 h 36 min" (to the nearest minute); "45 min" under an hour."""
    if duration is None:
        return "–"
    hours, minutes = divmod(round(duration.total_seconds() / 60), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@dataclass(frozen=True)
class FirstContact:
    requests: int  # requests of the period with a first contact
    median: dt.timedelta | None
    p90: dt.timedelta | None

    @property
    def median_display(self) -> str:
        return hours_minutes(self.median)

    @property
    def p90_display(self) -> str:
        return hours_minutes(self.p90)


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    debriefings: int
    in_person: int
    by_phone: int
    command: int

    @property
    def one_to_one(self) -> int:
        return self.in_person + self.by_phone


@dataclass(frozen=True)
class OutOfRegion:
    requests: int
    approved: int
    declined: int

    @property
    def undecided(self) -> int:
        return self.requests - self.approved - self.declined


@dataclass(frozen=True)
class ServiceRow:
    label: str
    activities: int
    people_reached: int
    hours: Decimal


@dataclass(frozen=True)
class Dashboard:
    period: Period
    open_by_status: list[LabelCount]
    first_contact: FirstContact
    months: list[MonthRow]
    incident_kinds: list[LabelCount]
    out_of_region: OutOfRegion
    services: list[ServiceRow]

    @property
    def open_total(self) -> int:
        return sum(row.count for row in self.open_by_status)

    @property
    def months_total(self) -> MonthRow:
        return MonthRow(
            month=self.period.start,
            debriefings=sum(row.debriefings for row in self.months),
            in_person=sum(row.in_person for row in self.months),
            by_phone=sum(row.by_phone for row in self.months),
            command=sum(row.command for row in self.months),
        )

    @property
    def incident_total(self) -> int:
        return sum(row.count for row in self.incident_kinds)

    @property
    def services_total(self) -> ServiceRow:
        return ServiceRow(
            label="All services",
            activities=sum(row.activities for row in self.services),
            people_reached=sum(row.people_reached for row in self.services),
            hours=sum((row.hours for row in self.services), Decimal(0)),
        )


def open_requests_by_status() -> list[LabelCount]:
    """Requests open today, by status (every open status listed, zeros included)."""
    counts = dict(
        SupportRequest.objects.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [LabelCount(RequestStatus(s).label, counts.get(s, 0)) for s in OPEN_STATUSES]


def first_contact_times(period: Period) -> FirstContact:
    """Median and 90th percentile of submission → first contact, computed in PostgreSQL."""
    wait = ExpressionWrapper(
        F("first_contact_at") - F("submitted_at"), output_field=DurationField()
    )
    figures = (
        requests_submitted_in(period)
        .filter(first_contact_at__isnull=False)
        .aggregate(
            requests=Count("pk"),
            median=PercentileCont(wait, fraction=0.5),
            p90=PercentileCont(wait, fraction=0.9),
        )
    )
    return FirstContact(**figures)


def requests_by_month(period: Period) -> list[MonthRow]:
    """Requests received each month of the period by kind of support; empty months as 0."""
    by_type = {
        name: Count("pk", filter=Q(request_type=value))
        for name, value in (
            ("debriefings", RequestType.GROUP_DEBRIEFING),
            ("in_person", RequestType.ONE_IN_PERSON),
            ("by_phone", RequestType.ONE_BY_PHONE),
            ("command", RequestType.COMMAND),
        )
    }
    rows = (
        requests_submitted_in(period)
        .annotate(month=TruncMonth("submitted_at", output_field=DateField()))
        .order_by()
        .values("month")
        .annotate(**by_type)
    )
    found = {row.pop("month"): row for row in rows}
    empty = dict.fromkeys(by_type, 0)
    return [MonthRow(month=month, **found.get(month, empty)) for month in period.months]


def incident_kinds(period: Period) -> list[LabelCount]:
    counts = dict(
        requests_submitted_in(period)
        .order_by()
        .values("incident_kind")
        .annotate(n=Count("pk"))
        .values_list("incident_kind", "n")
    )
    return [LabelCount(kind.label, counts.get(kind.value, 0)) for kind in IncidentKind]


def out_of_region(period: Period) -> OutOfRegion:
    """Requests from outside the region and the coordinators' decision on pre-approval.

    The decision is the status change out of "awaiting approval" (StatusChange), so a
    request approved and later declined for another reason still counts as approved. A
    decline that a coordinator reopened counts only once it stands again (the request is
    declined, or closed after it); never approved is the other condition.
    """

    def decided(to_status: str) -> Exists:
        return Exists(
            StatusChange.objects.filter(
                request=OuterRef("pk"),
                from_status=RequestStatus.AWAITING_APPROVAL,
                to_status=to_status,
            )
        )

    approved = Q(decided(RequestStatus.APPROVED))
    declined = (
        Q(decided(RequestStatus.DECLINED))
        & ~approved
        & Q(status__in=[RequestStatus.DECLINED, RequestStatus.CLOSED])
    )
    figures = (
        requests_submitted_in(period)
        .filter(outside_region=True)
        .aggregate(
            requests=Count("pk"),
            approved=Count("pk", filter=approved),
            declined=Count("pk", filter=declined),
        )
    )
    return OutOfRegion(**figures)


def activity_by_service_type(period: Period) -> list[ServiceRow]:
    """Logged activity dated in the period, by service type (every type listed)."""
    rows = {
        row["service_type"]: row
        for row in Activity.objects.filter(date__gte=period.start, date__lte=period.end)
        .order_by()
        .values("service_type")
        .annotate(activities=Count("pk"), people=Sum("people_reached"), hours=Sum("hours"))
    }
    result = []
    for service in ServiceType:
        row = rows.get(service.value, {})
        result.append(
            ServiceRow(
                label=service.label,
                activities=row.get("activities", 0),
                people_reached=row.get("people", 0),
                hours=row.get("hours") or Decimal(0),
            )
        )
    return result


def dashboard(period: Period) -> Dashboard:
    return Dashboard(
        period=period,
        open_by_status=open_requests_by_status(),
        first_contact=first_contact_times(period),
        months=requests_by_month(period),
        incident_kinds=incident_kinds(period),
        out_of_region=out_of_region(period),
        services=activity_by_service_type(period),
    )


MONTHLY_CSV_HEADERS = [
    "Month",
    "Debriefings (CISD)",
    "One-to-one in person",
    "One-to-one by phone",
    "One-to-one total",
    "Command level",
]


def monthly_rows(months: list[MonthRow]) -> list[list]:
    """The monthly table as rows for a CSV file (month as YYYY-MM)."""
    return [
        [
            row.month.strftime("%Y-%m"),
            row.debriefings,
            row.in_person,
            row.by_phone,
            row.one_to_one,
            row.command,
        ]
        for row in months
    ]
