"""Entry pages of the co-responder program under /staff/coresponder/ (two-factor staff pages).

Clinicians enter and correct their provider's encounters; program managers see and correct
all of them, close months and keep the monthly call volume. Every page that shows records
writes a view event to the audit log (a list: one event noting how many rows it showed).
The rules of a record are the data dictionary's (coresponder.forms.entry); the writes are in
coresponder.services.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import scoped_get_or_404, staff_required
from accounts.audit import AuditAction, audit_read, audit_record
from accounts.keptwork import keeps_typed_work, restored
from accounts.network import client_ip
from accounts.roles import Role
from core import dates
from coresponder import dictionary as dd
from coresponder import services
from coresponder.access import clinician_of, encounters_visible_to, is_program_manager
from coresponder.forms.entry import (
    LABELS,
    EncounterFilterForm,
    EncounterForm,
    MonthCloseForm,
    VolumeForm,
    row_from_encounter,
)
from coresponder.models import ClosedMonth, Encounter, MonthlyCallVolume

CLINICIAN = Role.CORESPONDER_CLINICIAN
MANAGER = Role.PROGRAM_MANAGER
ENCOUNTERS_PER_PAGE = 50
MONTHS_LISTED = 24
VOLUME_MONTHS = 6
CLOSED_MESSAGE = "This month is closed: only a program manager can change its records."
NO_CHANGES_MESSAGE = "No changes to save."


def _month_label(month: dt.date) -> str:
    return f"{month:%B %Y}"


def _months_back(start: dt.date, count: int) -> list[dt.date]:
    """`count` first-of-month dates, from start's month backwards."""
    month, months = dates.month_start(start), []
    for _ in range(count):
        months.append(month)
        month = dates.add_months(month, -1)
    return months


class _Writer:
    """Who is entering records: a clinician (their provider, their agencies) or a program
    manager (any provider and agency). None of either: not set up yet."""

    def __init__(self, user):
        self.manager = is_program_manager(user)
        self.clinician = clinician_of(user)

    @property
    def ready(self) -> bool:
        if self.manager:
            return True
        return self.clinician is not None and self.clinician.agencies.exists()

    def initial(self, request: HttpRequest) -> dict:
        """Today and the usual agency; after "Save and add another", the previous ones."""
        initial = {"date": services.today().isoformat()}
        clinician = self.clinician
        if clinician is not None:
            usual = clinician.usual_agency
            if usual is not None and clinician.agencies.filter(pk=usual.pk).exists():
                initial["agency"] = usual.dictionary_code
            elif clinician.agencies.count() == 1:
                initial["agency"] = clinician.agencies.get().dictionary_code
            if self.manager:
                initial["provider"] = clinician.provider.dictionary_code
        if request.GET.get("agency") in dd.AGENCIES:
            initial["agency"] = request.GET["agency"]
        day = dates.date_or_none(request.GET.get("date"))
        if day is not None and day <= services.today():
            initial["date"] = day.isoformat()
        return initial

    def form(self, request: HttpRequest, **kwargs) -> EncounterForm:
        data = request.POST if request.method == "POST" else restored(request)
        return EncounterForm(data, clinician=self.clinician, manager=self.manager, **kwargs)


def _not_set_up(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    return render(request, "coresponder/entry/not_set_up.html", status=status)


# --- Encounters ------------------------------------------------------------------------


@staff_required(CLINICIAN, MANAGER)
@require_safe
def encounter_list(request: HttpRequest) -> HttpResponse:
    manager = is_program_manager(request.user)
    filters = EncounterFilterForm(request.GET or None)
    encounters = encounters_visible_to(user=request.user).select_related("agency", "provider")
    applied = {}
    if filters.is_bound and filters.is_valid():
        month = filters.month_start()
        if month is not None:
            next_month = dates.add_months(month, 1)
            encounters = encounters.filter(date__gte=month, date__lt=next_month)
            applied["month"] = f"{month:%Y-%m}"
        if filters.cleaned_data["agency"]:
            encounters = encounters.filter(agency__dictionary_code=filters.cleaned_data["agency"])
            applied["agency"] = filters.cleaned_data["agency"]
    page = Paginator(encounters, ENCOUNTERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    closed = set(ClosedMonth.objects.values_list("month", flat=True))
    for encounter in rows:
        encounter.month_closed = dates.month_start(encounter.date) in closed
    audit_record(
        request=request,
        action=AuditAction.VIEW,
        object_type=Encounter._meta.label_lower,
        detail={
            "list": True,
            "rows": len(rows),
            "total": page.paginator.count,
            "page": page.number,
            **applied,
        },
    )
    context = {
        "page": page,
        "encounters": rows,
        "filters": filters,
        "extra": urlencode(applied),
        "filtered": bool(applied),
        "manager": manager,
        "can_add": _Writer(request.user).ready,
    }
    return render(request, "coresponder/entry/encounter_list.html", context)


@keeps_typed_work
@staff_required(CLINICIAN, MANAGER)
@require_http_methods(["GET", "HEAD", "POST"])
def encounter_new(request: HttpRequest) -> HttpResponse:
    writer = _Writer(request.user)
    if not writer.ready:
        return _not_set_up(request, status=403 if request.method == "POST" else 200)
    form = writer.form(request, initial=writer.initial(request))
    context = {"form": form, "writer": writer}
    template = "coresponder/entry/encounter_form.html"
    if request.method != "POST":
        return render(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        encounter = services.encounter_save(
            values=form.values(), by=request.user, ip=client_ip(request), path=request.path
        )
    except services.ClosedMonthError as error:
        form.add_error("date", str(error))
        return render(request, template, context, status=409)
    except IntegrityError:  # the same ID saved at the same moment by someone else
        form.add_error("encounter_id", form.duplicate_message(form.dictionary_cleaned["agency"]))
        return render(request, template, context, status=400)
    messages.success(request, f"Encounter {encounter.encounter_id} saved.")
    if "another" in request.POST:
        query = urlencode(
            {"agency": encounter.agency.dictionary_code, "date": encounter.date.isoformat()}
        )
        return redirect(f"{reverse('coresponder:entry:encounter_new')}?{query}")
    return redirect("coresponder:entry:encounters")


def _readable(encounter: Encounter) -> list[tuple[str, str]]:
    """The record as label and value pairs, for the read-only page."""
    row = row_from_encounter(encounter)
    pairs = []
    for column in dd.ENCOUNTER_COLUMNS:
        value = row[column]
        if column == "agency":
            shown = encounter.agency.name
        elif column == "provider":
            shown = encounter.provider.name
        elif column == "concerns":
            shown = ", ".join(dd.label(code) for code in value)
        elif column in ("encounter_id", "date", "time", "cad_incident", "person_key", "minutes"):
            shown = value
        else:
            shown = dd.label(value) if value else ""
        pairs.append((LABELS[column], shown or "Not recorded"))
    return pairs


@keeps_typed_work
@staff_required()
@require_http_methods(["GET", "HEAD", "POST"])
def encounter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One record: edit it, or read it when its month is closed. Anyone who may not see it
    (an agency liaison included) gets 404, whatever their role."""
    encounter = scoped_get_or_404(
        request,
        lambda *, user: encounters_visible_to(user=user).select_related("agency", "provider"),
        pk=pk,
    )
    writer = _Writer(request.user)
    closed_month = ClosedMonth.objects.filter(month=dates.month_start(encounter.date)).first()
    read_only = closed_month is not None and not writer.manager
    form = None
    if not read_only:
        form = writer.form(request, instance=encounter, initial=row_from_encounter(encounter))
    context = {
        "encounter": encounter,
        "form": form,
        "writer": writer,
        "closed_month": closed_month,
        "read_only": read_only,
        "readable": _readable(encounter) if read_only else None,
    }
    template = "coresponder/entry/encounter_detail.html"
    status = 200
    if request.method == "POST":
        if read_only:
            messages.error(request, CLOSED_MESSAGE)
            status = 409
        elif not form.is_valid():
            status = 400
        elif not services.encounter_changes(encounter, form.values()):
            messages.info(request, NO_CHANGES_MESSAGE)  # nothing written, no history event
            return redirect("coresponder:entry:encounter", pk=encounter.pk)
        else:
            try:
                services.encounter_save(
                    values=form.values(),
                    by=request.user,
                    instance=encounter,
                    ip=client_ip(request),
                    path=request.path,
                )
            except services.ClosedMonthError as error:
                form.add_error("date", str(error))
                status = 409
            except IntegrityError:
                agency = form.dictionary_cleaned["agency"]
                form.add_error("encounter_id", form.duplicate_message(agency))
                status = 400
            else:
                messages.success(request, f"Encounter {encounter.encounter_id} saved.")
                return redirect("coresponder:entry:encounter", pk=encounter.pk)
    audit_read(request, encounter)
    return render(request, template, context, status=status)


# --- Months ----------------------------------------------------------------------------


def _month_rows() -> list[dict]:
    today = services.today()
    counts = {
        row["month"]: row["n"]
        for row in Encounter.objects.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("id"))
    }
    closed = {c.month: c for c in ClosedMonth.objects.select_related("closed_by")}
    months = set(_months_back(today, MONTHS_LISTED)) | set(counts) | set(closed)
    current = dates.month_start(today)
    return [
        {
            "month": month,
            "label": _month_label(month),
            "value": f"{month:%Y-%m}",
            "count": counts.get(month, 0),
            "closed": closed.get(month),
            "can_close": month < current and month not in closed,
        }
        for month in sorted((m for m in months if m <= current), reverse=True)
    ]


@staff_required(MANAGER)
@require_safe
def month_list(request: HttpRequest) -> HttpResponse:
    return render(request, "coresponder/entry/month_list.html", {"months": _month_rows()})


@staff_required(MANAGER)
@require_POST
def month_close(request: HttpRequest) -> HttpResponse:
    form = MonthCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("month", ["Choose a month."])))
        context = {"months": _month_rows()}
        return render(request, "coresponder/entry/month_list.html", context, status=400)
    month = form.cleaned_data["month"]
    if services.is_month_closed(month):
        messages.info(request, f"{_month_label(month)} was already closed.")
    else:
        services.month_close(month=month, by=request.user, ip=client_ip(request), path=request.path)
        messages.success(
            request,
            f"{_month_label(month)} is closed: its records are read-only for clinicians.",
        )
    return redirect("coresponder:entry:months")


# --- Monthly call volume ---------------------------------------------------------------


def _volume_table(months: list[dt.date]) -> list[dict]:
    orgs = services.organizations_by_code()
    agencies = [orgs[code] for code in dd.AGENCIES if code in orgs]
    volumes = {
        (v.agency_id, v.month): v
        for v in MonthlyCallVolume.objects.filter(month__in=months, agency__in=agencies)
    }
    return [
        {
            "agency": agency,
            "cells": [
                {
                    "month": month,
                    "value": f"{month:%Y-%m}",
                    "volume": volumes.get((agency.pk, month)),
                }
                for month in months
            ],
        }
        for agency in agencies
    ]


def _volume_initial(request: HttpRequest) -> dict:
    """The form prefilled from a cell's link (?agency=…&month=…), with its numbers."""
    agency, month = request.GET.get("agency", ""), request.GET.get("month", "")
    initial = {"agency": agency if agency in dd.AGENCIES else ""}
    start = dates.month_or_none(month)
    if start is None:
        return initial
    initial["month"] = f"{start:%Y-%m}"
    volume = MonthlyCallVolume.objects.filter(
        agency__dictionary_code=initial["agency"], month=start
    ).first()
    if volume is not None:
        initial["mh_calls"] = str(volume.mh_calls)
        initial["total_calls"] = "" if volume.total_calls is None else str(volume.total_calls)
    return initial


@staff_required(MANAGER)
@require_http_methods(["GET", "HEAD", "POST"])
def volume(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = VolumeForm(request.POST)
    else:
        initial = _volume_initial(request)
        form = VolumeForm(initial=initial)
        if initial.get("month"):  # came from a cell of the table: the numbers are next
            form.fields["mh_calls"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        saved = services.volume_save(
            **form.values(), by=request.user, ip=client_ip(request), path=request.path
        )
        messages.success(
            request,
            f"Saved {saved.agency.name}, {_month_label(saved.month)}: {saved.mh_calls} "
            "mental-health calls.",
        )
        for check in form.checks_after_save():  # saved, but worth a second look
            messages.warning(request, check.message)
        return redirect("coresponder:entry:volume")
    months = list(reversed(_months_back(services.today(), VOLUME_MONTHS)))
    context = {"form": form, "months": months, "table": _volume_table(months)}
    status = 400 if request.method == "POST" else 200
    return render(request, "coresponder/entry/volume.html", context, status=status)
