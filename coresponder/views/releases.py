"""Releases of the public figures under /staff/coresponder/releases/ (program managers,
two-factor staff pages).

index   every year: its revisions, "Publish 2025" when it can be released, or what stands
        in the way (the year is not over, months to close first)
year    the preview: exactly the table that would be published, each hidden figure and why,
        what changed since the current revision; a reason (required for a revision) and
        the publish button. Publishing is coresponder.services.release_publish: refused
        with a sentence, or with the new preview when the records or the releases changed
        since this one.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import staff_required
from accounts.network import client_ip
from accounts.roles import Role
from core import dates
from coresponder import public, services
from coresponder.release_tables import ROW_TO_DATE, ROW_YEAR
from coresponder.suppression import NOT_APPLICABLE, SMALL, WITHHELD
from coresponder.views.public import to_date_row, year_row

MANAGER = Role.PROGRAM_MANAGER
TEMPLATE = "coresponder/releases/preview.html"
WHY = {
    SMALL: "The count is from 1 to 10.",
    WITHHELD: "Hidden to protect another figure: with this one shown, a reader could work "
    "out a count from 1 to 10.",
    "not-reported": "No police department reported mental-health calls for every year "
    "counted, so the calls and the coverage cannot be given.",
    NOT_APPLICABLE: "A share of zero encounters.",
}


class ReleaseForm(forms.Form):
    note = forms.CharField(
        max_length=services.RELEASE_NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, revision: int, **kwargs):
        super().__init__(*args, **kwargs)
        note = self.fields["note"]
        if revision > 1:
            note.required = True
            note.label = "Reason for this revision"
            note.help_text = (
                "Shown on the public page as “Revised (date): (your reason)”. "
                f"Up to {services.RELEASE_NOTE_MAX} characters."
            )
            note.error_messages["required"] = (
                "Say why the figures are revised: the public page shows it."
            )
        else:
            note.label = "Note (optional)"
            note.help_text = (
                "Shown on the public page under the release. "
                f"Up to {services.RELEASE_NOTE_MAX} characters."
            )


def _row_heading(row: str, year: int) -> str:
    return {ROW_YEAR: str(year), ROW_TO_DATE: f"All years through {year}"}.get(row, row)


def _hidden(preview: services.ReleasePreview) -> list[dict]:
    """Every figure the release hides, with the reason a manager reads."""
    across = {(cell.row, cell.figure): cell.reason for cell in preview.table.hidden_across}
    hidden = []
    for row, figures in preview.table.rows.items():
        for column in public.COLUMNS:
            figure = figures[column.key]
            if figure.shown:
                continue
            why = across.get((row, column.key)) or WHY.get(figure.status, "")
            hidden.append(
                {
                    "row": _row_heading(row, preview.year),
                    "column": column.label,
                    "text": figure.text,
                    "why": why,
                    "across": (row, column.key) in across,
                }
            )
    return hidden


def _preview_context(preview: services.ReleasePreview, form: ReleaseForm) -> dict:
    # "candidate", not "preview": base.html reads "preview" as the editors' draft preview.
    context = {"candidate": preview, "form": form, "columns": public.COLUMNS}
    if preview.table is not None:
        context["rows"] = [
            year_row(preview.year, preview.table.rows[ROW_YEAR]),
            to_date_row(preview.year, preview.table.rows[ROW_TO_DATE]),
        ]
        context["hidden"] = _hidden(preview)
        context["changes"] = [
            {
                "row": _row_heading(change.row, preview.year),
                "column": public.column_label(change.figure),
                "before": change.before.text,
                "after": change.after.text,
            }
            for change in preview.changes
        ]
    return context


def _year(year: int) -> int:
    if not dates.year_in_range(year):
        raise Http404("No such year.")
    return year


@staff_required(MANAGER)
@require_safe
def release_list(request: HttpRequest) -> HttpResponse:
    return render(request, "coresponder/releases/index.html", {"years": services.release_years()})


@staff_required(MANAGER)
@require_http_methods(["GET", "HEAD", "POST"])
def release_year(request: HttpRequest, year: int) -> HttpResponse:
    preview = services.release_preview(year=_year(year))
    if request.method != "POST":
        form = ReleaseForm(initial={"fingerprint": preview.fingerprint}, revision=preview.revision)
        return render(request, TEMPLATE, _preview_context(preview, form))
    form = ReleaseForm(request.POST, revision=preview.revision)
    if not form.is_valid():
        if "fingerprint" in form.errors:
            messages.error(request, "The form was out of date: check the preview and try again.")
        # The page shows the preview as it stands now, so the form carries its fingerprint.
        data = request.POST.copy()
        data["fingerprint"] = preview.fingerprint
        form = ReleaseForm(data, revision=preview.revision)
        form.is_valid()
        return render(request, TEMPLATE, _preview_context(preview, form), status=400)
    note = form.cleaned_data["note"]
    try:
        release = services.release_publish(
            year=year,
            note=note,
            fingerprint=form.cleaned_data["fingerprint"],
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
    except services.ReleaseStale as stale:
        messages.error(request, str(stale))
        fresh = ReleaseForm(
            initial={"fingerprint": stale.preview.fingerprint, "note": note},
            revision=stale.preview.revision,
        )
        return render(request, TEMPLATE, _preview_context(stale.preview, fresh), status=409)
    except services.ReleaseError as refused:
        messages.error(request, str(refused))
        form = ReleaseForm(
            initial={"fingerprint": preview.fingerprint, "note": note}, revision=preview.revision
        )
        return render(request, TEMPLATE, _preview_context(preview, form), status=409)
    if release.revision == 1:
        done = f"The {year} figures are published."
    else:
        done = f"Revision {release.revision} of the {year} figures is published."
    messages.success(request, f"{done} The public page shows them now.")
    return redirect("coresponder:releases:index")
