"""Pages of the peer support coordinator under /staff/peer-support/ (two-factor staff pages).

Every view requires the Peer support coordinator role. Reads are in peersupport.selectors,
writes in peersupport.services. Every page showing a request's details writes a view event
to the audit log; the queue shows no contact details.

Declining needs a reason and is asked once more (core.confirm) before anything changes; a
coordinator can then undo it with "Reopen" for PEER_SUPPORT_DECLINE_REOPEN_HOURS.
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import scoped_get_or_404, staff_required
from accounts.audit import AuditAction, audit_read, audit_record
from accounts.network import client_ip
from accounts.roles import Role
from core.confirm import confirm_page, confirmed
from peersupport import selectors, services
from peersupport.access import requests_visible_to
from peersupport.forms.coordinator import (
    AssignForm,
    ConfidentialityForm,
    DeclineForm,
    QueueFilterForm,
    RosterFilterForm,
    TeamMemberForm,
    TransitionForm,
)
from peersupport.models import (
    DeclineReason,
    Discipline,
    RequestStatus,
    SupportRequest,
    TeamMember,
    Urgency,
)
from peersupport.services import COORDINATOR, TransitionError

S = RequestStatus
ROLE = Role.PEER_SUPPORT_COORDINATOR
FINISHED_PER_PAGE = 50

# Members can be assigned while a request is in one of these (peersupport.services decides).
ASSIGNABLE_STATUSES = (S.NEW, S.APPROVED, S.ASSIGNED)

# The button of each move a coordinator can make from the detail page. Moving to
# "assigned" happens by assigning members, and to "declined" with a reason (the decline
# form), never by a bare button.
ACTION_LABELS = {
    S.APPROVED: "Approve",
    S.CONTACTED: "Mark as contacted",
    S.COMPLETED: "Mark as completed",
    S.CLOSED: "Close",
}


def waiting_since(since: dt.datetime, now: dt.datetime) -> str:
    """How long ago, to the minute: "3 h 20 min ago", "2 d 5 h ago", "12 min ago"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return "less than a minute ago"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h ago"
    if hours:
        return f"{hours} h {mins} min ago"
    return f"{mins} min ago"


# --- Queue -------------------------------------------------------------------------------


@staff_required(ROLE)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    now = timezone.now()
    rows = list(selectors.requests_open(status=status))
    for row in rows:
        row.waiting = waiting_since(row.submitted_at, now)
        row.urgent = row.urgency == Urgency.NOW
    context = {"form": form, "rows": rows, "status": status}
    return render(request, "peersupport/coordinator/queue.html", context)


@staff_required(ROLE)
@require_safe
def queue_finished(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.requests_finished(), FINISHED_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "peersupport/coordinator/queue_finished.html", {"page": page})


# --- One request -------------------------------------------------------------------------


def _request(request: HttpRequest, pk: int) -> SupportRequest:
    def visible(*, user):
        return requests_visible_to(user=user).select_related("agency")

    return scoped_get_or_404(request, visible, pk=pk)


def _render_detail(
    request: HttpRequest,
    support_request: SupportRequest,
    *,
    assign_form: AssignForm | None = None,
    decline_form: DeclineForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The request's full record; every rendering is a read of its details, so audited."""
    audit_read(request, support_request)
    can_decline = S.DECLINED in services.allowed_transitions(support_request.status, COORDINATOR)
    can_assign = support_request.status in ASSIGNABLE_STATUSES
    assign_form = assign_form or AssignForm(support_request=support_request)
    suggestions = list(assign_form.fields["members"].queryset) if can_assign else []
    chosen = set(assign_form.data.getlist("members")) if assign_form.is_bound else set()
    for member in suggestions:
        member.chosen = str(member.pk) in chosen
    transitions = [
        (to_status, ACTION_LABELS[to_status])
        for to_status in services.allowed_transitions(support_request.status, COORDINATOR)
        if to_status in ACTION_LABELS
    ]
    context = {
        "support_request": support_request,
        **selectors.request_record(support_request),
        "error": error,
        "transitions": transitions,
        "can_assign": can_assign,
        "assign_form": assign_form,
        "suggestions": suggestions,
        "discipline": _discipline_label(support_request),
        "confidentiality_form": ConfidentialityForm(
            initial={"applied": support_request.confidentiality_exception}
        ),
        "waiting": waiting_since(support_request.submitted_at, timezone.now()),
        "can_decline": can_decline,
        "decline_form": decline_form
        or DeclineForm(initial={"reason": request.GET.get("reason", "")}),
        **_decline_record(support_request),
    }
    return render(request, "peersupport/coordinator/request_detail.html", context, status=status)


def _decline_record(support_request: SupportRequest) -> dict:
    """What the page says about the request's decline: why, and whether it can be reopened."""
    if support_request.status != S.DECLINED and not support_request.decline_reason:
        return {}
    deadline = services.reopen_deadline(support_request)
    return {
        "decline_reason": DeclineReason(support_request.decline_reason).label
        if support_request.decline_reason
        else "",
        "reopen_until": deadline,
        "reopen_refusal": services.reopen_refusal(support_request),
    }


def _discipline_label(support_request: SupportRequest) -> str:
    discipline = selectors.request_discipline(support_request)
    return Discipline(discipline).label.lower() if discipline else ""


@staff_required(ROLE)
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _request(request, pk))


@staff_required(ROLE)
@require_POST
def request_status(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = _request(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, support_request, error="Unknown status.", status=400)
    to_status = form.cleaned_data["to_status"]
    if to_status not in ACTION_LABELS:
        if to_status == S.ASSIGNED:
            error = "A request becomes assigned when you assign team members below."
        elif to_status == S.DECLINED:
            error = "To decline a request, choose a reason under “Decline this request”."
        else:
            error = f"A request cannot be moved to “{S(to_status).label.lower()}” from this page."
        return _render_detail(request, support_request, error=error, status=409)
    try:
        support_request = services.request_transition(
            support_request=support_request,
            to_status=to_status,
            by=request.user,
            actor_role=COORDINATOR,
            ip=client_ip(request),
            path=request.path,
        )
    except TransitionError as refusal:
        return _render_detail(request, support_request, error=refusal.message, status=409)
    messages.success(
        request, f"{support_request.reference} is now {support_request.get_status_display()}."
    )
    return redirect("peersupport:coordinator:request_detail", pk=support_request.pk)


@staff_required(ROLE)
@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """Decline with a reason, once the coordinator has confirmed it (core.confirm)."""
    support_request = _request(request, pk)
    if S.DECLINED not in services.allowed_transitions(support_request.status, COORDINATOR):
        error = (
            f"A request that is {support_request.get_status_display().lower()} cannot be declined."
        )
        return _render_detail(request, support_request, error=error, status=409)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, support_request, decline_form=form, status=400)
    reason = form.cleaned_data["reason"]
    if not confirmed(request):
        hours = settings.PEER_SUPPORT_DECLINE_REOPEN_HOURS
        detail_url = reverse("peersupport:coordinator:request_detail", kwargs={"pk": pk})
        return confirm_page(
            request,
            title=f"Decline request {support_request.reference}?",
            action="Decline the request",
            back_url=f"{detail_url}?reason={reason}#decline-heading",
            consequences=[
                "The request leaves the open queue and nobody from the team will contact "
                "the requester about it.",
                "The requester's status page will say that the team could not take it on, "
                "and point to the Peer Support Line and 988. It will not show the reason.",
                f"You or another coordinator can reopen it within {hours} hours. After that "
                "it cannot be undone.",
            ],
            summary=[("Reason", DeclineReason(reason).label)],
        )
    try:
        support_request = services.request_decline(
            support_request=support_request,
            reason=reason,
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
    except TransitionError as refusal:
        return _render_detail(request, support_request, error=refusal.message, status=409)
    until = date_format(
        timezone.localtime(services.reopen_deadline(support_request)), "M j, Y g:i A"
    )
    messages.success(
        request,
        f"{support_request.reference} is declined. You can reopen it until {until}.",
    )
    return redirect("peersupport:coordinator:request_detail", pk=support_request.pk)


@staff_required(ROLE)
@require_POST
def request_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a decline, within the reopening window; the request returns to its earlier status."""
    support_request = _request(request, pk)
    try:
        support_request = services.request_reopen(
            support_request=support_request,
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
    except TransitionError as refusal:
        return _render_detail(request, support_request, error=refusal.message, status=409)
    messages.success(
        request,
        f"{support_request.reference} is reopened: it is "
        f"{support_request.get_status_display().lower()} again.",
    )
    return redirect("peersupport:coordinator:request_detail", pk=support_request.pk)


@staff_required(ROLE)
@require_POST
def request_assign(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = _request(request, pk)
    if support_request.status not in ASSIGNABLE_STATUSES:
        return _render_detail(
            request, support_request, error=_not_assignable(support_request), status=409
        )
    form = AssignForm(request.POST, support_request=support_request)
    if not form.is_valid():
        return _render_detail(request, support_request, assign_form=form, status=400)
    try:
        created = services.request_assign(
            support_request=support_request,
            members=list(form.cleaned_data["members"]),
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
    except TransitionError as refusal:
        return _render_detail(
            request, support_request, assign_form=form, error=refusal.message, status=409
        )
    count = len(created)
    messages.success(
        request,
        f"{count} member{'s' if count != 1 else ''} assigned. Each gets an email with a link "
        "to the secure page and no details of the request.",
    )
    return redirect("peersupport:coordinator:request_detail", pk=support_request.pk)


def _not_assignable(support_request: SupportRequest) -> str:
    if support_request.status == S.AWAITING_APPROVAL:
        return (
            "This request comes from outside the MARC region: approve it before assigning "
            "team members."
        )
    return f"A request that is {support_request.get_status_display().lower()} cannot be assigned."


@staff_required(ROLE)
@require_POST
def request_confidentiality(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = _request(request, pk)
    form = ConfidentialityForm(request.POST)
    form.is_valid()  # a single optional checkbox: always valid
    applied = form.cleaned_data["applied"]
    if applied == support_request.confidentiality_exception:
        messages.info(request, "Nothing changed.")
    else:
        services.confidentiality_exception_set(
            support_request=support_request,
            applied=applied,
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
        messages.success(
            request,
            "Confidentiality exception recorded."
            if applied
            else "Confidentiality exception removed.",
        )
    return redirect("peersupport:coordinator:request_detail", pk=support_request.pk)


# --- Team roster ---------------------------------------------------------------------------


@staff_required(ROLE)
@require_safe
def roster(request: HttpRequest) -> HttpResponse:
    form = RosterFilterForm(request.GET)
    members = list(selectors.roster(**form.filters()))
    return render(
        request, "peersupport/coordinator/roster.html", {"form": form, "members": members}
    )


def _member(request: HttpRequest, pk: int) -> TeamMember:
    def team(*, user):
        return TeamMember.objects.select_related("user", "home_agency")

    return scoped_get_or_404(request, team, pk=pk)


def _member_form_page(
    request: HttpRequest, form: TeamMemberForm, member: TeamMember | None
) -> HttpResponse:
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            audit_record(
                request=request,
                action=AuditAction.UPDATE if member else AuditAction.CREATE,
                obj=saved,
                detail={"changed": form.changed_data},
            )
            messages.success(request, f"{saved} is {'updated' if member else 'on the roster'}.")
            return redirect("peersupport:coordinator:roster")
        status = 400
    else:
        status = 200
    context = {"form": form, "member": member}
    return render(request, "peersupport/coordinator/member_form.html", context, status=status)


@staff_required(ROLE)
@require_http_methods(["GET", "HEAD", "POST"])
def member_create(request: HttpRequest) -> HttpResponse:
    return _member_form_page(request, TeamMemberForm(request.POST or None), None)


@staff_required(ROLE)
@require_http_methods(["GET", "HEAD", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = TeamMemberForm(request.POST or None, instance=member)
    return _member_form_page(request, form, member)
