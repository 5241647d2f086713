"""The program measures of the data dictionary, computed in PostgreSQL (read-only selectors).

    report = program_measures(start=..., end=..., agency=None, provider=None,
                              substance_use=may_see_substance_use(user))
    report.months, report.agencies, report.providers, report.total  # Measures rows

Every measure of the dictionary's "Program measures" table, for any range of dates (both
ends included), per month, per agency, per provider and for the program as a whole:

- mental-health calls: sum of `mh_calls` of MonthlyCallVolume. Call volume is monthly, so
  a range counts the whole months it touches: a range starting or ending mid-month
  compares part of a month's encounters with the whole month's calls. A provider has no
  call volume of its own: its calls are those of the agency-months (within the range) in
  which it recorded at least one encounter; the same rule applies to every row when the
  report is narrowed to one provider.
- encounters, on-site assessments (on-scene and assessment), field assessments
  (assessment, any contact type), linked to services, involuntary holds, clinician time
  (sum of minutes; encounters without minutes add nothing): counts and sums.
- assessment coverage: on-site assessments / mental-health calls (None without calls).
- distinct people linked: distinct non-blank person_key among encounters linked to
  services (counted per row: a person linked in two months counts once in each month and
  once for the whole range).
- arrest or custody avoided: on-scene encounters whose disposition is neither `arrest`
  nor `other-custody`, as a share of on-scene encounters (None without any).
- repeat contacts: encounters whose person_key appears in an earlier encounter (an
  earlier date, or the same date and entered before) on or after the same calendar day
  one year earlier ("within 12 months": 2025-06-15 looks back to 2024-06-15 included).
  Earlier encounters count from any agency and provider, also before the range.
- substance use (only when asked for with substance_use=True, which the caller decides
  with coresponder.access.may_see_substance_use): encounters with the concern
  `substance-use`, and encounters linked to `substance-use-treatment`. Without it these
  figures are not computed at all, so they cannot leak into a page, a file or a chart.

The figures come from six queries, whatever the amount of data: four GROUP BY queries
(month, agency, provider, whole) with conditional aggregates for the encounter counts,
one window query with GROUPING SETS for repeat contacts, and one query of the call volume
(at most agencies × months rows, summed here). monthly_series gives the charts their
figures with two of them.

Staff-only figures: small counts are shown as they are. The small-cell suppression of the
domain notes applies to public statistics, which live elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from accounts.selectors import organizations_by_code
from core.dates import add_months, month_start
from coresponder import dictionary as dd
from coresponder.models import Encounter, MonthlyCallVolume

if TYPE_CHECKING:
    from accounts.models import Organization


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each calendar month from start's to end's, in order."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


class MonthAfter(Func):
    """The first day of the next month, for a date that is a month's first day."""

    template = "(%(expressions)s + interval '1 month')::date"
    output_field = DateField()


# --- The rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """Every program measure for one row of a table (a month, an agency, a provider, all)."""

    label: str
    code: str = ""  # YYYY-MM for a month, the dictionary code of an agency or provider
    mh_calls: int = 0
    encounters: int = 0
    onsite_assessments: int = 0
    field_assessments: int = 0
    linked: int = 0
    people_linked: int = 0
    on_scene: int = 0
    custody_avoided: int = 0
    involuntary_holds: int = 0
    repeat_contacts: int = 0
    clinician_minutes: int = 0
    # Substance-use information: None unless the report was asked for with it.
    substance_use: int | None = None
    substance_use_treatment: int | None = None

    @property
    def coverage(self) -> float | None:
        """On-site assessments per mental-health call (None when there were no calls)."""
        return self.onsite_assessments / self.mh_calls if self.mh_calls else None

    @property
    def custody_avoided_share(self) -> float | None:
        """Share of on-scene encounters that ended without arrest or other custody."""
        return self.custody_avoided / self.on_scene if self.on_scene else None


@dataclass(frozen=True)
class Column:
    """A measure as shown in a table or a CSV file."""

    name: str  # attribute of Measures
    label: str
    kind: str = "count"  # count | percent | minutes
    help: str = ""


COLUMNS = [
    Column("mh_calls", "Mental-health calls", help="Calls coded mental-health in CAD"),
    Column("encounters", "Encounters"),
    Column("onsite_assessments", "On-site assessments", help="On scene, with an assessment"),
    Column("coverage", "Assessment coverage", "percent", "On-site assessments per call"),
    Column("field_assessments", "Field assessments", help="Any contact type"),
    Column("linked", "Linked to services"),
    Column("people_linked", "People linked", help="Distinct person keys"),
    Column("on_scene", "On-scene encounters"),
    Column("custody_avoided", "Arrest or custody avoided", help="On-scene encounters"),
    Column(
        "custody_avoided_share",
        "Arrest or custody avoided, share",
        "percent",
        "Of on-scene encounters",
    ),
    Column("involuntary_holds", "Involuntary holds"),
    Column("repeat_contacts", "Repeat contacts", help="Seen in the 12 months before"),
    Column("clinician_minutes", "Clinician time", "minutes"),
]
SUBSTANCE_USE_COLUMNS = [
    Column("substance_use", "Substance-use concern"),
    Column("substance_use_treatment", "Linked to substance-use treatment"),
]


def columns(*, substance_use: bool) -> list[Column]:
    return COLUMNS + SUBSTANCE_USE_COLUMNS if substance_use else list(COLUMNS)


@dataclass(frozen=True)
class Report:
    start: dt.date
    end: dt.date
    agency: Organization | None
    provider: Organization | None
    substance_use: bool
    months: list[Measures] = field(default_factory=list)
    agencies: list[Measures] = field(default_factory=list)
    providers: list[Measures] = field(default_factory=list)
    total: Measures = field(default_factory=lambda: Measures(label="Whole program"))

    @property
    def columns(self) -> list[Column]:
        return columns(substance_use=self.substance_use)


# --- The queries -----------------------------------------------------------------------

_COUNTED = [f.name for f in fields(Measures) if f.name not in ("label", "code", "mh_calls")]


def _aggregates(*, substance_use: bool) -> dict:
    """Conditional aggregates of every measure but repeat contacts (see _repeat_contacts)."""
    on_scene = Q(contact_type="on-scene")
    figures = {
        "encounters": Count("id"),
        "onsite_assessments": Count("id", filter=on_scene & Q(assessment=True)),
        "field_assessments": Count("id", filter=Q(assessment=True)),
        "linked": Count("id", filter=Q(linked_to_services=True)),
        "people_linked": Count(
            "person_key", distinct=True, filter=Q(linked_to_services=True) & ~Q(person_key="")
        ),
        "on_scene": Count("id", filter=on_scene),
        "custody_avoided": Count(
            "id", filter=on_scene & ~Q(disposition__in=dd.CUSTODY_DISPOSITIONS)
        ),
        "involuntary_holds": Count("id", filter=Q(disposition="involuntary-hold")),
        "clinician_minutes": Coalesce(Sum("minutes"), Value(0), output_field=IntegerField()),
    }
    if substance_use:
        figures["substance_use"] = Count(
            "id", filter=Q(concerns__contains=[dd.SUBSTANCE_USE_CONCERN])
        )
        figures["substance_use_treatment"] = Count(
            "id", filter=Q(service_type=dd.SUBSTANCE_USE_SERVICE)
        )
    return figures


def _encounters(start, end, agency, provider) -> QuerySet[Encounter]:
    rows = Encounter.objects.filter(date__gte=start, date__lte=end)
    if agency is not None:
        rows = rows.filter(agency=agency)
    if provider is not None:
        rows = rows.filter(provider=provider)
    return rows.order_by()


# Repeat contacts: lag() over each person's encounters in date order gives the one just
# before; the encounter is a repeat contact when that one is on or after the same day a
# year earlier. The window runs over every agency and provider and starts a year before
# the range, so earlier encounters outside the range (or the filters) still count; the
# range and the filters apply to the encounters counted. GROUPING SETS give the month,
# agency, provider and whole-range counts in one pass. The index
# encounter_repeat_contacts (migration 0004) serves the window without a sort.
_REPEAT_SQL = """
SELECT GROUPING(date_trunc('month', seen.date), seen.agency_id, seen.provider_id),
       date_trunc('month', seen.date)::date, seen.agency_id, seen.provider_id, count(*)
FROM (
    SELECT e.date, e.agency_id, e.provider_id,
           lag(e.date) OVER (PARTITION BY e.person_key ORDER BY e.date, e.id) AS previous
    FROM {table} AS e
    WHERE e.person_key <> ''
      AND e.date >= (%(start)s::date - interval '1 year')::date AND e.date <= %(end)s
) AS seen
WHERE seen.date >= %(start)s
  AND seen.previous >= (seen.date - interval '1 year')::date
  {narrow}
GROUP BY GROUPING SETS (
    (date_trunc('month', seen.date)), (seen.agency_id), (seen.provider_id), ()
)
"""
_GROUPING = {3: "month", 5: "agency", 6: "provider", 7: "whole"}


def _repeat_contacts(start, end, agency, provider) -> dict[tuple[str, object], int]:
    """Repeat contacts keyed ("month", date), ("agency", id), ("provider", id), ("whole", None)."""
    narrow, params = "", {"start": start, "end": end}
    if agency is not None:
        narrow += " AND seen.agency_id = %(agency)s"
        params["agency"] = agency.pk
    if provider is not None:
        narrow += " AND seen.provider_id = %(provider)s"
        params["provider"] = provider.pk
    sql = _REPEAT_SQL.format(
        table=connection.ops.quote_name(Encounter._meta.db_table), narrow=narrow
    )
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for grouping, month, agency_id, provider_id, count in cursor.fetchall():
            kind = _GROUPING[grouping]
            key = {"month": month, "agency": agency_id, "provider": provider_id}.get(kind)
            counts[(kind, key)] = count
    return counts


def _volume_cells(start, end, agencies, providers) -> list[dict]:
    """mh_calls of each agency-month in the range, with whether each provider served it
    (recorded an encounter there, within the range)."""
    served = {
        f"served_{p.pk}": Exists(
            Encounter.objects.filter(
                agency=OuterRef("agency"),
                provider=p,
                date__gte=OuterRef("month"),
                date__lt=MonthAfter(OuterRef("month")),
            ).filter(date__gte=start, date__lte=end)
        )
        for p in providers
    }
    return list(
        MonthlyCallVolume.objects.filter(
            agency__in=agencies, month__gte=month_start(start), month__lte=end
        )
        .order_by()
        .annotate(**served)
        .values("agency_id", "month", "mh_calls", *served)
    )


def directory() -> tuple[list[Organization], list[Organization]]:
    """The dictionary's agencies and providers, in the dictionary's order."""
    orgs = organizations_by_code()
    return (
        [orgs[c] for c in dd.AGENCIES if c in orgs],
        [orgs[c] for c in dd.PROVIDERS if c in orgs],
    )


@dataclass
class _Calls:
    """mh_calls summed per month, agency and provider (see the module's docstring)."""

    month: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    agency: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    provider: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def _calls(start, end, agencies, providers, narrowed_to: Organization | None) -> _Calls:
    """Sum the agency-month cells (at most agencies × months rows, never encounters)."""
    calls = _Calls()
    for cell in _volume_cells(start, end, agencies, providers):
        for p in providers:
            if cell[f"served_{p.pk}"]:
                calls.provider[p.pk] += cell["mh_calls"]
        if narrowed_to is not None and not cell[f"served_{narrowed_to.pk}"]:
            continue
        calls.month[cell["month"]] += cell["mh_calls"]
        calls.agency[cell["agency_id"]] += cell["mh_calls"]
    return calls


def _by_month(rows: QuerySet[Encounter], aggregates: dict) -> dict[dt.date, dict]:
    return {
        r.pop("m"): r
        for r in rows.annotate(m=TruncMonth("date", output_field=DateField()))
        .values("m")
        .annotate(**aggregates)
    }


def program_measures(
    *,
    start: dt.date,
    end: dt.date,
    agency: Organization | None = None,
    provider: Organization | None = None,
    substance_use: bool = False,
    orgs: tuple[list[Organization], list[Organization]] | None = None,
) -> Report:
    """Every program measure for the range, by month, agency, provider and as a whole.

    `agency` / `provider` narrow the report to one of them; `substance_use` adds the
    substance-use figures (pass may_see_substance_use(user), never True for police roles).
    `orgs` is directory()'s answer when the caller already has it. Six queries, whatever
    the amount of data; none when end is before start (an empty report).
    """
    all_agencies, all_providers = orgs or directory()
    agencies = [agency] if agency is not None else all_agencies
    providers = [provider] if provider is not None else all_providers
    report = Report(start, end, agency, provider, substance_use)
    if end < start:
        return report

    rows = _encounters(start, end, agency, provider)
    aggregates = _aggregates(substance_use=substance_use)
    by_month = _by_month(rows, aggregates)
    by_agency = {r.pop("agency_id"): r for r in rows.values("agency_id").annotate(**aggregates)}
    by_provider = {
        r.pop("provider_id"): r for r in rows.values("provider_id").annotate(**aggregates)
    }
    whole = rows.aggregate(**aggregates)
    repeats = _repeat_contacts(start, end, agency, provider)
    calls = _calls(start, end, agencies, providers, provider)

    def row(label: str, code: str, counted: dict | None, mh_calls: int, key) -> Measures:
        values = dict.fromkeys(_COUNTED, 0)
        if not substance_use:
            values.update(substance_use=None, substance_use_treatment=None)
        values.update(counted or {})
        values["repeat_contacts"] = repeats.get(key, 0)
        return Measures(label=label, code=code, mh_calls=mh_calls, **values)

    return replace(
        report,
        months=[
            row(f"{m:%B %Y}", f"{m:%Y-%m}", by_month.get(m), calls.month[m], ("month", m))
            for m in months_between(start, end)
        ],
        agencies=[
            row(
                a.name, a.dictionary_code, by_agency.get(a.pk), calls.agency[a.pk], ("agency", a.pk)
            )
            for a in agencies
        ],
        providers=[
            row(
                p.name,
                p.dictionary_code,
                by_provider.get(p.pk),
                calls.provider[p.pk],
                ("provider", p.pk),
            )
            for p in providers
        ],
        total=row("Whole program", "", whole, sum(calls.month.values()), ("whole", None)),
    )


@dataclass(frozen=True)
class MonthPoint:
    """The figures the charts draw for one month (the same as the month table's)."""

    month: dt.date
    mh_calls: int
    encounters: int
    onsite_assessments: int

    @property
    def coverage(self) -> float | None:
        return self.onsite_assessments / self.mh_calls if self.mh_calls else None


def monthly_series(
    *,
    start: dt.date,
    end: dt.date,
    agency: Organization | None = None,
    provider: Organization | None = None,
    orgs: tuple[list[Organization], list[Organization]] | None = None,
) -> list[MonthPoint]:
    """Calls, encounters and on-site assessments per month, for the charts (two queries).

    The same definitions as program_measures, and never any substance-use figure.
    """
    all_agencies, all_providers = orgs or directory()
    if end < start:
        return []
    agencies = [agency] if agency is not None else all_agencies
    providers = [provider] if provider is not None else all_providers
    aggregates = _aggregates(substance_use=False)
    wanted = {k: aggregates[k] for k in ("encounters", "onsite_assessments")}
    by_month = _by_month(_encounters(start, end, agency, provider), wanted)
    calls = _calls(start, end, agencies, providers, provider)
    empty = dict.fromkeys(wanted, 0)
    return [
        MonthPoint(month=m, mh_calls=calls.month[m], **by_month.get(m, empty))
        for m in months_between(start, end)
    ]
