"""CSV import and export pages under /staff/coresponder/ (two-factor staff pages).

Program managers import and export everything; clinicians import and export their own
provider's encounters. The work is in coresponder.csvio; these views check who may do it.
"""

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import scoped_get_or_404, staff_required
from accounts.audit import AuditAction, audit_denied, audit_record
from accounts.roles import Role
from core import dates
from coresponder import dictionary as dd
from coresponder.access import clinician_of, is_program_manager
from coresponder.csvio.export import (
    csv_chunks,
    encounter_export_rows,
    encounters_for_export,
    error_rows,
    volume_export_rows,
    volume_for_export,
)
from coresponder.csvio.jobs import (
    ASYNC_THRESHOLD,
    MAX_UPLOAD_BYTES,
    RUNNING,
    errors_by_column,
    import_jobs_visible_to,
    import_start,
)
from coresponder.csvio.parse import ENCOUNTERS, VOLUME
from coresponder.forms.entry import LABELS
from coresponder.models import ImportJob, ImportStatus

MANAGER = Role.PROGRAM_MANAGER
CLINICIAN = Role.CORESPONDER_CLINICIAN
ERRORS_PER_PAGE = 200
REFRESH_SECONDS = 2
KINDS = [(ENCOUNTERS, "Encounters"), (VOLUME, "Monthly call volume")]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="The file holds", choices=KINDS, initial=ENCOUNTERS)
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with the data dictionary's header row (as the export writes it).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, manager: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager:
            self.fields["kind"].choices = KINDS[:1]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.name.lower().endswith((".xlsx", ".xls", ".ods")):
            raise forms.ValidationError("This is a spreadsheet: save it as “CSV UTF-8” first.")
        if upload.size > MAX_UPLOAD_BYTES:
            limit = MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is larger than {limit} MB: split it.")
        return upload


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label="Export", choices=KINDS, initial=ENCOUNTERS)
    date_from = dates.DateField(label="From", required=False)
    date_to = dates.DateField(label="To", required=False)
    agency = forms.ChoiceField(required=False, choices=[("", "All agencies"), *dd.AGENCIES.items()])
    provider = forms.ChoiceField(
        required=False,
        choices=[("", "All providers"), *dd.PROVIDERS.items()],
        help_text="Applies to encounters.",
    )

    def __init__(self, *args, manager: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager:
            del self.fields["provider"]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


def _scope(request: HttpRequest) -> tuple[bool, object] | None:
    """(program manager?, clinician) for someone who may use these pages, else None."""
    if is_program_manager(request.user):
        return True, None
    clinician = clinician_of(request.user)
    return (False, clinician) if clinician is not None else None


def _refused(request: HttpRequest, view: str) -> HttpResponse:
    audit_denied(request, object_type=f"view:coresponder.views.data.{view}")
    return render(request, "403.html", status=403)


def _changes(job: ImportJob) -> list[tuple[str, str, int]]:
    """(field label, column, records changed) of each column an import changed: the most
    changed first, then in the dictionary's order."""
    order = {column: n for n, column in enumerate([*dd.ENCOUNTER_COLUMNS, *dd.VOLUME_COLUMNS])}
    changes = [
        (LABELS.get(column, column), column, count)
        for column, count in (job.changed_columns or {}).items()
        if count
    ]
    return sorted(changes, key=lambda change: (-change[2], order.get(change[1], len(order))))


# --- Import ------------------------------------------------------------------------------


@staff_required(MANAGER, CLINICIAN)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if scope is None:
        return _refused(request, "import_upload")
    manager, clinician = scope
    form = ImportForm(request.POST or None, request.FILES or None, manager=manager)
    if request.method == "POST" and form.is_valid():
        job = import_start(
            kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], by=request.user
        )
        return redirect("coresponder:data:import_job", pk=job.pk)
    jobs = list(import_jobs_visible_to(user=request.user)[:10])
    for listed in jobs:
        listed.changes = _changes(listed)
    return render(
        request,
        "coresponder/data/import.html",
        {
            "form": form,
            "jobs": jobs,
            "manager": manager,
            "clinician": clinician,
            "threshold": ASYNC_THRESHOLD,
            "encounter_columns": dd.ENCOUNTER_COLUMNS,
            "volume_columns": dd.VOLUME_COLUMNS,
        },
    )


@staff_required(MANAGER, CLINICIAN)
@require_safe
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = scoped_get_or_404(request, import_jobs_visible_to, pk=pk)
    running = job.status in RUNNING
    refresh = running and request.GET.get("refresh") != "off"
    page = Paginator(job.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    percent = round(100 * job.processed_rows / job.total_rows) if job.total_rows else 0
    changes = _changes(job) if job.status == ImportStatus.DONE else []
    response = render(
        request,
        "coresponder/data/import_job.html",
        {
            "job": job,
            "running": running,
            "refresh": refresh,
            "refresh_seconds": REFRESH_SECONDS,
            "percent": min(percent, 100),
            "page": page,
            "by_column": errors_by_column(job) if job.errors else [],
            "failed": job.status == ImportStatus.FAILED,
            "changes": changes,
            "nothing_changed": job.created_rows == 0 and job.updated_rows == 0,
            # A record changed in two columns counts in both: say so when it shows.
            "overlap": sum(count for _, _, count in changes) > job.updated_rows,
        },
    )
    if refresh:
        # The same as <meta http-equiv="refresh">: no script, so the CSP holds; and no meta
        # element, which base.html has no head block for. "Stop refreshing" turns it off.
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@staff_required(MANAGER, CLINICIAN)
@require_safe
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = scoped_get_or_404(request, import_jobs_visible_to, pk=pk)
    response = StreamingHttpResponse(
        csv_chunks(error_rows(job)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


# --- Export ------------------------------------------------------------------------------


@staff_required(MANAGER, CLINICIAN)
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if scope is None:
        return _refused(request, "export")
    manager, clinician = scope
    if "kind" not in request.GET:
        form = ExportForm(manager=manager)
        return render(
            request,
            "coresponder/data/export.html",
            {"form": form, "manager": manager, "clinician": clinician},
        )
    form = ExportForm(request.GET, manager=manager)
    if not form.is_valid():
        return render(
            request,
            "coresponder/data/export.html",
            {"form": form, "manager": manager, "clinician": clinician},
            status=400,
        )
    data = form.cleaned_data
    kind = data["kind"]
    if kind == ENCOUNTERS:
        records = encounters_for_export(
            user=request.user,
            date_from=data["date_from"],
            date_to=data["date_to"],
            agency=data["agency"],
            provider=data.get("provider", ""),
        )
        rows = encounter_export_rows(records)
        object_type = "coresponder.encounter"
    else:
        records = volume_for_export(
            date_from=data["date_from"], date_to=data["date_to"], agency=data["agency"]
        )
        rows = volume_export_rows(records)
        object_type = "coresponder.monthlycallvolume"
    filters = {
        "from": data["date_from"].isoformat() if data["date_from"] else "",
        "to": data["date_to"].isoformat() if data["date_to"] else "",
        "agency": data["agency"],
        "provider": data.get("provider", "") if kind == ENCOUNTERS else "",
    }
    if clinician is not None:
        filters["provider"] = clinician.provider.dictionary_code
    audit_record(
        request=request,
        action=AuditAction.EXPORT,
        object_type=object_type,
        detail={"export": kind, "filters": filters, "rows": records.count()},
    )
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    span = f"{filters['from'] or 'start'}-to-{filters['to'] or timezone.localdate().isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="coresponder-{kind}-{span}.csv"'
    return response
