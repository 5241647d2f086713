"""The monthly reports under /staff/reports/ (two-factor staff pages).

Each user sees the runs reports.access allows, grouped by month; program managers also
rebuild reports and read why a build failed. The report files are served only through
these views (scoped, audited), never from a public media URL. A rebuild replaces the
current version, so it is asked once more first (core.confirm).
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from accounts.access import scoped_get_or_404, staff_required
from accounts.audit import AuditAction, audit_read, audit_record
from accounts.network import client_ip
from accounts.roles import Role
from core.confirm import confirm_page, confirmed
from coresponder import selectors as coresponder
from reports import access, selectors, services
from reports.forms import ALL_KINDS, MonthsBuildForm
from reports.models import ReportKind, ReportRun, RunStatus, Subscription

log = logging.getLogger(__name__)

MONTHS_PER_PAGE = 6
# "Not built yet" rows shown at once; the form builds the rest, a range at a time.
UNBUILT_LISTED = 24
# Runs one progress request may ask about (a page shows at most a few months of them).
PROGRESS_LIMIT = 500
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


def _visible_periods(user) -> list[dt.date]:
    visible = access.runs_visible_to(user=user)
    return list(visible.order_by("-period").values_list("period", flat=True).distinct())


@staff_required(*access.REPORT_ROLES)
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, build_form=MonthsBuildForm())


def _list_page(
    request: HttpRequest, *, build_form: MonthsBuildForm, status: int = 200
) -> HttpResponse:
    visible = access.runs_visible_to(user=request.user)
    periods = _visible_periods(request.user)
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
    may_rebuild = access.may_rebuild(request.user)
    unbuilt = selectors.unbuilt_reports() if may_rebuild else []
    context = {
        "page": page,
        "months": months,
        "may_rebuild": may_rebuild,
        "may_see_errors": access.may_see_errors(request.user),
        "subscription_choices": [
            (kind, ReportKind(kind).label, kind in subscribed) for kind in kinds
        ],
        "build_form": build_form,
        "max_months": services.MAX_MONTHS_PER_REQUEST,
        "unbuilt": unbuilt[:UNBUILT_LISTED],
        "unbuilt_more": max(len(unbuilt) - UNBUILT_LISTED, 0),
        "polling": any(entry.building for _, entries in months for entry in entries),
    }
    return render(request, "reports/list.html", context, status=status)


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
    if not confirmed(request):
        return _rebuild_confirm_page(request, run)
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


def _rebuild_confirm_page(request: HttpRequest, run: ReportRun) -> HttpResponse:
    """Say what a rebuild replaces before it is queued."""
    versions = ReportEntry(
        runs=list(
            access.runs_visible_to(user=request.user)
            .filter(kind=run.kind, period=run.period, scope=run.scope)
            .order_by("-version")
        )
    )
    name = f"{report_title(run)} for {run.period:%B %Y}"
    current = versions.current
    if current is not None:
        replaced = (
            f"A new version is built from the figures in the portal now. It replaces version "
            f"{current.version} as the current report on the list and in the downloads, and "
            "those who asked for report emails get one when it is ready."
        )
        kept = f"Version {current.version} stays under “Earlier versions”, with its files."
    else:
        replaced = "A new version is built from the figures in the portal now."
        kept = "The versions that failed stay in the history."
    return confirm_page(
        request,
        title=f"Rebuild {name}?",
        action="Rebuild the report",
        back_url=reverse("reports:detail", kwargs={"pk": run.pk})
        if request.POST.get("from") == "detail"
        else _anchor_url(run),
        consequences=[replaced, kept],
    )


@staff_required(Role.PROGRAM_MANAGER)
@require_POST
def reports_build(request: HttpRequest) -> HttpResponse:
    """Queue the reports of past months that were never built (the form on the list, or a
    "not built yet" row's button). Refused input comes back with what was typed."""
    form = MonthsBuildForm(request.POST)
    if not form.is_valid():
        return _list_page(request, build_form=form, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        outcome = services.report_months_build(
            kinds=form.kinds(),
            start=start,
            end=end,
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
    except services.BuildRefused as refusal:  # the form checks the same rules first
        form.add_error(refusal.field or None, refusal.message)
        return _list_page(request, build_form=form, status=400)
    kinds = form.kinds()
    what = "" if form.cleaned_data["kind"] == ALL_KINDS else f"{ReportKind(kinds[0]).label} "
    months = f"{start:%B %Y}" if start == end else f"{start:%B %Y} to {end:%B %Y}"
    message = _outcome_message(outcome, what=what, months=months)
    if outcome.queued:
        messages.success(request, message)
    else:
        messages.info(request, message)
    return redirect(_month_url(request.user, end))


def _outcome_message(outcome: services.MonthsBuild, *, what: str, months: str) -> str:
    """What a build request did, in a few sentences: what: "" or a kind's label and a space."""

    def reports(count: int) -> str:
        return f"{count:,} {what}report{'' if count == 1 else 's'}"

    def were(count: int) -> str:
        return "was" if count == 1 else "were"

    queued = len(outcome.queued)
    sentences = [
        f"{reports(queued)} for {months} {were(queued)} queued to be built; each one "
        "below shows how its build is going."
        if queued
        else f"No new {what}report was queued for {months}."
    ]
    if outcome.building:
        sentences.append(
            f"{reports(outcome.building)} {were(outcome.building)} waiting or being built "
            "already, and not queued again."
        )
    if outcome.ready:
        sentences.append(
            f"{reports(outcome.ready)} {were(outcome.ready)} built already and left as "
            f"{'it is' if outcome.ready == 1 else 'they are'}; for a new version, use the "
            "report's Rebuild button."
        )
    if outcome.failed:
        sentences.append(
            f"{reports(outcome.failed)} failed before; to try again, use the report's "
            "Rebuild button."
        )
    return " ".join(sentences)


def _month_url(user, period: dt.date) -> str:
    """The list's page that shows the month, at the month's heading."""
    periods = _visible_periods(user)
    if period not in periods:
        return reverse("reports:list")
    number = periods.index(period) // MONTHS_PER_PAGE + 1
    query = f"?page={number}" if number > 1 else ""
    return f"{reverse('reports:list')}{query}#month-{period:%Y-%m}"


@staff_required(*access.REPORT_ROLES)
@require_safe
def report_progress(request: HttpRequest) -> JsonResponse:
    """Where the runs the page shows stand, for static/js/report-progress.js:
    {"runs": {"<id>": {"status": "running", "label": "Being built"}}}, for the runs of
    ?run=<id>&run=<id> that the user may see (others are left out)."""
    ids = [
        int(value)
        for value in request.GET.getlist("run")[:PROGRESS_LIMIT]
        if value.isascii() and value.isdigit() and len(value) <= 18
    ]
    runs = access.runs_visible_to(user=request.user).filter(pk__in=ids)
    return JsonResponse(
        {
            "runs": {
                str(pk): {"status": status, "label": RunStatus(status).label}
                for pk, status in runs.values_list("pk", "status")
            }
        }
    )


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
