"""Data-quality checks of the co-responder records: the one home of these rules.

The encounter form, the CSV import, the call-volume form and the dashboard all ask here,
so a rule is stated once and reads the same everywhere.

An error stops a record from being saved:

- an encounter dated before the program's start (settings.CORESPONDER_PROGRAM_START) or
  in the future: `encounter_date_problem`. A year typed 0015 for 2015 is a slip of the
  keyboard, not a record. The same for the month of a call volume: `volume_month_problem`.

A warning saves the record but asks someone to look at one agency and month
(`data_checks`), because a figure built on it would mislead:

- coverage-over-100: more on-site assessments than mental-health calls;
- encounters-without-volume: encounters, but no call volume entered, so the measures
  count the month as zero calls. The current month is left out: its calls can only be
  counted once it has ended;
- volume-without-mh-calls: a call volume of 0 mental-health calls.

An agency-month has at most one of these warnings. They are counted on whole calendar
months, whatever days of those months the range covers; narrowed to a provider, the
encounters are that provider's and the months those in which it recorded any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse

from core.dates import add_months, month_start
from coresponder import dictionary as dd
from coresponder import services
from coresponder.models import Encounter, MonthlyCallVolume

ERROR = "error"
WARNING = "warning"

COVERAGE_OVER_100 = "coverage-over-100"
ENCOUNTERS_WITHOUT_VOLUME = "encounters-without-volume"
VOLUME_WITHOUT_MH_CALLS = "volume-without-mh-calls"

_AGENCY_ORDER = {code: position for position, code in enumerate(dd.AGENCIES)}


@dataclass(frozen=True)
class Check:
    """One thing to look at: an agency and month, what is odd, and where to correct it."""

    severity: str  # ERROR | WARNING
    code: str  # COVERAGE_OVER_100 | ENCOUNTERS_WITHOUT_VOLUME | VOLUME_WITHOUT_MH_CALLS
    message: str  # a sentence naming the agency and the month
    agency: str  # the agency's dictionary code
    month: dt.date  # the month's first day
    url: str  # the rows: the encounter list or the call-volume form, for that agency-month
    link_text: str = "See the records"

    def as_dict(self) -> dict:
        """For a JSON field (an import job's warnings): the month written YYYY-MM-DD."""
        return {**asdict(self), "month": self.month.isoformat()}


# --- Errors ----------------------------------------------------------------------------


def program_start() -> dt.date:
    return settings.CORESPONDER_PROGRAM_START


def encounter_date_problem(value: dt.date, *, today: dt.date) -> str | None:
    """Why an encounter cannot have this date, or None when it can. Written as the data
    dictionary's reasons are (no final period): the form and the import show it as such."""
    start = program_start()
    if value < start:
        return (
            f"{value.isoformat()} is before the program's start ({start.isoformat()}): "
            "check the date"
        )
    if value > today:
        return f"{value.isoformat()} is in the future"
    return None


def volume_month_problem(month: dt.date, *, today: dt.date) -> str | None:
    """Why call volume cannot be entered for this month, or None. Written to follow the
    column's name, as the dictionary's "is required" ("Month is in the future.")."""
    start = program_start()
    if month < month_start(start):
        return f"is before the program's start ({start.isoformat()})"
    if month > month_start(today):
        return "is in the future"
    return None


# --- Warnings --------------------------------------------------------------------------


def encounters_url(agency: str, month: dt.date) -> str:
    query = urlencode({"month": f"{month:%Y-%m}", "agency": agency})
    return f"{reverse('coresponder:entry:encounters')}?{query}"


def volume_url(agency: str, month: dt.date) -> str:
    query = urlencode({"agency": agency, "month": f"{month:%Y-%m}"})
    return f"{reverse('coresponder:entry:volume')}?{query}#volume-form"


def _percent(part: int, whole: int) -> str:
    """239%, or 100.4% where rounding would hide that it is over 100."""
    share = 100 * part / whole
    shown = f"{share:.0f}"
    if shown == "100" and part > whole:
        shown = f"{share:.1f}"
    return f"{shown}%"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _coverage(agency: str, name: str, month: dt.date, onsite: int, calls: int) -> Check:
    place = f"{name}, {month:%B %Y}"
    return Check(
        severity=WARNING,
        code=COVERAGE_OVER_100,
        message=(
            f"{place}: {_plural(onsite, 'on-site assessment')} for "
            f"{_plural(calls, 'mental-health call')} ({_percent(onsite, calls)} coverage). "
            "Check the call volume or the encounters."
        ),
        agency=agency,
        month=month,
        url=encounters_url(agency, month),
        link_text="See the encounters",
    )


def _without_volume(agency: str, name: str, month: dt.date, encounters: int) -> Check:
    return Check(
        severity=WARNING,
        code=ENCOUNTERS_WITHOUT_VOLUME,
        message=(
            f"{name}, {month:%B %Y}: {_plural(encounters, 'encounter')} but no call volume, "
            "so the measures count the month as zero mental-health calls. "
            "Enter the month's call volume."
        ),
        agency=agency,
        month=month,
        url=volume_url(agency, month),
        link_text="Enter the call volume",
    )


def _zero_calls(agency: str, name: str, month: dt.date, encounters: int) -> Check:
    seen = ""
    if encounters:
        verb = "was" if encounters == 1 else "were"
        seen = f", yet {_plural(encounters, 'encounter')} {verb} recorded"
    return Check(
        severity=WARNING,
        code=VOLUME_WITHOUT_MH_CALLS,
        message=(
            f"{name}, {month:%B %Y}: the call volume has 0 mental-health calls{seen}. "
            "Check the number against the department's CAD."
        ),
        agency=agency,
        month=month,
        url=volume_url(agency, month),
        link_text="Correct the call volume",
    )


def data_checks(
    *,
    start: dt.date,
    end: dt.date,
    agency: str | None = None,
    provider: str | None = None,
) -> list[Check]:
    """The warnings for the agency-months of the calendar months start..end touches,
    sorted by month and then agency (the dictionary's order). `agency` and `provider` are
    dictionary codes narrowing the checks. Two queries (encounters grouped by agency and
    month, and the call volume of those months); none when end is before start."""
    first, last = month_start(start), month_start(end)
    if last < first:
        return []
    encounters = Encounter.objects.filter(date__gte=first, date__lt=add_months(last, 1))
    volumes = MonthlyCallVolume.objects.filter(month__gte=first, month__lte=last)
    if agency:
        encounters = encounters.filter(agency__dictionary_code=agency)
        volumes = volumes.filter(agency__dictionary_code=agency)
    if provider:
        encounters = encounters.filter(provider__dictionary_code=provider)
    counted = {
        (row["agency__dictionary_code"], row["month"]): row
        for row in encounters.order_by()
        .annotate(month=TruncMonth("date", output_field=DateField()))
        .values("agency__dictionary_code", "agency__name", "month")
        .annotate(
            encounters=Count("id"),
            onsite=Count("id", filter=Q(contact_type="on-scene", assessment=True)),
        )
    }
    calls = {
        (row["agency__dictionary_code"], row["month"]): row
        for row in volumes.order_by().values(
            "agency__dictionary_code", "agency__name", "month", "mh_calls"
        )
    }
    current = month_start(services.today())
    checks = []
    for key in counted.keys() | calls.keys():
        code, month = key
        seen, volume = counted.get(key), calls.get(key)
        name = (seen or volume)["agency__name"]
        encounters_seen = seen["encounters"] if seen else 0
        if volume is None:
            if month < current:
                checks.append(_without_volume(code, name, month, encounters_seen))
        elif provider and seen is None:
            continue  # a month this provider did not work in
        elif volume["mh_calls"] == 0:
            checks.append(_zero_calls(code, name, month, encounters_seen))
        elif seen and seen["onsite"] > volume["mh_calls"]:
            checks.append(_coverage(code, name, month, seen["onsite"], volume["mh_calls"]))
    checks.sort(key=lambda c: (c.month, _AGENCY_ORDER.get(c.agency, len(_AGENCY_ORDER)), c.agency))
    return checks


def checks_for_months(
    cells: Iterable[tuple[str, dt.date]], *, provider: str | None = None, volume_links: bool = True
) -> list[Check]:
    """The warnings of these (agency code, month) cells only, e.g. those an import touched.

    `volume_links=False` (someone who cannot open the call-volume page, a clinician) links
    every warning to the encounters of that agency-month instead."""
    cells = {(code, month_start(month)) for code, month in cells}
    if not cells:
        return []
    months = [month for _, month in cells]
    agencies = {code for code, _ in cells}
    checks = data_checks(
        start=min(months),
        end=max(months),
        agency=next(iter(agencies)) if len(agencies) == 1 else None,
        provider=provider,
    )
    checks = [check for check in checks if (check.agency, check.month) in cells]
    if not volume_links:
        checks = [
            replace(c, url=encounters_url(c.agency, c.month), link_text="See the encounters")
            for c in checks
        ]
    return checks
