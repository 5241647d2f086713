"""The monthly reports' content, by kind, read through the apps' selectors.

    built = build(run)  # BuiltReport(html=str, pdf=bytes, csv=bytes, xlsx=bytes)

- coresponder: the data dictionary's program measures for the month, the previous month
  and the year to date, program-wide or for one agency ("agency:<code>") or provider
  ("provider:<code>"), and a chart of the last twelve months. Agency reports are read by
  police liaisons, so they are built without the substance-use figures: those are not
  even computed (coresponder.selectors.program_measures with substance_use=False).
- peersupport: de-identified counts only, from peersupport.selectors, whose figures never
  read a contact field; no reference, name, agency or contact detail reaches a report.
- training: events held by kind and audience, registrations, attendance, credit hours
  (training.selectors.training_month_figures).
- summary: the headline figures of the three programs, this month and the month before;
  co-responder figures without substance use.

Nothing here writes to another app's tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from core.dates import add_months, month_end
from coresponder.selectors import (
    Column,
    Measures,
    chart_description,
    chart_svg,
    chart_title,
    columns,
    directory,
    monthly_series,
    program_measures,
)
from peersupport import selectors as peer
from reports import rendering
from reports.models import ReportKind, ReportRun
from reports.rendering import Cell, Chart, Document, Row, Table, change, count, percent
from training.selectors import TrainingMonth, training_month_figures

if TYPE_CHECKING:
    from accounts.models import Organization

CHART_MONTHS = 12


@dataclass(frozen=True)
class BuiltReport:
    html: str
    pdf: bytes
    csv: bytes
    xlsx: bytes


def build(run: ReportRun) -> BuiltReport:
    """Every output of one run, from the same figures."""
    document = document_for(kind=run.kind, period=run.period, scope=run.scope)
    html = rendering.render_html(document)
    return BuiltReport(
        html=html,
        pdf=rendering.render_pdf(html),
        csv=rendering.render_csv(document),
        xlsx=rendering.render_xlsx(document),
    )


def document_for(*, kind: str, period: dt.date, scope: str = "") -> Document:
    builders: dict[str, Callable[..., Document]] = {
        ReportKind.CORESPONDER: coresponder_document,
        ReportKind.PEERSUPPORT: peersupport_document,
        ReportKind.TRAINING: training_document,
        ReportKind.SUMMARY: summary_document,
    }
    if kind not in builders:
        raise ValueError(f"Unknown report kind {kind!r}.")
    if kind != ReportKind.CORESPONDER and scope:
        raise ValueError(f"A {kind} report has no scope ({scope!r}).")
    return builders[kind](period=period, scope=scope)


# --- Co-responder ----------------------------------------------------------------------


@dataclass(frozen=True)
class CoresponderScope:
    agency: Organization | None = None
    provider: Organization | None = None

    @property
    def label(self) -> str:
        if self.agency is not None:
            return f"Agency: {self.agency.name}"
        if self.provider is not None:
            return f"Provider: {self.provider.name}"
        return "Whole program: all agencies and providers"

    @property
    def substance_use(self) -> bool:
        """Agency reports go to police liaisons: never substance-use figures."""
        return self.agency is None


def coresponder_scope(scope: str, orgs) -> CoresponderScope:
    if not scope:
        return CoresponderScope()
    kind, _, code = scope.partition(":")
    agencies, providers = orgs
    pool = {"agency": agencies, "provider": providers}.get(kind)
    found = next((o for o in pool or [] if o.dictionary_code == code), None)
    if found is None:
        raise ValueError(f"Unknown co-responder scope {scope!r}.")
    return CoresponderScope(**{kind: found})


def measure_cell(measures: Measures, column: Column) -> Cell:
    value = getattr(measures, column.name)
    if column.kind == "percent":
        return percent(value)
    if column.kind == "minutes":
        return rendering.minutes(value)
    return count(value)


KEY_COLUMNS = ("mh_calls", "encounters", "onsite_assessments", "coverage", "linked")


def coresponder_document(*, period: dt.date, scope: str = "") -> Document:
    orgs = directory()
    where = coresponder_scope(scope, orgs)
    narrow = {"agency": where.agency, "provider": where.provider, "orgs": orgs}
    end = month_end(period)
    previous = add_months(period, -1)
    year_start = period.replace(month=1)
    month = program_measures(start=period, end=end, substance_use=where.substance_use, **narrow)
    before = program_measures(
        start=previous,
        end=period - dt.timedelta(days=1),
        substance_use=where.substance_use,
        **narrow,
    )
    to_date = program_measures(
        start=year_start, end=end, substance_use=where.substance_use, **narrow
    )

    rows = []
    for column in columns(substance_use=where.substance_use):
        now, then = measure_cell(month.total, column), measure_cell(before.total, column)
        rows.append(
            Row(column.label, [now, then, change(now, then), measure_cell(to_date.total, column)])
        )
    ytd_label = (
        f"Year to date ({year_start:%b}–{period:%b %Y})"
        if period.month > 1
        else f"Year to date ({period:%b %Y})"
    )
    tables = [
        Table(
            "Program measures",
            [f"{period:%B %Y}", f"{previous:%B %Y}", "Change", ytd_label],
            rows,
        )
    ]
    if where.agency is None and where.provider is None:
        key = [c for c in columns(substance_use=False) if c.name in KEY_COLUMNS]
        for title, heading, measures_rows in (
            ("By agency", "Agency", month.agencies),
            # The not-attributed row makes the provider columns add up to the program's.
            ("By provider", "Provider", [*month.providers, month.not_attributed]),
        ):
            tables.append(
                Table(
                    f"{title}, {period:%B %Y}",
                    [c.label for c in key],
                    [Row(m.label, [measure_cell(m, c) for c in key]) for m in measures_rows],
                    label_heading=heading,
                )
            )

    points = monthly_series(start=add_months(period, 1 - CHART_MONTHS), end=end, **narrow)
    chart = Chart(
        title=chart_title("encounters", points, where.label),
        description=chart_description("encounters", points),
        svg=chart_svg("encounters", points, scope=where.label),
    )
    # The chart's numbers as a table (its text alternative points to "By month").
    tables.append(
        Table(
            "By month",
            ["Mental-health calls", "Encounters", "On-site assessments", "Assessment coverage"],
            [
                Row(
                    f"{p.month:%B %Y}",
                    [
                        count(p.mh_calls),
                        count(p.encounters),
                        count(p.onsite_assessments),
                        percent(p.coverage),
                    ],
                )
                for p in points
            ],
            label_heading="Month",
        )
    )
    notes = [
        "Definitions follow the co-responder data dictionary. Mental-health calls are the "
        "monthly CAD call volume of the agencies; assessment coverage is on-site "
        "assessments per mental-health call.",
        "Repeat contacts count people seen in the twelve months before the encounter.",
    ]
    if where.agency is None and where.provider is None:
        notes.append(
            "In the table by provider, a provider's mental-health calls are those of the "
            "agency-months in which it recorded an encounter. The row "
            f"“{month.not_attributed.label}” holds the calls of agency-months without any "
            "encounter, less the calls counted under two providers that worked in the same "
            "agency and month, so that each column adds up to the program's total."
        )
    if not where.substance_use:
        notes.append("Agency reports leave out substance-use information.")
    return Document(
        title="Co-responder program monthly report",
        period=period,
        scope_label=where.label,
        tables=tables,
        charts=[chart],
        notes=notes,
    )


# --- Peer support ----------------------------------------------------------------------

REQUEST_TYPES = (
    ("Group debriefings (CISD)", "debriefings"),
    ("One-to-one, in person", "in_person"),
    ("One-to-one, by phone", "by_phone"),
    ("Command-level support", "command"),
)


def peersupport_document(*, period: dt.date, scope: str = "") -> Document:
    month = peer.Period(start=period, end=month_end(period))
    by_type = peer.requests_by_month(month)
    totals = peer.MonthRow(
        month=period,
        **{name: sum(getattr(r, name) for r in by_type) for _, name in REQUEST_TYPES},
    )
    kinds = peer.incident_kinds(month)
    first = peer.first_contact_times(month)
    services = peer.activity_by_service_type(month)
    outside = peer.out_of_region(month)

    requests_total = sum(getattr(totals, name) for _, name in REQUEST_TYPES)
    tables = [
        Table(
            "Requests by type of support",
            ["Requests"],
            [Row(label, [count(getattr(totals, name))]) for label, name in REQUEST_TYPES]
            + [Row("All requests", [count(requests_total)])],
        ),
        Table(
            "Requests by kind of incident",
            ["Requests"],
            [Row(row.label, [count(row.count)]) for row in kinds]
            + [Row("All requests", [count(sum(r.count for r in kinds))])],
        ),
        Table(
            "Time from request to first contact",
            ["Figure"],
            [
                Row("Requests with a first contact", [count(first.requests)]),
                Row("Median", [rendering.duration(first.median)]),
                Row("90th percentile", [rendering.duration(first.p90)]),
            ],
        ),
        Table(
            "Activities by service type",
            ["Activities", "People reached", "Hours"],
            [
                Row(
                    row.label,
                    [count(row.activities), count(row.people_reached), rendering.hours(row.hours)],
                )
                for row in [*services, _services_total(services)]
            ],
            label_heading="Service",
        ),
        Table(
            "Requests from outside the region",
            ["Requests"],
            [
                Row("Received", [count(outside.requests)]),
                Row("Approved", [count(outside.approved)]),
                Row("Declined", [count(outside.declined)]),
                Row("Not decided", [count(outside.undecided)]),
            ],
        ),
    ]
    return Document(
        title="911 peer support monthly report",
        period=period,
        scope_label="De-identified figures for the whole team",
        tables=tables,
        notes=[
            "Requests count in the month they were submitted; activities by their date.",
            "Out-of-region decisions are the coordinators' pre-approvals of the month's "
            "requests from outside the MARC region.",
        ],
    )


def _services_total(services: list[peer.ServiceRow]) -> peer.ServiceRow:
    return peer.ServiceRow(
        label="All services",
        activities=sum(r.activities for r in services),
        people_reached=sum(r.people_reached for r in services),
        hours=sum((r.hours for r in services), Decimal(0)),
    )


# --- Training --------------------------------------------------------------------------


def training_document(*, period: dt.date, scope: str = "") -> Document:
    figures = training_month_figures(period)
    tables = [
        Table(
            "Events held by kind",
            ["Events"],
            [Row(r.label, [count(r.count)]) for r in figures.events_by_kind]
            + [Row("All events", [count(figures.events_held)])],
        ),
        Table(
            "Events held by audience",
            ["Events"],
            [Row(r.label, [count(r.count)]) for r in figures.events_by_audience],
            label_heading="Audience",
        ),
        Table("Registrations and attendance", ["Figure"], _attendance_rows(figures)),
        Table(
            "Continuing-education credit hours awarded",
            ["Hours"],
            [Row(r.label, [rendering.hours(r.hours)]) for r in figures.credit_hours_by_category]
            + [Row("All categories", [rendering.hours(figures.credit_hours)])],
            label_heading="Category",
        ),
    ]
    return Document(
        title="Training calendar monthly report",
        period=period,
        scope_label="All trainings, exercises and meetings",
        tables=tables,
        notes=[
            "Events held: events starting in the month that were neither cancelled nor "
            "postponed; an event for several audiences counts once for each.",
            "Attendance rate: attended / (attended + no-show).",
            "Credit hours: one hour per whole 50 minutes attended (two for instructors), "
            "at events with a continuing-education category.",
        ],
    )


def _attendance_rows(figures: TrainingMonth) -> list[Row]:
    return [
        Row("Registrations (seats taken)", [count(figures.registrations)]),
        Row("Attended", [count(figures.attended)]),
        Row("No-shows", [count(figures.no_shows)]),
        Row("Attendance not recorded", [count(figures.confirmed)]),
        Row("Attendance rate", [percent(figures.attendance_rate)]),
        Row("Still on a waitlist", [count(figures.waitlisted)]),
        Row("Cancelled registrations", [count(figures.cancelled)]),
    ]


# --- Summary ---------------------------------------------------------------------------


def _headlines(period: dt.date, orgs) -> dict[str, list[Row]]:
    """The headline figures of one month, by program (no substance-use figure)."""
    total = program_measures(
        start=period, end=month_end(period), substance_use=False, orgs=orgs
    ).total
    month = peer.Period(start=period, end=month_end(period))
    requests = sum(r.count for r in peer.incident_kinds(month))
    services = _services_total(peer.activity_by_service_type(month))
    first = peer.first_contact_times(month)
    training = training_month_figures(period)
    return {
        "Co-responder program": [
            Row("Mental-health calls", [count(total.mh_calls)]),
            Row("Encounters", [count(total.encounters)]),
            Row("Assessment coverage", [percent(total.coverage)]),
            Row("Linked to services", [count(total.linked)]),
        ],
        "911 peer support": [
            Row("Requests received", [count(requests)]),
            Row("Median time to first contact", [rendering.duration(first.median)]),
            Row("Activities", [count(services.activities)]),
            Row("People reached", [count(services.people_reached)]),
        ],
        "Training calendar": [
            Row("Events held", [count(training.events_held)]),
            Row("Registrations", [count(training.registrations)]),
            Row("Attendance rate", [percent(training.attendance_rate)]),
            Row("Credit hours awarded", [rendering.hours(training.credit_hours)]),
        ],
    }


def summary_document(*, period: dt.date, scope: str = "") -> Document:
    orgs = directory()
    previous = add_months(period, -1)
    now, before = _headlines(period, orgs), _headlines(previous, orgs)
    tables = []
    for program, rows in now.items():
        tables.append(
            Table(
                program,
                [f"{period:%B %Y}", f"{previous:%B %Y}", "Change"],
                [
                    Row(row.label, [row.cells[0], old.cells[0], change(row.cells[0], old.cells[0])])
                    for row, old in zip(rows, before[program], strict=True)
                ],
            )
        )
    return Document(
        title="MARC safety programs: monthly summary",
        period=period,
        scope_label="Headline figures across programs",
        tables=tables,
        notes=["Each program's own monthly report has the full figures and definitions."],
    )
