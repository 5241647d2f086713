"""The co-responder dashboard under /staff/coresponder/dashboard/: program measures in
tables, compared with the previous period and the same period a year before, three
server-drawn charts, the data to check, and a CSV file of the tables.

Who sees what:
- Program managers: every agency and provider, with the substance-use figures; they may
  narrow to one agency and/or one provider.
- Agency liaisons: the same tables and charts for their own agency alone
  (coresponder.access.liaison_agency), and never a substance-use figure: those are not
  even computed for them. A query string naming another agency is refused (403). Their
  data to check is listed without links (they cannot open the records or the volume).
- Clinicians, other staff: 403. Clinicians work from the entry pages; the dashboard's
  figures span providers, and narrowing it to a clinician's provider is left for later.
- Nobody sees a record here: only counts, sums and rates.

GET picks the figures:
- ?period=this-month | last-month | this-year | last-year | last-12-months | since-start
  (PRESETS; the default is the last twelve months), resolved on the day of the request;
- or ?start=YYYY-MM-DD&end=YYYY-MM-DD: any range; without `end`, up to today ("since a
  date"); without `start`, from the program's start (settings.CORESPONDER_PROGRAM_START).
  Dates win over `period` (the form keeps the chosen period in a hidden field and sends
  its date fields empty unless someone types a date);
- &agency=<code>&provider=<code> narrow it.
The comparisons follow coresponder.periods.previous_period and year_before: the calendar
presets compare with the same days of the previous month or year, other ranges by their
dates. A comparison that ends before the program's start is left out. Every page, CSV file
and chart served is written to the audit log with its filters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import staff_required
from accounts.audit import AuditAction, audit_denied, audit_record
from accounts.roles import Role
from coresponder import charts
from coresponder.access import is_program_manager, liaison_agency, may_see_substance_use
from coresponder.forms.dashboard import PRESETS, DashboardForm, Preset
from coresponder.measures import (
    AgencyPoint,
    Column,
    Comparison,
    Measures,
    MonthPoint,
    Report,
    agency_series,
    directory,
    monthly_series,
    program_measures,
)
from coresponder.periods import Period, previous_period, year_before
from coresponder.quality import data_checks, program_start

if TYPE_CHECKING:
    from accounts.models import Organization

DASHBOARD_ROLES = (Role.PROGRAM_MANAGER, Role.AGENCY_LIAISON)
TEMPLATE = "coresponder/dashboard/dashboard.html"
OBJECT_TYPE = "coresponder.dashboard"

# An SVG chart is an image with inline styles (matplotlib writes style attributes) and
# nothing else: no script, no fetch. Its own policy lets the styles apply and denies the rest.
CHART_CSP = {
    "default-src": ["'none'"],
    "script-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["'none'"],
    "font-src": ["'none'"],
    "connect-src": ["'none'"],
    "form-action": ["'none'"],
}


# --- Periods ---------------------------------------------------------------------------


def dates_label(start: dt.date, end: dt.date) -> str:
    """June 1 to June 15, 2025; December 1, 2024 to January 15, 2025; June 1, 2025."""
    if start == end:
        return f"{start:%B} {start.day}, {start.year}"
    if start.year == end.year:
        return f"{start:%B} {start.day} to {end:%B} {end.day}, {end.year}"
    return f"{start:%B} {start.day}, {start.year} to {end:%B} {end.day}, {end.year}"


def short_dates_label(start: dt.date, end: dt.date) -> str:
    """Oct 1–31, 2026; Sep 1–Oct 15, 2026; Dec 1, 2025–Jan 15, 2026 (table headings)."""
    if start == end:
        return f"{start:%b} {start.day}, {start.year}"
    if start.year != end.year:
        return f"{start:%b} {start.day}, {start.year}–{end:%b} {end.day}, {end.year}"
    if start.month != end.month:
        return f"{start:%b} {start.day}–{end:%b} {end.day}, {end.year}"
    return f"{start:%b} {start.day}–{end.day}, {end.year}"


@dataclass(frozen=True)
class Scope:
    """What one request may see and asked for."""

    start: dt.date
    end: dt.date
    preset: Preset | None
    typed: dict  # the dates as typed ({"start": ..., "end": ...}), when no preset
    agency: Organization | None
    provider: Organization | None
    substance_use: bool
    liaison: bool
    orgs: tuple[list[Organization], list[Organization]]

    @property
    def label(self) -> str:
        agency = self.agency.name if self.agency else "all agencies"
        provider = self.provider.name if self.provider else "all providers"
        return f"{agency}, {provider}"

    def params(self, *, period: str | None = None) -> dict:
        """The query that asks for the same figures (for another period when given)."""
        if period is not None:
            params = {"period": period}
        elif self.preset is not None:
            params = {"period": self.preset.key}
        else:
            params = dict(self.typed)
        if self.agency is not None and not self.liaison:
            params["agency"] = self.agency.dictionary_code
        if self.provider is not None:
            params["provider"] = self.provider.dictionary_code
        return params

    @property
    def query(self) -> str:
        """The query string of the CSV and chart links: the same figures as the page."""
        return urlencode(self.params())

    @property
    def previous(self) -> Period | None:
        """The previous period, unless it ends before the program's start."""
        months = self.preset.months if self.preset else None
        return _after_start(previous_period(self.start, self.end, months=months))

    @property
    def year_before(self) -> Period | None:
        return _after_start(year_before(self.start, self.end))

    def audit_detail(self, part: str) -> dict:
        return {
            "part": part,
            "period": self.preset.key if self.preset else "",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "agency": self.agency.dictionary_code if self.agency else "",
            "provider": self.provider.dictionary_code if self.provider else "",
            "substance_use": self.substance_use,
        }


def _after_start(period: Period) -> Period | None:
    return period if period.end >= program_start() else None


class Refused(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def _scope(request: HttpRequest) -> tuple[Scope | None, DashboardForm]:
    """The request's scope, or (None, the bound form with its errors); raises Refused."""
    user = request.user
    own_agency = None
    if not is_program_manager(user):
        own_agency = liaison_agency(user)
        if own_agency is None:
            audit_denied(request, object_type=OBJECT_TYPE)
            response = render(request, "coresponder/dashboard/no_agency.html", status=403)
            raise Refused(response)
        asked = request.GET.get("agency", "")
        if asked and asked != own_agency.dictionary_code:
            audit_denied(request, object_type=OBJECT_TYPE, object_id=asked[:40])
            raise Refused(render(request, "403.html", status=403))
    orgs = directory()
    form = DashboardForm.from_query(
        request.GET, agencies=orgs[0], providers=orgs[1], liaison=own_agency is not None
    )
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    start, end = data["range"]
    scope = Scope(
        start=start,
        end=end,
        preset=data["preset"],
        typed={k: data[k].isoformat() for k in ("start", "end") if data[k]},
        agency=own_agency or form.agencies.get(data.get("agency", "")),
        provider=form.providers.get(data["provider"]),
        # Never for a liaison (a police role), whatever other role the account holds.
        substance_use=own_agency is None and may_see_substance_use(user),
        liaison=own_agency is not None,
        orgs=orgs,
    )
    return scope, form


# --- Presenting the figures ------------------------------------------------------------


def minutes_display(minutes: int) -> str:
    hours, rest = divmod(abs(minutes), 60)
    sign = "−" if minutes < 0 else ""
    return f"{sign}{hours:,} h {rest} min" if hours else f"{sign}{rest} min"


def cell(value, column: Column) -> str:
    if value is None:
        return "–"
    if column.kind == "percent":
        return f"{value:.1%}"
    if column.kind == "minutes":
        return minutes_display(value)
    return f"{value:,}".replace("-", "−")


def change(now, then, column: Column) -> str:
    """The change in words: "Up 12 (+15.0%)", "Down 2.5 percentage points", "No change"."""
    if now is None or then is None:
        return "–"
    if column.kind == "percent":
        # From the shares as shown (one decimal), so that the change matches them.
        points = round(round(now * 100, 1) - round(then * 100, 1), 1)
        if not points:
            return "No change"
        direction = "Up" if points > 0 else "Down"
        return f"{direction} {abs(points):.1f} percentage points"
    difference = now - then
    if not difference:
        return "No change"
    direction = "Up" if difference > 0 else "Down"
    amount = (
        minutes_display(abs(difference)) if column.kind == "minutes" else f"{abs(difference):,}"
    )
    if not then:
        return f"{direction} {amount} (none before)"
    relative = f"{difference / then:+.1%}".replace("-", "−")
    return f"{direction} {amount} ({relative})"


def table(rows: list[Measures], columns: list[Column]) -> list[dict]:
    return [
        {"label": row.label, "cells": [cell(getattr(row, c.name), c) for c in columns]}
        for row in rows
    ]


@dataclass(frozen=True)
class Compared:
    """A comparison as the page shows it: its name, its dates and its figures."""

    key: str  # previous | year-before
    name: str
    period: Period
    figures: Comparison | None = None

    @property
    def dates(self) -> str:
        return dates_label(self.period.start, self.period.end)

    @property
    def short_dates(self) -> str:
        return short_dates_label(self.period.start, self.period.end)


def compared_periods(scope: Scope) -> list[Compared]:
    """The periods the page compares with, once each: when the previous period is the same
    period a year before (a year, this year so far, the last twelve months), it is shown
    once, as the same period a year before."""
    shown = []
    previous, before = scope.previous, scope.year_before
    if previous is not None and previous != before:
        shown.append(Compared("previous", "Previous period", previous))
    if before is not None:
        shown.append(Compared("year-before", "Same period a year before", before))
    return shown


def comparisons(scope: Scope, report: Report) -> list[Compared]:
    """compared_periods with the report's figures for each."""
    figures = {"previous": report.previous, "year-before": report.year_before}
    return [replace(c, figures=figures[c.key]) for c in compared_periods(scope)]


def whole_rows(report: Report, compared: list[Compared]) -> list[dict]:
    """Each measure over the whole period, with each comparison and the change."""
    rows = []
    for column in report.columns:
        now = getattr(report.total, column.name)
        rows.append(
            {
                "label": column.label,
                "help": column.help,
                "value": cell(now, column),
                "compared": [
                    {
                        "value": cell(getattr(c.figures.total, column.name), column),
                        "change": change(now, getattr(c.figures.total, column.name), column),
                    }
                    for c in compared
                ],
            }
        )
    return rows


ENCOUNTERS = Column("encounters", "Encounters")


def agency_points(report: Report, compared: list[Compared]) -> list[AgencyPoint]:
    """The agency chart's figures taken from the report (no query)."""
    return [
        AgencyPoint(
            row.label,
            row.code,
            (row.encounters, *(c.figures.agencies[i].encounters for c in compared)),
        )
        for i, row in enumerate(report.agencies)
    ]


def agency_rows(points: list[AgencyPoint]) -> list[dict]:
    """The table of the agency chart: encounters in each period, and the changes."""
    return [
        {
            "label": p.label,
            "value": f"{p.encounters[0]:,}",
            "compared": [
                {"value": f"{then:,}", "change": change(p.encounters[0], then, ENCOUNTERS)}
                for then in p.encounters[1:]
            ],
        }
        for p in points
    ]


def series(scope: Scope, compared: list[Compared]) -> list[charts.Series]:
    return [
        charts.Series("This period", dates_label(scope.start, scope.end)),
        *(charts.Series(c.name, c.dates) for c in compared),
    ]


def month_points(report: Report) -> list[MonthPoint]:
    """The charts' figures taken from the month table (no query)."""
    return [
        MonthPoint(
            month=dt.date.fromisoformat(row.code + "-01"),
            mh_calls=row.mh_calls,
            encounters=row.encounters,
            onsite_assessments=row.onsite_assessments,
        )
        for row in report.months
    ]


def csv_header(column: Column) -> str:
    unit = {"percent": " (%)", "minutes": " (minutes)"}.get(column.kind, "")
    return column.label + unit


def csv_value(value, column: Column):
    if value is None:
        return ""
    if column.kind == "percent":
        return f"{value * 100:.1f}"
    return value


def csv_rows(scope: Scope, report: Report) -> list[list]:
    """Every table of the page: the period's months, agencies, providers (with the row
    not attributed to a provider when not narrowed to one) and whole program, then the
    agencies and whole program of each comparison, each row with its period and dates."""
    columns = report.columns
    rows = [["Period", "From", "To", "Breakdown", "Row", "Code", *map(csv_header, columns)]]
    providers = list(report.providers)
    if report.provider is None:
        providers.append(report.not_attributed)
    this = ("This period", report.start, report.end)
    sections = [
        (this, "Month", report.months),
        (this, "Agency", report.agencies),
        (this, "Provider", providers),
        (this, "Whole", [report.total]),
    ]
    for c in comparisons(scope, report):
        period = (c.name, c.period.start, c.period.end)
        sections += [(period, "Agency", c.figures.agencies), (period, "Whole", [c.figures.total])]
    for (name, start, end), breakdown, measures in sections:
        for row in measures:
            values = [csv_value(getattr(row, c.name), c) for c in columns]
            rows.append(
                [name, start.isoformat(), end.isoformat(), breakdown, row.label, row.code, *values]
            )
    return rows


def _measured(request: HttpRequest, *, action: str, what: str):
    """The user's scope, the filter form and the measures for it (with the comparisons),
    audited; or the response that refuses (403) or explains a bad filter (400)."""
    try:
        scope, form = _scope(request)
    except Refused as refused:
        return refused.response
    if scope is None:
        presets = [
            {"label": p.label, "query": urlencode({"period": p.key}), "current": False}
            for p in PRESETS
        ]
        return render(request, TEMPLATE, {"form": form, "presets": presets}, status=400)
    report = program_measures(
        start=scope.start,
        end=scope.end,
        agency=scope.agency,
        provider=scope.provider,
        substance_use=scope.substance_use,
        orgs=scope.orgs,
        previous=scope.previous,
        year_before=scope.year_before,
    )
    audit_record(
        request=request, action=action, object_type=OBJECT_TYPE, detail=scope.audit_detail(what)
    )
    return scope, form, report


def _checks(scope: Scope) -> list:
    """The data to check for the page's range and filters; without links for a liaison,
    who can open neither the records nor the call volume."""
    checks = data_checks(
        start=scope.start,
        end=scope.end,
        agency=scope.agency.dictionary_code if scope.agency else None,
        provider=scope.provider.dictionary_code if scope.provider else None,
    )
    if scope.liaison:
        checks = [replace(check, url="") for check in checks]
    return checks


def _presets(scope: Scope) -> list[dict]:
    """The period links, each keeping the agency and provider chosen."""
    return [
        {
            "label": p.label,
            "query": urlencode(scope.params(period=p.key)),
            "current": scope.preset is not None and scope.preset.key == p.key,
        }
        for p in PRESETS
    ]


# --- Views ---------------------------------------------------------------------------


@staff_required(*DASHBOARD_ROLES)
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    measured = _measured(request, action=AuditAction.VIEW, what="page")
    if isinstance(measured, HttpResponse):
        return measured
    scope, form, report = measured
    columns = report.columns
    points = month_points(report)
    compared = comparisons(scope, report)
    by_agency = agency_points(report, compared)
    periods = series(scope, compared)
    context = {
        "form": form,
        "scope": scope,
        "report": report,
        "columns": columns,
        "presets": _presets(scope),
        "period": dates_label(scope.start, scope.end),
        "short_period": short_dates_label(scope.start, scope.end),
        "program_start": program_start(),
        "compared": compared,
        "previous_left_out": scope.previous is None,
        "same_as_previous": scope.previous is not None and scope.previous == scope.year_before,
        "whole": whole_rows(report, compared),
        "months": table(report.months, columns),
        "agencies": table(report.agencies, columns),
        "providers": table(report.providers, columns),
        "not_attributed": (
            table([report.not_attributed], columns)[0] if report.provider is None else None
        ),
        "total": table([report.total], columns)[0],
        "charts": [
            {
                "name": name,
                "title": charts.chart_title(name, points, scope.label),
                "alt": charts.chart_description(name, points),
            }
            for name in charts.CHARTS
        ],
        "agency_chart": {
            "name": charts.AGENCY_CHART,
            "title": charts.agency_chart_title(scope.label),
            "alt": charts.agency_chart_description(by_agency, periods),
            "height": round(100 * charts.agency_chart_size(by_agency, periods)[1]),
        },
        "agency_rows": agency_rows(by_agency),
        "checks": _checks(scope),
        "filters": scope.query,
        "manager": not scope.liaison,
    }
    return render(request, TEMPLATE, context)


@staff_required(*DASHBOARD_ROLES)
@require_safe
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as one CSV file (the period's month, agency, provider and
    whole rows, then the comparisons' agency and whole rows)."""
    measured = _measured(request, action=AuditAction.EXPORT, what="csv")
    if isinstance(measured, HttpResponse):
        return measured
    scope, form, report = measured
    buffer = io.StringIO()
    # Every text cell is a month, a directory name or a dictionary code: nothing typed in.
    csv.writer(buffer).writerows(csv_rows(scope, report))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    parts = ["coresponder-measures", scope.start.isoformat(), "to", scope.end.isoformat()]
    if scope.agency is not None:
        parts.append(scope.agency.dictionary_code)
    if scope.provider is not None:
        parts.append(scope.provider.dictionary_code)
    response["Content-Disposition"] = f'attachment; filename="{"-".join(parts)}.csv"'
    return response


@staff_required(*DASHBOARD_ROLES)
@require_safe
@csp_replace(CHART_CSP)
def dashboard_chart(request: HttpRequest, name: str) -> HttpResponse:
    """One chart as an SVG image, for the same query string as the page."""
    if name not in (*charts.CHARTS, charts.AGENCY_CHART):
        raise Http404("No such chart.")
    try:
        scope, form = _scope(request)
    except Refused as refused:
        return refused.response
    if scope is None:
        return HttpResponse("The period needs correcting.", status=400, content_type="text/plain")
    narrow = {"agency": scope.agency, "provider": scope.provider, "orgs": scope.orgs}
    if name == charts.AGENCY_CHART:
        compared = compared_periods(scope)
        periods = [Period(scope.start, scope.end), *(c.period for c in compared)]
        points = agency_series(periods=periods, **narrow)
        svg = charts.agency_chart_svg(points, series(scope, compared), scope=scope.label)
    else:
        points = monthly_series(start=scope.start, end=scope.end, **narrow)
        svg = charts.chart_svg(name, points, scope=scope.label)
    audit_record(
        request=request,
        action=AuditAction.VIEW,
        object_type=OBJECT_TYPE,
        detail=scope.audit_detail(f"chart:{name}"),
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
