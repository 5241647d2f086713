"""The program measures of the data dictionary, computed in PostgreSQL (read-only selectors).

    report = program_measures(start=..., end=..., agency=None, provider=None,
                              substance_use=may_see_substance_use(user),
                              previous=previous_period(start, end),
                              year_before=year_before(start, end))
    report.months, report.agencies, report.providers, report.total  # Measures rows
    report.not_attributed                # what makes the provider table add up
    report.previous, report.year_before  # Comparison: total and agencies, or None

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

The month and agency rows add up to the whole program in every count column (people
linked aside: a person linked in two months or two agencies is one person). The provider
rows do not, and report.not_attributed is the row that makes them add up: each of its
counts is the whole program's less the sum of the provider rows. Every encounter has one
of the dictionary's providers (the form and the import accept no other), so its encounter
counts are zero (an encounter of any other provider would be counted here); what remains is
- mental-health calls: the calls of agency-months in which no provider recorded an
  encounter (calls_without_provider), less the calls of agency-months counted under more
  than one provider, once for each provider after the first (calls_counted_again): when
  two providers worked in Grandview in March, March's Grandview calls are in both rows.
  It is negative when the calls counted twice outweigh those of nobody.
- people linked: minus the people linked by more than one provider, once for each
  provider after the first (one person in the whole program, one in each provider's row).
Its rates (coverage, custody avoided share) are None: they describe no group of calls.
When the report is narrowed to one provider the row is all zeros.

Comparisons: coresponder.periods gives the periods a report is compared with (the
previous period, the same period a year before, and how each is found). program_measures
computes their whole-program and agency rows (report.previous, report.year_before, with
the same narrowing) in the same queries as the report's own, so comparing adds no query:
periods that do not overlap are one more GROUP BY column, overlapping ones (a range
longer than a year and the year before it) get each aggregate once per period, filtered
to its days. A period asked for twice is computed once.

The figures come from six queries, whatever the amount of data and the comparisons: four
GROUP BY queries (month and provider for the report's period; agency and whole for it and
the comparisons) with conditional aggregates for the encounter counts, one window query
with GROUPING SETS for repeat contacts, and one query of the call volume (at most
agencies × months rows, summed here). monthly_series gives the charts their figures with
two of them, agency_series the agency chart's with one.

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
    Case,
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
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from accounts.selectors import organizations_by_code
from core.dates import add_months, month_start
from coresponder import dictionary as dd
from coresponder.models import Encounter, MonthlyCallVolume
from coresponder.periods import Period
from coresponder.periods import previous_period as previous_period
from coresponder.periods import year_before as year_before

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


NOT_ATTRIBUTED = "Not attributed to a provider"


@dataclass(frozen=True)
class NotAttributed(Measures):
    """The whole program less the provider rows (see the module's docstring)."""

    label: str = NOT_ATTRIBUTED
    # Its mental-health calls are calls_without_provider - calls_counted_again.
    calls_without_provider: int = 0
    calls_counted_again: int = 0

    @property
    def coverage(self) -> None:
        return None

    @property
    def custody_avoided_share(self) -> None:
        return None


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
class Comparison:
    """The whole-program and agency rows of a period the report is compared with."""

    start: dt.date
    end: dt.date
    total: Measures
    agencies: list[Measures] = field(default_factory=list)


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
    not_attributed: NotAttributed = field(default_factory=NotAttributed)
    previous: Comparison | None = None
    year_before: Comparison | None = None

    @property
    def columns(self) -> list[Column]:
        return columns(substance_use=self.substance_use)


# --- The queries -----------------------------------------------------------------------

_COUNTED = [f.name for f in fields(Measures) if f.name not in ("label", "code", "mh_calls")]
_SUMMED = ["mh_calls", *_COUNTED]  # the columns a table's rows add up in


def _aggregates(*, substance_use: bool, within: Period | None = None) -> dict:
    """Conditional aggregates of every measure but repeat contacts (see _repeat_contacts),
    over the encounters of `within` alone when given."""
    days = Q(date__gte=within.start, date__lte=within.end) if within else Q()
    on_scene = Q(contact_type="on-scene")

    def count(condition: Q | None = None) -> Count:
        wanted = days & (condition or Q())
        return Count("id", filter=wanted) if wanted else Count("id")

    figures = {
        "encounters": count(),
        "onsite_assessments": count(on_scene & Q(assessment=True)),
        "field_assessments": count(Q(assessment=True)),
        "linked": count(Q(linked_to_services=True)),
        "people_linked": Count(
            "person_key",
            distinct=True,
            filter=days & Q(linked_to_services=True) & ~Q(person_key=""),
        ),
        "on_scene": count(on_scene),
        "custody_avoided": count(on_scene & ~Q(disposition__in=dd.CUSTODY_DISPOSITIONS)),
        "involuntary_holds": count(Q(disposition="involuntary-hold")),
        "clinician_minutes": Coalesce(
            Sum("minutes", filter=days) if within else Sum("minutes"),
            Value(0),
            output_field=IntegerField(),
        ),
    }
    if substance_use:
        figures["substance_use"] = count(Q(concerns__contains=[dd.SUBSTANCE_USE_CONCERN]))
        figures["substance_use_treatment"] = count(Q(service_type=dd.SUBSTANCE_USE_SERVICE))
    return figures


def _apart(periods: list[Period]) -> bool:
    """Whether no day is in two of the periods."""
    ordered = sorted(periods, key=lambda p: p.start)
    return all(a.end < b.start for a, b in zip(ordered, ordered[1:], strict=False))


def _by_period(
    rows: QuerySet[Encounter], periods: list[Period], group: list[str], *, substance_use: bool
) -> dict[tuple, dict]:
    """The aggregates of each period and group, keyed (period index, *group values), in
    one query. Periods that do not overlap are one more GROUP BY column (each encounter is
    in one of them); overlapping ones need each aggregate once per period, filtered."""
    aggregates = _aggregates(substance_use=substance_use)
    if len(periods) == 1 or _apart(periods):
        if len(periods) > 1:
            which = [
                When(date__gte=p.start, date__lte=p.end, then=Value(index))
                for index, p in enumerate(periods)
            ]
            rows = rows.annotate(period=Case(*which, output_field=IntegerField()))
        else:
            rows = rows.annotate(period=Value(0, output_field=IntegerField()))
        found = rows.values("period", *group).annotate(**aggregates)
        return {(r.pop("period"), *(r.pop(g) for g in group)): r for r in found}
    per_period = {
        f"p{index}_{name}": aggregate
        for index, period in enumerate(periods)
        for name, aggregate in _aggregates(substance_use=substance_use, within=period).items()
    }
    found = rows.values(*group).annotate(**per_period) if group else [rows.aggregate(**per_period)]
    return {
        (index, *(r[g] for g in group)): {name: r[f"p{index}_{name}"] for name in aggregates}
        for r in found
        for index in range(len(periods))
    }


def _narrowed(rows: QuerySet[Encounter], agency, provider) -> QuerySet[Encounter]:
    if agency is not None:
        rows = rows.filter(agency=agency)
    if provider is not None:
        rows = rows.filter(provider=provider)
    return rows.order_by()


def _encounters(start, end, agency, provider) -> QuerySet[Encounter]:
    return _narrowed(Encounter.objects.filter(date__gte=start, date__lte=end), agency, provider)


def _in_periods(periods: list[Period], agency, provider) -> QuerySet[Encounter]:
    days = Q()
    for period in periods:
        days |= Q(date__gte=period.start, date__lte=period.end)
    return _narrowed(Encounter.objects.filter(days), agency, provider)


# Repeat contacts: lag() over each person's encounters in date order gives the one just
# before; the encounter is a repeat contact when that one is on or after the same day a
# year earlier. The window runs over every agency and provider and starts a year before
# the earliest period, so earlier encounters outside the periods (or the filters) still
# count; the periods and the filters apply to the encounters counted, one count per
# period. GROUPING SETS give the month, agency, provider and whole counts in one pass.
# The index encounter_repeat_contacts (migration 0004) serves the window without a sort.
_REPEAT_SQL = """
SELECT GROUPING(date_trunc('month', seen.date), seen.agency_id, seen.provider_id),
       date_trunc('month', seen.date)::date, seen.agency_id, seen.provider_id, {counts}
FROM (
    SELECT e.date, e.agency_id, e.provider_id,
           lag(e.date) OVER (PARTITION BY e.person_key ORDER BY e.date, e.id) AS previous
    FROM {table} AS e
    WHERE e.person_key <> ''
      AND e.date >= (%(first)s::date - interval '1 year')::date AND e.date <= %(last)s
) AS seen
WHERE ({within})
  AND seen.previous >= (seen.date - interval '1 year')::date
  {narrow}
GROUP BY GROUPING SETS (
    (date_trunc('month', seen.date)), (seen.agency_id), (seen.provider_id), ()
)
"""
_GROUPING = {3: "month", 5: "agency", 6: "provider", 7: "whole"}


def _repeat_contacts(
    periods: list[Period], agency, provider
) -> list[dict[tuple[str, object], int]]:
    """Repeat contacts of each period, keyed ("month", date), ("agency", id),
    ("provider", id), ("whole", None)."""
    params: dict = {
        "first": min(p.start for p in periods),
        "last": max(p.end for p in periods),
    }
    within, counts = [], []
    for index, period in enumerate(periods):
        params[f"start_{index}"], params[f"end_{index}"] = period.start, period.end
        days = f"seen.date BETWEEN %(start_{index})s AND %(end_{index})s"
        within.append(days)
        counts.append(f"count(*) FILTER (WHERE {days})")
    narrow = ""
    if agency is not None:
        narrow += " AND seen.agency_id = %(agency)s"
        params["agency"] = agency.pk
    if provider is not None:
        narrow += " AND seen.provider_id = %(provider)s"
        params["provider"] = provider.pk
    sql = _REPEAT_SQL.format(
        table=connection.ops.quote_name(Encounter._meta.db_table),
        counts=", ".join(counts),
        within=" OR ".join(within),
        narrow=narrow,
    )
    found: list[dict] = [{} for _ in periods]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for grouping, month, agency_id, provider_id, *per_period in cursor.fetchall():
            kind = _GROUPING[grouping]
            key = {"month": month, "agency": agency_id, "provider": provider_id}.get(kind)
            for index, count in enumerate(per_period):
                if count:
                    found[index][(kind, key)] = count
    return found


def directory() -> tuple[list[Organization], list[Organization]]:
    """The dictionary's agencies and providers, in the dictionary's order."""
    orgs = organizations_by_code()
    return (
        [orgs[c] for c in dd.AGENCIES if c in orgs],
        [orgs[c] for c in dd.PROVIDERS if c in orgs],
    )


@dataclass
class _Calls:
    """mh_calls of one period summed per month, agency and provider (see the module's
    docstring), and the parts of the not-attributed row."""

    month: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    agency: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    provider: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    without_provider: int = 0
    counted_again: int = 0

    @property
    def total(self) -> int:
        return sum(self.month.values())


def _calls(
    periods: list[Period], agencies, providers, narrowed_to: Organization | None
) -> list[_Calls]:
    """Sum the agency-month cells (at most agencies × months rows, never encounters) for
    each period; the providers' columns only for the first (the report's own period)."""
    # Whether a provider served a cell: in the first period every provider (the provider
    # rows), in the others only the one the report is narrowed to (its calls alone count).
    served = {}
    for index, period in enumerate(periods):
        for p in providers if index == 0 else [narrowed_to] if narrowed_to else []:
            served[f"served_{index}_{p.pk}"] = Exists(
                Encounter.objects.filter(
                    agency=OuterRef("agency"),
                    provider=p,
                    date__gte=OuterRef("month"),
                    date__lt=MonthAfter(OuterRef("month")),
                ).filter(date__gte=period.start, date__lte=period.end)
            )
    months = Q()
    for period in periods:
        months |= Q(month__gte=month_start(period.start), month__lte=period.end)
    cells = (
        MonthlyCallVolume.objects.filter(months, agency__in=agencies)
        .order_by()
        .annotate(**served)
        .values("agency_id", "month", "mh_calls", *served)
    )
    found = [_Calls() for _ in periods]
    for cell in cells:
        for index, period in enumerate(periods):
            if not period.touches_month(cell["month"]):
                continue
            calls = found[index]
            if narrowed_to is not None and not cell[f"served_{index}_{narrowed_to.pk}"]:
                continue
            calls.month[cell["month"]] += cell["mh_calls"]
            calls.agency[cell["agency_id"]] += cell["mh_calls"]
            if index == 0:
                serving = [p for p in providers if cell[f"served_0_{p.pk}"]]
                for p in serving:
                    calls.provider[p.pk] += cell["mh_calls"]
                if not serving:
                    calls.without_provider += cell["mh_calls"]
                else:
                    calls.counted_again += cell["mh_calls"] * (len(serving) - 1)
    return found


def _by_month(rows: QuerySet[Encounter], aggregates: dict) -> dict[dt.date, dict]:
    return {
        r.pop("m"): r
        for r in rows.annotate(m=TruncMonth("date", output_field=DateField()))
        .values("m")
        .annotate(**aggregates)
    }


def _not_attributed(total: Measures, providers: list[Measures], calls: _Calls) -> NotAttributed:
    values = {}
    for name in _SUMMED:
        whole = getattr(total, name)
        values[name] = None if whole is None else whole - sum(getattr(p, name) for p in providers)
    return NotAttributed(
        calls_without_provider=calls.without_provider,
        calls_counted_again=calls.counted_again,
        **values,
    )


def program_measures(
    *,
    start: dt.date,
    end: dt.date,
    agency: Organization | None = None,
    provider: Organization | None = None,
    substance_use: bool = False,
    orgs: tuple[list[Organization], list[Organization]] | None = None,
    previous: Period | None = None,
    year_before: Period | None = None,
) -> Report:
    """Every program measure for the range, by month, agency, provider and as a whole.

    `agency` / `provider` narrow the report to one of them; `substance_use` adds the
    substance-use figures (pass may_see_substance_use(user), never True for police roles).
    `orgs` is directory()'s answer when the caller already has it. `previous` and
    `year_before` (periods, see previous_period and year_before) add the whole-program and
    agency rows of those periods as report.previous and report.year_before, with the same
    narrowing. Six queries, whatever the amount of data and the comparisons; none when
    end is before start (an empty report, without comparisons).
    """
    all_agencies, all_providers = orgs or directory()
    agencies = [agency] if agency is not None else all_agencies
    providers = [provider] if provider is not None else all_providers
    report = Report(start, end, agency, provider, substance_use)
    if end < start:
        return report

    # The report's period first, then each comparison once (two may be the same period).
    periods = [Period(start, end)]
    for wanted in (previous, year_before):
        if wanted is not None and wanted not in periods:
            periods.append(wanted)
    rows = _encounters(start, end, agency, provider)
    compared = _in_periods(periods, agency, provider)
    aggregates = _aggregates(substance_use=substance_use)
    by_month = _by_month(rows, aggregates)
    by_agency = _by_period(compared, periods, ["agency_id"], substance_use=substance_use)
    by_provider = {
        r.pop("provider_id"): r for r in rows.values("provider_id").annotate(**aggregates)
    }
    whole = _by_period(compared, periods, [], substance_use=substance_use)
    repeats = _repeat_contacts(periods, agency, provider)
    calls = _calls(periods, agencies, providers, provider)

    def row(label: str, code: str, counted, mh_calls: int, key, index: int = 0) -> Measures:
        values = dict.fromkeys(_COUNTED, 0)
        if not substance_use:
            values.update(substance_use=None, substance_use_treatment=None)
        values.update(counted or {})
        values["repeat_contacts"] = repeats[index].get(key, 0)
        return Measures(label=label, code=code, mh_calls=mh_calls, **values)

    def agency_rows(index: int) -> list[Measures]:
        return [
            row(
                a.name,
                a.dictionary_code,
                by_agency.get((index, a.pk)),
                calls[index].agency[a.pk],
                ("agency", a.pk),
                index,
            )
            for a in agencies
        ]

    def total(index: int) -> Measures:
        counted = whole.get((index,))
        return row("Whole program", "", counted, calls[index].total, ("whole", None), index)

    def comparison(period: Period | None) -> Comparison | None:
        if period is None:
            return None
        index = periods.index(period)
        return Comparison(period.start, period.end, total(index), agency_rows(index))

    provider_rows = [
        row(
            p.name,
            p.dictionary_code,
            by_provider.get(p.pk),
            calls[0].provider[p.pk],
            ("provider", p.pk),
        )
        for p in providers
    ]
    whole_row = total(0)
    return replace(
        report,
        months=[
            row(f"{m:%B %Y}", f"{m:%Y-%m}", by_month.get(m), calls[0].month[m], ("month", m))
            for m in months_between(start, end)
        ],
        agencies=agency_rows(0),
        providers=provider_rows,
        total=whole_row,
        not_attributed=_not_attributed(whole_row, provider_rows, calls[0]),
        previous=comparison(previous),
        year_before=comparison(year_before),
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
    [calls] = _calls([Period(start, end)], agencies, providers, provider)
    empty = dict.fromkeys(wanted, 0)
    return [
        MonthPoint(month=m, mh_calls=calls.month[m], **by_month.get(m, empty))
        for m in months_between(start, end)
    ]


@dataclass(frozen=True)
class AgencyPoint:
    """Encounters of one agency in the report's period and in each compared period (the
    same figures as the agency rows of program_measures and its comparisons)."""

    label: str
    code: str
    encounters: tuple[int, ...]


def agency_series(
    *,
    periods: list[Period],
    agency: Organization | None = None,
    provider: Organization | None = None,
    orgs: tuple[list[Organization], list[Organization]] | None = None,
) -> list[AgencyPoint]:
    """Encounters per agency in each period, in the given order (one query), for the
    agency chart."""
    all_agencies, _ = orgs or directory()
    agencies = [agency] if agency is not None else all_agencies
    periods = [p for p in periods if p.start <= p.end]
    if not periods:
        return [AgencyPoint(a.name, a.dictionary_code, ()) for a in agencies]
    counts = {
        f"p{index}": Count("id", filter=Q(date__gte=p.start, date__lte=p.end))
        for index, p in enumerate(periods)
    }
    found = {
        r.pop("agency_id"): r
        for r in _in_periods(periods, agency, provider).values("agency_id").annotate(**counts)
    }
    return [
        AgencyPoint(
            a.name,
            a.dictionary_code,
            tuple(found.get(a.pk, {}).get(f"p{index}", 0) for index in range(len(periods))),
        )
        for a in agencies
    ]
