"""Missouri telecommunicator continuing education: the credit rule, the cycles, a history.

Missouri asks telecommunicators for 24 hours of continuing education per fixed three-year
cycle; the cycles end on December 31 of 2020, 2023, 2026 and every third year after. Each
course counts one credit hour per 50 minutes attended, and an instructor earns two hours
per 50 minutes taught. Kansas has no state requirement, so the Missouri cycle is the one
shown to everybody.

Only whole 50-minute blocks count: 99 minutes earn one hour, not 1.98. The rule grants an
hour per 50 minutes, not a share of one, and rounding down never reports more hours to
the state than were earned.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from training.models import CECategory, Registration, RegistrationStatus

MINUTES_PER_CREDIT_HOUR = 50
INSTRUCTOR_MULTIPLIER = 2
CYCLE_YEARS = 3
FIRST_CYCLE_END_YEAR = 2020  # any year a cycle ends in; the others follow every third year
CYCLE_HOURS_REQUIRED = Decimal(24)
CYCLE_TIMEZONE = ZoneInfo("America/Chicago")

# The four Missouri categories, in the order the history page lists them.
CE_CATEGORIES = [choice for choice in CECategory if choice != CECategory.NONE]


def credit_hours(minutes: int, *, instructor: bool) -> Decimal:
    """Credit hours for minutes attended (or taught, for an instructor): whole blocks only."""
    blocks = max(minutes, 0) // MINUTES_PER_CREDIT_HOUR
    return Decimal(blocks * (INSTRUCTOR_MULTIPLIER if instructor else 1))


def cycle_for(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the Missouri cycle that holds this day."""
    end_year = day.year + (FIRST_CYCLE_END_YEAR - day.year) % CYCLE_YEARS
    return dt.date(end_year - CYCLE_YEARS + 1, 1, 1), dt.date(end_year, 12, 31)


def current_cycle() -> tuple[dt.date, dt.date]:
    """The cycle of today's date in America/Chicago (not in UTC, which turns at 6 PM)."""
    return cycle_for(timezone.localdate(timezone=CYCLE_TIMEZONE))


def event_date(event) -> dt.date:
    """The day an event took place, in America/Chicago: the day that decides its cycle."""
    return timezone.localtime(event.starts_at, CYCLE_TIMEZONE).date()


def registration_minutes(registration: Registration) -> int:
    """Minutes recorded for this registration; no record means the whole event."""
    if registration.minutes_attended is not None:
        return registration.minutes_attended
    return registration.event.duration_minutes


def registration_hours(registration: Registration) -> Decimal:
    return credit_hours(registration_minutes(registration), instructor=registration.is_instructor)


@dataclass(frozen=True)
class HistoryEntry:
    registration: Registration
    date: dt.date
    minutes: int
    hours: Decimal
    in_current_cycle: bool

    @property
    def event(self):
        return self.registration.event

    @property
    def category(self) -> str:
        return self.registration.event.ce_category

    @property
    def category_label(self) -> str:
        return CECategory(self.category).label

    @property
    def counts_toward_ce(self) -> bool:
        """Events without a category (most meetings) give no continuing-education credit."""
        return bool(self.category)


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    label: str
    hours: Decimal


@dataclass
class History:
    """One person's attended events, newest first, and their Missouri hours this cycle."""

    entries: list[HistoryEntry]
    cycle_start: dt.date
    cycle_end: dt.date
    category_totals: list[CategoryTotal] = field(default_factory=list)
    cycle_hours: Decimal = Decimal(0)
    required_hours: Decimal = CYCLE_HOURS_REQUIRED

    @property
    def remaining_hours(self) -> Decimal:
        return max(self.required_hours - self.cycle_hours, Decimal(0))

    @property
    def requirement_met(self) -> bool:
        return self.cycle_hours >= self.required_hours

    @property
    def progress_value(self) -> Decimal:
        """Hours toward the requirement, capped at it (for the progress bar)."""
        return min(self.cycle_hours, self.required_hours)

    @property
    def percent(self) -> int:
        return int(self.progress_value * 100 // self.required_hours)

    def by_category(self) -> dict[str, Decimal]:
        return {total.category: total.hours for total in self.category_totals}


def attended_registrations(email: str):
    """The attended registrations of an email address, newest event first."""
    return (
        Registration.objects.filter(email=email.strip().lower(), status=RegistrationStatus.ATTENDED)
        .select_related("event")
        .order_by("-event__starts_at", "-id")
    )


def history_for(email: str, *, today: dt.date | None = None) -> History:
    """Attended events with hours and category, and this cycle's totals per category.

    Only attended registrations count (not no-shows, cancellations or upcoming seats), and
    only events with a continuing-education category add to the cycle's hours. The cycle
    is the one of today's date in America/Chicago, unless `today` names another day.
    """
    cycle_start, cycle_end = cycle_for(today) if today else current_cycle()
    entries = []
    totals = {category.value: Decimal(0) for category in CE_CATEGORIES}
    for registration in attended_registrations(email):
        day = event_date(registration.event)
        minutes = registration_minutes(registration)
        entry = HistoryEntry(
            registration=registration,
            date=day,
            minutes=minutes,
            hours=credit_hours(minutes, instructor=registration.is_instructor),
            in_current_cycle=cycle_start <= day <= cycle_end,
        )
        entries.append(entry)
        if entry.in_current_cycle and entry.counts_toward_ce:
            totals[entry.category] += entry.hours
    return History(
        entries=entries,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
        category_totals=[
            CategoryTotal(category=c.value, label=c.label, hours=totals[c.value])
            for c in CE_CATEGORIES
        ],
        cycle_hours=sum(totals.values(), Decimal(0)),
    )
