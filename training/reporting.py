"""Training figures for the monthly reports (read-only; reports/ reads them from here).

    figures = training_month_figures(dt.date(2025, 3, 1))

A month's events are those that start in it (America/Chicago dates) and were held: not
cancelled and not postponed. Registrations, attendance and credit hours are those of the
month's held events. Attendance rate is attended / (attended + no-show): confirmed seats
not yet marked either way are left out, so a late attendance sheet does not lower it.
Credit hours are the Missouri continuing-education hours (training.credits.credit_hours)
of attended registrations at events with a continuing-education category, as each
person's history counts them. Figures only: no name or email leaves this module.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from core.dates import add_months, month_start
from training.credits import CE_CATEGORIES, credit_hours
from training.models import Audience, Event, EventKind, EventStatus, Registration
from training.models import RegistrationStatus as Status


@dataclass(frozen=True)
class LabelCount:
    label: str
    count: int


@dataclass(frozen=True)
class CategoryHours:
    label: str
    hours: Decimal


@dataclass(frozen=True)
class TrainingMonth:
    month: dt.date
    events_by_kind: list[LabelCount] = field(default_factory=list)
    events_by_audience: list[LabelCount] = field(default_factory=list)
    confirmed: int = 0  # seats held, attendance not recorded
    attended: int = 0
    no_shows: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    credit_hours_by_category: list[CategoryHours] = field(default_factory=list)

    @property
    def events_held(self) -> int:
        return sum(row.count for row in self.events_by_kind)

    @property
    def registrations(self) -> int:
        """Registrations that held a seat: confirmed, attended or no-show."""
        return self.confirmed + self.attended + self.no_shows

    @property
    def attendance_rate(self) -> float | None:
        marked = self.attended + self.no_shows
        return self.attended / marked if marked else None

    @property
    def credit_hours(self) -> Decimal:
        return sum((row.hours for row in self.credit_hours_by_category), Decimal(0))


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    first, after = month_start(month), add_months(month, 1)
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        dt.datetime.combine(after, dt.time.min, tzinfo=tz),
    )


def events_held_in(month: dt.date):
    first, after = _month_bounds(month)
    return Event.objects.filter(
        starts_at__gte=first, starts_at__lt=after, status=EventStatus.SCHEDULED
    ).order_by()


def training_month_figures(month: dt.date) -> TrainingMonth:
    """The month's training figures (four queries, whatever the number of events)."""
    events = events_held_in(month)
    by_kind = dict(events.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    by_audience: dict[str, int] = {}
    for audiences in events.values_list("audiences", flat=True):
        for audience in set(audiences):
            by_audience[audience] = by_audience.get(audience, 0) + 1

    registrations = Registration.objects.filter(event__in=events).order_by()
    statuses = registrations.aggregate(
        **{
            name: Count("pk", filter=Q(status=status))
            for name, status in (
                ("confirmed", Status.CONFIRMED),
                ("attended", Status.ATTENDED),
                ("no_shows", Status.NO_SHOW),
                ("waitlisted", Status.WAITLISTED),
                ("cancelled", Status.CANCELLED),
            )
        }
    )

    hours = {category.value: Decimal(0) for category in CE_CATEGORIES}
    attended = registrations.filter(status=Status.ATTENDED).exclude(event__ce_category="")
    for minutes, instructor, category, starts_at, ends_at in attended.values_list(
        "minutes_attended",
        "is_instructor",
        "event__ce_category",
        "event__starts_at",
        "event__ends_at",
    ):
        if minutes is None:  # no record: the whole event
            minutes = int((ends_at - starts_at).total_seconds() // 60)
        hours[category] += credit_hours(minutes, instructor=instructor)

    return TrainingMonth(
        month=month,
        events_by_kind=[LabelCount(kind.label, by_kind.get(kind.value, 0)) for kind in EventKind],
        events_by_audience=[
            LabelCount(audience.label, by_audience.get(audience.value, 0)) for audience in Audience
        ],
        credit_hours_by_category=[
            CategoryHours(category.label, hours[category.value]) for category in CE_CATEGORIES
        ],
        **statuses,
    )
