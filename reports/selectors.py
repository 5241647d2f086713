"""Reads for the reports pages: which past months have figures and no report yet.

"Has figures" is each program's own answer, read through its selectors: a training event
held, a peer support request submitted or activity logged, a co-responder encounter or
call volume. The summary across programs has figures when any of the three has.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.staff_areas import OpenWork
from core.dates import month_start
from coresponder import selectors as coresponder
from peersupport import selectors as peersupport
from reports.access import may_see_errors
from reports.models import ReportKind, ReportRun, RunStatus
from reports.services import scopes_for
from training import selectors as training

PROGRAMS = {
    ReportKind.CORESPONDER: coresponder.months_with_data,
    ReportKind.PEERSUPPORT: peersupport.months_with_data,
    ReportKind.TRAINING: training.months_with_data,
}


@dataclass(frozen=True)
class Unbuilt:
    """A kind's reports for one past month with figures, some or all never built."""

    kind: str
    period: dt.date
    missing: int  # reports (scopes) of this kind and month without any run
    reports: int  # reports (scopes) this kind has in a month

    @property
    def label(self) -> str:
        return ReportKind(self.kind).label


def months_with_data(*, before: dt.date) -> dict[str, set[dt.date]]:
    """{kind: the months before `before` (a first day) with figures for that kind}."""
    found = {kind: set(months(before=before)) for kind, months in PROGRAMS.items()}
    found[ReportKind.SUMMARY] = set().union(*found.values())
    return {kind: found[kind] for kind in ReportKind.values}


def unbuilt_reports(*, today: dt.date | None = None) -> list[Unbuilt]:
    """The months that are over and have figures for a kind but not all of that kind's
    reports, newest month first, kinds in ReportKind's order. A handful of queries,
    whatever the number of months."""
    current = month_start(today or timezone.localdate())
    data = months_with_data(before=current)
    scopes = {kind: scopes_for(kind) for kind in ReportKind.values}
    built = set(
        ReportRun.objects.filter(period__lt=current)
        .order_by()
        .values_list("kind", "period", "scope")
        .distinct()
    )
    rows = []
    for period in sorted(data[ReportKind.SUMMARY], reverse=True):
        for kind in ReportKind.values:
            if period not in data[kind]:
                continue
            missing = sum((kind, period, scope) not in built for scope in scopes[kind])
            if missing:
                rows.append(Unbuilt(kind, period, missing, len(scopes[kind])))
    return rows


# --- For the staff landing page ------------------------------------------------------------


def failed_open_work(user) -> list[OpenWork]:
    """The reports whose latest build failed, for those who may read why and rebuild them."""
    if not may_see_errors(user):
        return []
    newer = ReportRun.objects.filter(
        kind=OuterRef("kind"),
        period=OuterRef("period"),
        scope=OuterRef("scope"),
        version__gt=OuterRef("version"),
    )
    failed = ReportRun.objects.filter(status=RunStatus.FAILED).exclude(Exists(newer)).count()
    return [OpenWork(failed, "failed report", "failed reports", "/staff/reports/")]
