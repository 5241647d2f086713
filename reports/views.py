"""The monthly reports under /staff/reports/ (two-factor staff pages).

Each user sees the runs reports.access allows, grouped by month; program managers also
rebuild reports and read why a build failed. The report files are served only through
these views (scoped, audited), never from a public media URL.
"""

import logging
import re
from dataclasses import dataclass, field
from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from accounts.access import scoped_get_or_404, staff_required
from accounts.audit import AuditAction, audit_read, audit_record
from accounts.network import client_ip
from accounts.roles import Role
from coresponder import selectors as coresponder
from reports import access, services
from reports.models import ReportKind, ReportRun, RunStatus, Subscription

log = logging.getLogger(__name__)

MONTHS_PER_PAGE = 6
ACTIVE = (RunStatus.PENDING, RunStatus.RUNNING)

# Format in the URL → (file field, content type).
FORMATS = {
    "html": ("html_file", "text/html; charset=utf-8"),
    "pdf": ("pdf_file", "application/pdf"),
    "csv": ("csv_file", "text/csv; charset=utf-8"),
    "xlsx": ("xlsx_file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.IGNORECASE | re.DOTALL)
# The page's Content-Security-Policy blocks these anyway; dropping them keeps the console
# quiet and the page's own styles in charge.
_UNWANTED = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<link\b[^>]*>|<meta\b[^>]*>|<title\b[^>]*>.*?</title>",
    re.IGNORECASE | re.DOTALL,
)


def scope_label(scope: str) -> str:
    if not scope:
        return "Program-wide"
    prefix, _, code = scope.partition(":")
    if prefix == "agency":
        return coresponder.agency_names().get(code, code)
    if prefix == "provider":
        return coresponder.provider_names().get(code, code)
    return code


def report_title(run: ReportRun) -> str:
    return f"{run.get_kind_display()}: {scope_label(run.scope)}"


def download_name(run: ReportRun, fmt: str) -> str:
    scope = run.scope.replace(":", "-") or "program"
    return f"{run.kind}-{scope}-{run.period:%Y-%m}-v{run.version}.{fmt}"


@dataclass
class ReportEntry:
    """One report (kind, month, scope) with all its versions, newest first."""

    runs: list[ReportRun]
    current: ReportRun | None = None  # the latest finished version
    building: ReportRun | None = None  # a version waiting for or held by a worker
    failed: ReportRun | None = None  # the latest version, if it failed
    history: list[ReportRun] = field(default_factory=list)

    def __post_init__(self) -> None:
        latest = self.runs[0]
        self.current = next((r for r in self.runs if r.status == RunStatus.DONE), None)
        self.building = next((r for r in self.runs if r.status in ACTIVE), None)
        self.failed = latest if latest.status == RunStatus.FAILED else None
        self.history = [r for r in self.runs if r is not self.current and r.status not in ACTIVE]

    @property
    def title(self) -> str:
        return report_title(self.runs[0])

    @property
    def anchor(self) -> str:
        run = self.runs[0]
        return f"r-{run.period:%Y-%m}-{run.kind}-{run.scope.replace(':', '-') or 'program'}"


def _entries(runs: list[ReportRun]) -> list[ReportEntry]:
    by_report = groupby(runs, key=lambda r: (r.kind, r.scope))
    return [ReportEntry(runs=list(versions)) for _, versions in by_report]


def _anchor_url(run: ReportRun) -> str:
    entry = ReportEntry(runs=[run])
    return f"{reverse('reports:list')}#{entry.anchor}"


# --- Pages -----------------------------------------------------------------------------


@staff_required(*access.REPORT_ROLES)
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    visible = access.runs_visible_to(user=request.user)
    periods = list(visible.order_by("-period").values_list("period", flat=True).distinct())
    page = Paginator(periods, MONTHS_PER_PAGE).get_page(request.GET.get("page"))
    runs = list(
        visible.filter(period__in=list(page.object_list)).order_by(
            "-period", "kind", "scope", "-version"
        )
    )
    months = [
        (period, _entries(list(month_runs)))
        for period, month_runs in groupby(runs, key=lambda r: r.period)
    ]
    kinds = access.kinds_visible_to(request.user)
    subscribed = set(
        Subscription.objects.filter(user=request.user, kind__in=kinds).values_list(
            "kind", flat=True
        )
    )
    context = {
        "page": page,
        "months": months,
        "may_rebuild": access.may_rebuild(request.user),
        "may_see_errors": access.may_see_errors(request.user),
        "subscription_choices": [
            (kind, ReportKind(kind).label, kind in subscribed) for kind in kinds
        ],
    }
    return render(request, "reports/list.html", context)


def _report_html(run: ReportRun) -> str:
    """The body of the stored HTML report, to show inside the page.

    The file is our own rendering of our own template (reports.builders), so it is
    trusted markup; scripts, styles and head elements are dropped all the same.
    """
    if run.status != RunStatus.DONE or not run.html_file:
        return ""
    try:
        with run.html_file.open("rb") as handle:
            text = handle.read().decode("utf-8")
    except OSError:
        log.warning("the HTML file of report run %s is missing", run.pk)
        return ""
    body = _BODY.search(text)
    return mark_safe(_UNWANTED.sub("", body.group(1) if body else text))  # noqa: S308


@staff_required(*access.REPORT_ROLES)
@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = scoped_get_or_404(request, access.runs_visible_to, pk=pk)
    audit_read(request, run)
    versions = list(
        access.runs_visible_to(user=request.user)
        .filter(kind=run.kind, period=run.period, scope=run.scope)
        .order_by("-version")
    )
    entry = ReportEntry(runs=versions)
    context = {
        "run": run,
        "title": report_title(run),
        "entry": entry,
        "report_html": _report_html(run),
        "formats": [fmt for fmt, (name, _) in FORMATS.items() if getattr(run, name)],
        "may_rebuild": access.may_rebuild(request.user),
        "may_see_errors": access.may_see_errors(request.user),
    }
    return render(request, "reports/detail.html", context)


@staff_required(*access.REPORT_ROLES)
@require_safe
def report_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    run = scoped_get_or_404(request, access.runs_visible_to, pk=pk)
    if fmt not in FORMATS:
        raise Http404("No such format.")
    field_name, content_type = FORMATS[fmt]
    stored = getattr(run, field_name)
    if run.status != RunStatus.DONE or not stored:
        raise Http404("This report has no such file.")
    try:
        handle = stored.open("rb")
    except OSError:
        log.warning("the %s file of report run %s is missing", fmt, run.pk)
        raise Http404("This report's file is missing.") from None
    audit_record(request=request, action=AuditAction.VIEW, obj=run, detail={"format": fmt})
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(run, fmt), content_type=content_type
    )
    return response


# --- Actions ---------------------------------------------------------------------------


@staff_required(Role.PROGRAM_MANAGER)
@require_POST
def report_rebuild(request: HttpRequest, pk: int) -> HttpResponse:
    run = scoped_get_or_404(request, access.runs_visible_to, pk=pk)
    new = services.report_rebuild(
        run=run, by=request.user, ip=client_ip(request), path=request.path
    )
    new.refresh_from_db(fields=["status"])  # a worker may have finished it already
    state = "is ready" if new.status == RunStatus.DONE else "is being built"
    messages.success(
        request,
        f"Version {new.version} of {report_title(new)} for {new.period:%B %Y} {state}; "
        "the earlier versions stay in the history.",
    )
    return redirect(_anchor_url(new))


@staff_required(*access.REPORT_ROLES)
@require_POST
def subscriptions_update(request: HttpRequest) -> HttpResponse:
    """Set the kinds this user gets an email for, among the kinds they may see."""
    wanted = services.subscriptions_set(user=request.user, kinds=request.POST.getlist("kinds"))
    if wanted:
        names = ", ".join(ReportKind(kind).label for kind in wanted)
        messages.success(request, f"You will get an email when these reports are ready: {names}.")
    else:
        messages.success(request, "You will get no emails about reports.")
    return redirect(f"{reverse('reports:list')}#emails")
