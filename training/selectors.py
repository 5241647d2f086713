"""Reads of the public training calendar, shared by its pages, the home page and site search;
and for other apps (reports), the monthly figures of training.reporting.

Every time shown to the public is wall-clock time in America/Chicago (the project's time
zone), with the zone's abbreviation (CST or CDT) so nobody has to guess.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlencode

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.staff_areas import OpenWork
from core.dates import add_months
from core.search import SearchHit, highlighted_snippet, search_headline, search_query, search_rank
from training import credits
from training.filters import EventFilterForm, events_filtered
from training.models import SEAT_STATUSES, Audience, Event, EventStatus
from training.reporting import TrainingMonth as TrainingMonth
from training.reporting import training_month_figures as training_month_figures
from training.services import registration_refusal
from training.timetext import clock_time as _time
from training.timetext import time_range as time_range

# Missouri telecommunicator continuing education: one credit hour per 50 minutes.

# Site search finds upcoming events and those that ended at most this long ago.
SEARCH_RECENT_DAYS = 180
# Sunday first, as on US wall calendars.
WEEK = calendar.Calendar(firstweekday=calendar.SUNDAY)

_AUDIENCE_LABELS = dict(Audience.choices)


# --- Display helpers ----------------------------------------------------------------------


def _day(moment: dt.datetime | dt.date) -> str:
    return f"{moment:%A, %B %-d, %Y}"


def event_day(event: Event) -> str:
    """The local date of an event, or its first and last dates when it spans several."""
    first = timezone.localdate(event.starts_at)
    last = timezone.localdate(event.ends_at - dt.timedelta(microseconds=1))
    return _day(first) if first == last else f"{_day(first)} – {_day(last)}"


def when(event: Event) -> str:
    """A short date and time for lists: 'Tue, Mar 10, 2026 · 9:00 AM CDT'."""
    start = timezone.localtime(event.starts_at)
    return f"{start:%a, %b %-d, %Y} · {_time(start)} {start.tzname()}"


def credit_hours_label(minutes: int) -> str:
    """What attending the whole event earns, by the same rule as history and certificates."""
    hours = credits.credit_hours(minutes, instructor=False)
    return f"{hours:f} credit hour{'' if hours == 1 else 's'}"


def audience_labels(event: Event) -> list[str]:
    return [_AUDIENCE_LABELS.get(code, code) for code in event.audiences]


def seats_left(event: Event) -> int | None:
    """Free seats (needs the `seats_taken` annotation); None when there is no limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - event.seats_taken, 0)


@dataclass(frozen=True)
class Availability:
    label: str
    state: str  # cancelled, postponed, past, full, open: a CSS hook and a test handle


def availability(event: Event, *, now: dt.datetime | None = None) -> Availability:
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return Availability("Cancelled", "cancelled")
    if event.status == EventStatus.POSTPONED:
        return Availability("Postponed", "postponed")
    if event.ends_at < now:
        return Availability("Took place", "past")
    left = seats_left(event)
    if left is None:
        return Availability("No seat limit", "open")
    if left == 0:
        return Availability("Full – waitlist open", "full")
    return Availability(f"{left} seat{'' if left == 1 else 's'} left", "open")


@dataclass(frozen=True)
class CalendarEntry:
    """An event with everything the list and the month grid display about it."""

    event: Event
    time_range: str
    start_time: str
    audiences: list[str]
    availability: Availability

    @classmethod
    def of(cls, event: Event, *, now: dt.datetime) -> "CalendarEntry":
        return cls(
            event=event,
            time_range=time_range(event.starts_at, event.ends_at),
            start_time=_time(timezone.localtime(event.starts_at)),
            audiences=audience_labels(event),
            availability=availability(event, now=now),
        )


# --- The list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    label: str
    entries: list[CalendarEntry]


def days_of(events) -> list[CalendarDay]:
    """Events (in start order) grouped by their local start date."""
    now = timezone.now()
    entries = [CalendarEntry.of(event, now=now) for event in events]
    days = []
    for date, group in groupby(entries, key=lambda e: timezone.localdate(e.event.starts_at)):
        days.append(CalendarDay(date=date, label=_day(date), entries=list(group)))
    return days


def filter_querystring(form: EventFilterForm, *, exclude: tuple[str, ...] = ()) -> str:
    """The valid filters of a bound form as a query string, for links that keep them."""
    if not form.is_valid():
        return ""
    params = []
    for name, value in form.cleaned_data.items():
        if name in exclude or value in (None, "", False):
            continue
        if hasattr(value, "slug"):
            value = value.slug
        elif value is True:
            value = "on"
        elif isinstance(value, dt.date):
            value = value.isoformat()
        params.append((name, value))
    return urlencode(params)


# --- The month grid -----------------------------------------------------------------------


@dataclass
class GridDay:
    date: dt.date
    in_month: bool
    is_today: bool
    label: str
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass(frozen=True)
class MonthGrid:
    first: dt.date
    weeks: list[list[GridDay]]
    previous: dt.date
    next: dt.date
    count: int

    @property
    def title(self) -> str:
        return f"{self.first:%B %Y}"

    @property
    def days_with_events(self) -> list[GridDay]:
        return [day for week in self.weeks for day in week if day.entries]


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_grid(form: EventFilterForm, *, year: int, month: int) -> MonthGrid:
    """The month as weeks of days, each day listing the events that take place on it.

    An event that runs over several days is listed on each of them (within the month).
    """
    first = dt.date(year, month, 1)
    following = add_months(first, 1)
    events = events_filtered(form, upcoming_only=False).filter(
        starts_at__lt=_local_midnight(following), ends_at__gt=_local_midnight(first)
    )
    today = timezone.localdate()
    weeks = [
        [
            GridDay(date=d, in_month=d.month == month, is_today=d == today, label=_day(d))
            for d in week
        ]
        for week in WEEK.monthdatescalendar(year, month)
    ]
    by_date = {day.date: day for week in weeks for day in week if day.in_month}
    now = timezone.now()
    count = 0
    for event in events:
        count += 1
        entry = CalendarEntry.of(event, now=now)
        day = timezone.localdate(event.starts_at)
        last = timezone.localdate(event.ends_at - dt.timedelta(microseconds=1))
        while day <= last:
            if day in by_date:
                by_date[day].entries.append(entry)
            day += dt.timedelta(days=1)
    previous = add_months(first, -1)
    return MonthGrid(first=first, weeks=weeks, previous=previous, next=following, count=count)


# --- The event page -----------------------------------------------------------------------


def _with_seats(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_STATUSES))
    )


def event_get_public(*, pk: int) -> Event:
    """A published event with its host, program area, documents and `seats_taken`."""
    events = _with_seats(
        Event.objects.public().select_related("host", "program_area").prefetch_related("documents")
    )
    try:
        return events.get(pk=pk)
    except Event.DoesNotExist:
        raise Http404("No such event.") from None


# --- Home page and site search ------------------------------------------------------------


@dataclass(frozen=True)
class UpcomingEvent:
    url: str
    title: str
    when: str


def upcoming_events(*, limit: int = 5) -> list[UpcomingEvent]:
    """The next published, scheduled events, soonest first, for the home page."""
    events = (
        Event.objects.public()
        .filter(status=EventStatus.SCHEDULED, starts_at__gte=timezone.now())
        .only("id", "slug", "title", "starts_at")
        .order_by("starts_at", "id")[:limit]
    )
    return [UpcomingEvent(event.get_absolute_url(), event.title, when(event)) for event in events]


def search_events(text: str, *, limit: int = 50) -> list[SearchHit]:
    """Published upcoming or recent events matching a site search, best first."""
    query = search_query(text)
    recent = timezone.now() - dt.timedelta(days=SEARCH_RECENT_DAYS)
    matches = (
        Event.objects.public()
        .filter(search_vector=query, ends_at__gte=recent)
        .annotate(
            rank=search_rank(query),
            snippet=search_headline("description", query),
        )
        .order_by("-rank", "starts_at")[:limit]
    )
    return [
        SearchHit(
            f"Training · {event.get_kind_display()}",
            event.title,
            event.get_absolute_url(),
            _search_snippet(event),
            event.rank,
        )
        for event in matches
    ]


def _search_snippet(event: Event) -> SafeString:
    status = "" if event.status == EventStatus.SCHEDULED else f" ({event.get_status_display()})"
    text = highlighted_snippet(event.snippet or event.venue_name or event.title)
    return format_html("{}{} · {}", when(event), status, text)


@dataclass(frozen=True)
class RegistrationWindow:
    open: bool
    message: str


def registration_window(event: Event, *, now: dt.datetime | None = None) -> RegistrationWindow:
    """Whether the public can register now, and a sentence saying so (or why not)."""
    now = now or timezone.now()
    if not event.registration_required and event.status == EventStatus.SCHEDULED:
        return RegistrationWindow(False, "No registration is needed for this event.")
    refusal = registration_refusal(event, now=now)
    if refusal is not None:
        return RegistrationWindow(False, refusal.message)
    if event.registration_closes_at:
        closes = timezone.localtime(event.registration_closes_at)
        until = f"{closes:%B %-d, %Y} at {_time(closes)} {closes.tzname()}"
        return RegistrationWindow(True, f"Registration is open until {until}.")
    return RegistrationWindow(True, "Registration is open.")


def events_for_sitemap() -> QuerySet[Event]:
    """Published events from the last year on, for the sitemap."""
    since = timezone.now() - dt.timedelta(days=365)
    return Event.objects.public().filter(starts_at__gte=since).order_by("starts_at")


# --- For the monthly reports ----------------------------------------------------------------


def months_with_data(*, before: dt.date) -> list[dt.date]:
    """The months before `before` (a month's first day) in which a training event was held,
    by the monthly report's rule (training.reporting: scheduled, neither cancelled nor
    postponed), as their first days in order. Months are Central time."""
    until = dt.datetime.combine(before, dt.time.min, tzinfo=timezone.get_current_timezone())
    return list(
        Event.objects.filter(starts_at__lt=until, status=EventStatus.SCHEDULED)
        .annotate(month=TruncMonth("starts_at", output_field=DateField()))
        .order_by("month")
        .values_list("month", flat=True)
        .distinct()
    )


# --- For the staff landing page ------------------------------------------------------------


def coordinator_open_work(user) -> list[OpenWork]:
    """The coordinator's events today and this week (to Sunday), not counting cancelled
    ones: the rosters and check-ins coming up."""
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    after_sunday = today + dt.timedelta(days=7 - today.weekday())
    held = Event.objects.exclude(status=EventStatus.CANCELLED).filter(
        ends_at__gt=_local_midnight(today)
    )
    counts = held.aggregate(
        today=Count("pk", filter=Q(starts_at__lt=_local_midnight(tomorrow))),
        week=Count("pk", filter=Q(starts_at__lt=_local_midnight(after_sunday))),
    )
    return [
        OpenWork(counts["today"], "event today", "events today", "/staff/training/"),
        OpenWork(
            counts["week"],
            "event this week, today included",
            "events this week, today included",
            "/staff/training/",
        ),
    ]
