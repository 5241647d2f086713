"""The co-responder dashboard under /staff/coresponder/dashboard/: program measures in
tables, two server-drawn charts and a CSV file of the tables.

Who sees what:
- Program managers: every agency and provider, with the substance-use figures; they may
  narrow to one agency and/or one provider.
- Agency liaisons: the same tables and charts for their own agency alone
  (coresponder.access.liaison_agency), and never a substance-use figure: those are not
  even computed for them. A query string naming another agency is refused (403).
- Clinicians, other staff: 403. Clinicians work from the entry pages; the dashboard's
  figures span providers, and narrowing it to a clinician's provider is left for later.
- Nobody sees a record here: only counts, sums and rates.

GET ?start=YYYY-MM-DD&end=YYYY-MM-DD&agency=<code>&provider=<code> picks the figures
(default: the last twelve months, all agencies and providers). Every page, CSV file and
chart served is written to the audit log with its filters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import staff_required
from accounts.audit import AuditAction, audit_denied, audit_record
from accounts.roles import Role
from core import dates
from coresponder import charts
from coresponder.access import is_program_manager, liaison_agency, may_see_substance_use
from coresponder.measures import (
    Column,
    Measures,
    MonthPoint,
    Report,
    directory,
    monthly_series,
    program_measures,
)

if TYPE_CHECKING:
    from accounts.models import Organization

DASHBOARD_ROLES = (Role.PROGRAM_MANAGER, Role.AGENCY_LIAISON)
TEMPLATE = "coresponder/dashboard/dashboard.html"
OBJECT_TYPE = "coresponder.dashboard"
DEFAULT_MONTHS = 12
MAX_MONTHS = 120

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


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months: the current month so far and the eleven before it."""
    today = today or timezone.localdate()
    return dates.add_months(dates.month_start(today), 1 - DEFAULT_MONTHS), today


def _date_field(label: str, example: str) -> forms.DateField:
    return dates.DateField(label=label, required=False, example=example)


class DashboardForm(forms.Form):
    start = _date_field("From", "2025-01-01")
    end = _date_field("To", "2025-12-31")
    agency = forms.ChoiceField(label="Agency", required=False)
    provider = forms.ChoiceField(label="Provider", required=False)

    def __init__(self, *args, agencies, providers, liaison: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {a.dictionary_code: a for a in agencies}
        self.providers = {p.dictionary_code: p for p in providers}
        if liaison:
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = [("", "All agencies")] + [
                (a.dictionary_code, a.name) for a in agencies
            ]
        self.fields["provider"].choices = [("", "All providers")] + [
            (p.dictionary_code, p.name) for p in providers
        ]

    @classmethod
    def from_query(cls, query, **kwargs) -> DashboardForm:
        """Bound to the query string; a missing or empty date takes the default's."""
        start, end = default_period()
        data = {
            "start": query.get("start") or start.isoformat(),
            "end": query.get("end") or end.isoformat(),
            "agency": query.get("agency", ""),
            "provider": query.get("provider", ""),
        }
        return cls(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return cleaned
        if end < start:
            raise forms.ValidationError("The last day must be on or after the first day.")
        if start > timezone.localdate():
            self.add_error("start", "The first day cannot be in the future.")
        elif dates.months_spanned(start, end) > MAX_MONTHS:
            raise forms.ValidationError(
                f"Choose a period of at most {MAX_MONTHS // 12} years ({MAX_MONTHS} months)."
            )
        return cleaned


@dataclass(frozen=True)
class Scope:
    """What one request may see and asked for."""

    start: dt.date
    end: dt.date
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

    @property
    def query(self) -> str:
        """The query string that asks for the same figures (for the CSV and chart links)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.agency is not None and not self.liaison:
            params["agency"] = self.agency.dictionary_code
        if self.provider is not None:
            params["provider"] = self.provider.dictionary_code
        return urlencode(params)

    def audit_detail(self, part: str) -> dict:
        return {
            "part": part,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "agency": self.agency.dictionary_code if self.agency else "",
            "provider": self.provider.dictionary_code if self.provider else "",
            "substance_use": self.substance_use,
        }


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
    scope = Scope(
        start=data["start"],
        end=data["end"],
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
    hours, rest = divmod(minutes, 60)
    return f"{hours:,} h {rest} min" if hours else f"{rest} min"


def cell(value, column: Column) -> str:
    if value is None:
        return "–"
    if column.kind == "percent":
        return f"{value:.1%}"
    if column.kind == "minutes":
        return minutes_display(value)
    return f"{value:,}"


def table(rows: list[Measures], columns: list[Column]) -> list[dict]:
    return [
        {"label": row.label, "cells": [cell(getattr(row, c.name), c) for c in columns]}
        for row in rows
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


def csv_rows(report: Report) -> list[list]:
    columns = report.columns
    rows = [["Breakdown", "Row", "Code", *(csv_header(c) for c in columns)]]
    sections = (
        ("Month", report.months),
        ("Agency", report.agencies),
        ("Provider", report.providers),
        ("Whole", [report.total]),
    )
    for breakdown, measures in sections:
        for row in measures:
            values = [csv_value(getattr(row, c.name), c) for c in columns]
            rows.append([breakdown, row.label, row.code, *values])
    return rows


def _measured(request: HttpRequest, *, action: str, what: str):
    """The user's scope, the filter form and the measures for it, audited; or the
    response that refuses (403) or explains a bad filter (400)."""
    try:
        scope, form = _scope(request)
    except Refused as refused:
        return refused.response
    if scope is None:
        return render(request, TEMPLATE, {"form": form}, status=400)
    report = program_measures(
        start=scope.start,
        end=scope.end,
        agency=scope.agency,
        provider=scope.provider,
        substance_use=scope.substance_use,
        orgs=scope.orgs,
    )
    audit_record(
        request=request, action=action, object_type=OBJECT_TYPE, detail=scope.audit_detail(what)
    )
    return scope, form, report


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
    context = {
        "form": form,
        "scope": scope,
        "report": report,
        "columns": columns,
        "whole": [
            {"label": c.label, "help": c.help, "value": cell(getattr(report.total, c.name), c)}
            for c in columns
        ],
        "months": table(report.months, columns),
        "agencies": table(report.agencies, columns),
        "providers": table(report.providers, columns),
        "total": table([report.total], columns)[0],
        "charts": [
            {
                "name": name,
                "title": charts.chart_title(name, points, scope.label),
                "alt": charts.chart_description(name, points),
            }
            for name in charts.CHARTS
        ],
        "filters": scope.query,
        "manager": not scope.liaison,
    }
    return render(request, TEMPLATE, context)


@staff_required(*DASHBOARD_ROLES)
@require_safe
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as one CSV file (month, agency, provider and whole rows)."""
    measured = _measured(request, action=AuditAction.EXPORT, what="csv")
    if isinstance(measured, HttpResponse):
        return measured
    scope, form, report = measured
    buffer = io.StringIO()
    # Every text cell is a month, a directory name or a dictionary code: nothing typed in.
    csv.writer(buffer).writerows(csv_rows(report))
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
    if name not in charts.CHARTS:
        raise Http404("No such chart.")
    try:
        scope, form = _scope(request)
    except Refused as refused:
        return refused.response
    if scope is None:
        return HttpResponse("The period needs correcting.", status=400, content_type="text/plain")
    points = monthly_series(
        start=scope.start,
        end=scope.end,
        agency=scope.agency,
        provider=scope.provider,
        orgs=scope.orgs,
    )
    audit_record(
        request=request,
        action=AuditAction.VIEW,
        object_type=OBJECT_TYPE,
        detail=scope.audit_detail(f"chart:{name}"),
    )
    svg = charts.chart_svg(name, points, scope=scope.label)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
