"""Pages of the training coordinator under /staff/training/ (two-factor staff pages).

Every view requires the Training coordinator role; the writes are in training.coordination.
"""

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import scoped_get_or_404, staff_required
from accounts.audit import AuditAction, audit_record
from accounts.keptwork import keeps_typed_work, restored
from accounts.network import client_ip
from accounts.roles import Role
from accounts.selectors import organizations_active
from accounts.staff_areas import StaffArea, register
from core.confirm import confirm_page, confirmed, went_back
from training import coordination, exports, selectors
from training.forms.coordinator import (
    AttendanceForm,
    CancelEventForm,
    EventCopyForm,
    EventDocumentForm,
    EventForm,
    MessageForm,
    WaitlistMoveForm,
    WalkInForm,
)
from training.models import (
    SEAT_STATUSES,
    Event,
    EventDocument,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from training.services import RegistrationError, seats_taken

COORDINATOR = Role.TRAINING_COORDINATOR
RECENT_DAYS = 90
EVENTS_PER_PAGE = 50


def register_staff_area() -> None:
    """Put the calendar on the staff landing page; called from TrainingConfig.ready()."""
    register(
        StaffArea(
            "Training calendar",
            "Events, rosters and waitlists, check-in, attendance, messages and exports.",
            "/staff/training/",
            roles=(COORDINATOR,),
            open_work=selectors.coordinator_open_work,
        )
    )


def _event(request: HttpRequest, pk: int) -> Event:
    return scoped_get_or_404(request, coordination.events_for_coordinator, pk=pk)


def _registration(request: HttpRequest, event: Event, pk: int) -> Registration:
    def of_event(*, user):
        return Registration.objects.filter(event=event).select_related("event")

    return scoped_get_or_404(request, of_event, pk=pk)


def _roster_url(event: Event, anchor: str = "") -> str:
    url = reverse("training:coordinator:roster", kwargs={"pk": event.pk})
    return f"{url}#{anchor}" if anchor else url


# --- Events ----------------------------------------------------------------------------


@staff_required(COORDINATOR)
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    events = Event.objects.select_related("host").annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_STATUSES)),
        waitlist_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    )
    upcoming = Paginator(
        events.filter(ends_at__gte=now).order_by("starts_at", "pk"), EVENTS_PER_PAGE
    )
    recent = events.filter(
        ends_at__lt=now, starts_at__gte=now - dt.timedelta(days=RECENT_DAYS)
    ).order_by("-starts_at", "-pk")
    context = {
        "page": upcoming.get_page(request.GET.get("page")),
        "recent": recent,
        "recent_days": RECENT_DAYS,
    }
    return render(request, "training/coordinator/event_list.html", context)


@keeps_typed_work
@staff_required(COORDINATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or restored(request))
    if request.method == "POST":
        if form.is_valid():
            event = coordination.event_create(values=form.values())
            messages.success(request, f"{event.title} is on the calendar.")
            return redirect(_roster_url(event))
        return render(request, "training/coordinator/event_form.html", {"form": form}, status=400)
    return render(request, "training/coordinator/event_form.html", {"form": form})


@keeps_typed_work
@staff_required(COORDINATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = EventForm(request.POST or restored(request), instance=event)
    context = {"form": form, "event": event}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "training/coordinator/event_form.html", context, status=400)
        changes = form.changes()
        if not changes:
            messages.info(request, "Nothing changed.")
            return redirect(_roster_url(event))
        event, promoted = coordination.event_update(event_id=pk, changes=changes)
        text = "Saved. Calendar subscribers will see the change."
        if promoted:
            text += f" {len(promoted)} from the waitlist now have a seat and are being emailed."
        messages.success(request, text)
        return redirect(_roster_url(event))
    return render(request, "training/coordinator/event_form.html", context)


@staff_required(COORDINATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def event_copy(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = EventCopyForm(request.POST or None, initial={"title": event.title})
    if request.method == "POST" and form.is_valid():
        copy = coordination.event_copy(event_id=event.pk, **form.cleaned_data)
        messages.success(request, "Copied. Check the details of the new event and save.")
        return redirect("training:coordinator:event_edit", pk=copy.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "event": event}
    return render(request, "training/coordinator/event_copy.html", context, status=status)


@staff_required(COORDINATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def event_documents(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = EventDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = coordination.event_document_add(event=event, **form.cleaned_data)
        messages.success(request, f"{document.title} is attached to the event.")
        return redirect("training:coordinator:event_documents", pk=event.pk)
    context = {"form": form, "event": event, "documents": event.documents.all()}
    status = 400 if request.method == "POST" else 200
    return render(request, "training/coordinator/event_documents.html", context, status=status)


@staff_required(COORDINATOR)
@require_POST
def event_document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    event = _event(request, pk)

    def of_event(*, user):
        return EventDocument.objects.filter(event=event)

    document = scoped_get_or_404(request, of_event, pk=document_pk)
    coordination.event_document_delete(document=document)
    messages.success(request, f"{document.title} was removed.")
    return redirect("training:coordinator:event_documents", pk=event.pk)


# --- Roster ----------------------------------------------------------------------------


def _roster_groups(event: Event) -> dict[str, list[Registration]]:
    groups: dict[str, list[Registration]] = {status: [] for status in RegistrationStatus.values}
    for registration in event.registrations.order_by("waitlist_position", "name", "pk"):
        groups[registration.status].append(registration)
    return groups


def _render_roster(
    request: HttpRequest, event: Event, *, bound: dict[tuple[str, int], object] | None = None
) -> HttpResponse:
    """The roster, with one small form per row; `bound` holds a row's invalid form."""
    bound = bound or {}
    groups = _roster_groups(event)
    seat_holders = [
        registration
        for status in (
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.ATTENDED,
            RegistrationStatus.NO_SHOW,
        )
        for registration in groups[status]
    ]
    for registration in seat_holders:
        registration.attendance_form = bound.get(("attendance", registration.pk)) or AttendanceForm(
            event=event,
            auto_id=f"id_%s_{registration.pk}",
            initial={
                "status": registration.status,
                "minutes_attended": registration.minutes_attended,
                "is_instructor": registration.is_instructor,
            },
        )
    waitlist = groups[RegistrationStatus.WAITLISTED]
    for registration in waitlist:
        registration.move_form = bound.get(("move", registration.pk)) or WaitlistMoveForm(
            auto_id=f"id_%s_{registration.pk}",
            initial={"position": registration.waitlist_position},
        )
    context = {
        "event": event,
        "groups": groups,
        "confirmed": groups[RegistrationStatus.CONFIRMED],
        "attended": groups[RegistrationStatus.ATTENDED],
        "no_show": groups[RegistrationStatus.NO_SHOW],
        "waitlist": waitlist,
        "cancelled": groups[RegistrationStatus.CANCELLED],
        "seats_taken": len(seat_holders),
        "is_cancelled": event.status == EventStatus.CANCELLED,
    }
    status = 400 if bound else 200
    return render(request, "training/coordinator/roster.html", context, status=status)


@staff_required(COORDINATOR)
@require_safe
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_roster(request, _event(request, pk))


@staff_required(COORDINATOR)
@require_POST
def registration_attendance(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    event = _event(request, pk)
    registration = _registration(request, event, registration_pk)
    form = AttendanceForm(request.POST, event=event, auto_id=f"id_%s_{registration.pk}")
    if not form.is_valid():
        return _render_roster(request, event, bound={("attendance", registration.pk): form})
    try:
        registration = coordination.registration_attendance_set(
            registration_id=registration.pk, **form.cleaned_data
        )
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"{registration.name}: {registration.get_status_display().lower()}."
        )
    return redirect(_roster_url(event, f"registration-{registration.pk}"))


@staff_required(COORDINATOR)
@require_POST
def waitlist_reorder(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    event = _event(request, pk)
    registration = _registration(request, event, registration_pk)
    form = WaitlistMoveForm(request.POST, auto_id=f"id_%s_{registration.pk}")
    if not form.is_valid():
        return _render_roster(request, event, bound={("move", registration.pk): form})
    try:
        registration = coordination.waitlist_reorder(
            registration_id=registration.pk,
            by=request.user,
            ip=client_ip(request),
            path=request.path,
            **form.cleaned_data,
        )
    except RegistrationError as error:
        messages.error(request, error.message)
        return redirect(_roster_url(event))
    messages.success(
        request, f"{registration.name} is now number {registration.waitlist_position}."
    )
    return redirect(_roster_url(event, "waitlist"))


# --- Check-in on a phone ---------------------------------------------------------------


def _check_in_url(event: Event, *, query: str = "", anchor: str = "") -> str:
    url = reverse("training:coordinator:check_in", kwargs={"pk": event.pk})
    if query:
        url += "?" + urlencode({"q": query})
    return f"{url}#{anchor}" if anchor else url


def _render_check_in(
    request: HttpRequest, event: Event, *, walk_in_form: WalkInForm | None = None
) -> HttpResponse:
    """The check-in page; `walk_in_form` is a walk-in form that was refused, to show again."""
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()[:100]
    people = event.registrations.filter(status__in=SEAT_STATUSES).order_by("name", "pk")
    if query:
        people = people.filter(Q(name__icontains=query) | Q(agency_name__icontains=query))
    people = list(people)
    taken = seats_taken(event)
    full = coordination.event_is_full(event)
    refusal = coordination.check_in_refusal(event)
    context = {
        "event": event,
        "people": people,
        "query": query,
        "checked_in": sum(1 for p in people if p.status == RegistrationStatus.ATTENDED),
        "seats_taken": taken,
        "over_capacity": event.capacity is not None and taken > event.capacity,
        "door_closed": refusal.message if refusal else "",
        "walk_in_form": walk_in_form or WalkInForm(full=full),
        "organizations": organizations_active().values_list("name", flat=True).distinct(),
    }
    status = 400 if walk_in_form is not None else 200
    return render(request, "training/coordinator/check_in.html", context, status=status)


@staff_required(COORDINATOR)
@require_safe
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_check_in(request, _event(request, pk))


def _staff_write(request: HttpRequest) -> dict:
    return {"by": request.user, "ip": client_ip(request), "path": request.path}


@staff_required(COORDINATOR)
@require_POST
def registration_check_in(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    event = _event(request, pk)
    registration = _registration(request, event, registration_pk)
    try:
        registration = coordination.registration_check_in(
            registration_id=registration.pk, **_staff_write(request)
        )
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        at = timezone.localtime(registration.checked_in_at)
        messages.success(request, f"{registration.name} checked in at {at:%-I:%M %p}.")
    query = request.POST.get("q", "").strip()[:100]
    return redirect(_check_in_url(event, query=query, anchor=f"registration-{registration.pk}"))


@staff_required(COORDINATOR)
@require_POST
def walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = WalkInForm(request.POST, full=coordination.event_is_full(event))
    if not form.is_valid():
        return _render_check_in(request, event, walk_in_form=form)
    try:
        registration = coordination.registration_walk_in(
            event_id=event.pk, person=form.walk_in(), **_staff_write(request)
        )
    except RegistrationError as error:
        if error.code == "full":
            # The last seat went while the form was open: ask for the reason, which the
            # form now requires (its error says why).
            form = WalkInForm(request.POST, full=True)
            form.is_valid()
        else:
            form.add_error("email" if error.code == "duplicate" else None, error.message)
        return _render_check_in(request, event, walk_in_form=form)
    text = f"{registration.name} is registered and checked in."
    if registration.over_capacity_reason:
        reason = registration.get_over_capacity_reason_display()
        text += f" The event is now over capacity; the reason is recorded: {reason}."
    messages.success(request, text)
    return redirect(_check_in_url(event, query=registration.name))


@staff_required(COORDINATOR)
@require_POST
def registration_check_in_undo(request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
    event = _event(request, pk)
    registration = _registration(request, event, registration_pk)
    try:
        registration = coordination.registration_check_in_undo(
            registration_id=registration.pk, **_staff_write(request)
        )
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        if registration.walk_in:
            text = f"Check-in undone: {registration.name}, a walk-in, is no longer registered."
        else:
            text = f"Check-in undone: {registration.name} is registered but not checked in."
        messages.success(request, text)
    anchor = f"registration-{registration.pk}"
    if request.POST.get("back") == "roster":
        return redirect(_roster_url(event, anchor))
    query = request.POST.get("q", "").strip()[:100]
    return redirect(_check_in_url(event, query=query, anchor=anchor))


# --- Messages and cancellation ---------------------------------------------------------


def _sent_summary(result: coordination.SendResult) -> str:
    text = f"Emailed {result.queued} registrant{'s' if result.queued != 1 else ''}."
    if result.already_sent:
        text += f" {result.already_sent} had it already and were not emailed again."
    return text


def _people(count: int) -> str:
    return f"{count} registrant{'s' if count != 1 else ''}"


@staff_required(COORDINATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def event_message(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    recipients = event.registrations.filter(status__in=coordination.MESSAGE_STATUSES).count()
    form = MessageForm(request.POST or None, initial={"message_id": uuid.uuid4()})
    context = {"form": form, "event": event, "recipients": recipients}
    if request.method != "POST" or went_back(request):
        return render(request, "training/coordinator/event_message.html", context)
    if not form.is_valid():
        return render(request, "training/coordinator/event_message.html", context, status=400)
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Email {_people(recipients)}?",
            action=f"Send to {_people(recipients)}",
            back_url=request.path,
            back_reposts=True,
            consequences=[
                f"This message goes to the {_people(recipients)} of {event.title} who are "
                "confirmed or on the waitlist (anyone who already has it is not emailed again).",
                "An email cannot be taken back once it is sent.",
            ],
            summary=[
                ("Subject", form.cleaned_data["subject"]),
                ("Message", form.cleaned_data["body"]),
            ],
        )
    result = coordination.event_message_send(event_id=event.pk, **form.cleaned_data)
    audit_record(
        request=request,
        action=AuditAction.CREATE,
        obj=event,
        detail={
            "email": "message to registrants",
            "message_id": str(form.cleaned_data["message_id"]),
            "subject": form.cleaned_data["subject"],
            "sent": result.queued,
        },
    )
    messages.success(request, _sent_summary(result))
    return redirect(_roster_url(event))


@staff_required(COORDINATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    recipients = event.registrations.exclude(status=RegistrationStatus.CANCELLED).count()
    form = CancelEventForm(request.POST or None)
    context = {"form": form, "event": event, "recipients": recipients}
    if request.method != "POST" or went_back(request):
        return render(request, "training/coordinator/event_cancel.html", context)
    if not form.is_valid():
        return render(request, "training/coordinator/event_cancel.html", context, status=400)
    if not confirmed(request):
        starts = timezone.localtime(event.starts_at)
        return confirm_page(
            request,
            title="Cancel this event?",
            action=f"Cancel the event and email {_people(recipients)}",
            back_url=request.path,
            back_reposts=True,
            consequences=[
                f"{event.title} on {starts:%A, %B %-d, %Y} will show as cancelled on the "
                "calendar, and calendar subscribers will see the change.",
                f"Each of the {_people(recipients)} (confirmed, waitlisted or already marked) "
                "will be emailed once. An email cannot be taken back once it is sent.",
            ],
            summary=[("Note to registrants", form.cleaned_data["note"] or "(no note)")],
        )
    event, result = coordination.event_cancel(event_id=event.pk, note=form.cleaned_data["note"])
    audit_record(
        request=request,
        action=AuditAction.UPDATE,
        obj=event,
        detail={"change": "event cancelled", "notified": result.queued},
    )
    messages.success(request, f"The event is cancelled. {_sent_summary(result)}")
    return redirect(_roster_url(event))


# --- Exports ---------------------------------------------------------------------------


def _export(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    event = _event(request, pk)
    if kind == "csv":
        content, rows = exports.roster_csv(event)
        content_type = "text/csv; charset=utf-8"
    else:
        content, rows = exports.roster_xlsx(event)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_record(
        request=request,
        action=AuditAction.EXPORT,
        obj=event,
        detail={"export": "roster", "format": kind, "rows": rows},
    )
    response = HttpResponse(content, content_type=content_type)
    filename = exports.export_filename(event, kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required(COORDINATOR)
@require_safe
def roster_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, kind="csv")


@staff_required(COORDINATOR)
@require_safe
def roster_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, kind="xlsx")
