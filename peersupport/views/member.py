"""A peer team member's pages under /staff/peer-support/mine/ (two-factor staff pages).

A member sees only the requests assigned to them, and a request's contact details only
once they have accepted it; every view of a request is audited. Activity is logged as
what was done, never what was said. The writes are in peersupport.services.
"""

from django.contrib import messages
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import scoped_get_or_404, staff_required
from accounts.audit import audit_read
from accounts.keptwork import keeps_typed_work, restored
from accounts.network import client_ip
from accounts.roles import Role
from core.confirm import confirm_page, confirmed
from peersupport.access import requests_visible_to
from peersupport.forms.member import ActivityForm, OnCallForm
from peersupport.models import (
    ASSIGNABLE_TRAINING_HOURS,
    URGENCY_RANK,
    Assignment,
    AssignmentStatus,
    RequestStatus,
    SupportRequest,
    TeamMember,
)
from peersupport.services import (
    FINISHED_STATUSES,
    LOGGABLE_STATUSES,
    MEMBER,
    TransitionError,
    activity_log,
    activity_refusal,
    assignment_respond,
    member_on_call_set,
    request_transition,
    response_refusal,
)

TEAM_MEMBER = Role.PEER_TEAM_MEMBER
S = RequestStatus


def my_requests(*, user) -> QuerySet[SupportRequest]:
    """The requests the user holds as a team member (offered or accepted), within what
    requests_visible_to allows. A coordinator who is also on the team sees only their own
    assignments here; everything else is on the coordinator's pages."""
    mine = Assignment.objects.filter(member__user=user, member__active=True).exclude(
        status=AssignmentStatus.DECLINED
    )
    return requests_visible_to(user=user).filter(pk__in=mine.values("request_id"))


def _roster_entry(user) -> TeamMember | None:
    return TeamMember.objects.filter(user=user).select_related("home_agency").first()


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    """My assignment to request pk; 404 (audited) if the request is not mine to see."""
    support_request = scoped_get_or_404(request, my_requests, pk=pk)
    assignment = Assignment.objects.select_related("member").get(
        request=support_request, member__user=request.user
    )
    assignment.request = support_request
    return assignment


def _request_url(pk: int, anchor: str = "") -> str:
    url = reverse("peersupport:member:request", kwargs={"pk": pk})
    return f"{url}#{anchor}" if anchor else url


def _not_on_roster(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    return render(request, "peersupport/member/not_on_roster.html", status=status)


# --- My assignments --------------------------------------------------------------------


@staff_required(TEAM_MEMBER)
@require_safe
def my_assignments(request: HttpRequest) -> HttpResponse:
    member = _roster_entry(request.user)
    if member is None:
        return _not_on_roster(request)
    urgency_rank = Case(
        *(
            When(request__urgency=urgency, then=Value(rank))
            for urgency, rank in URGENCY_RANK.items()
        ),
        default=Value(len(URGENCY_RANK)),
        output_field=IntegerField(),
    )
    assignments = (
        Assignment.objects.filter(member=member, request__in=requests_visible_to(user=request.user))
        .exclude(status=AssignmentStatus.DECLINED)
        .exclude(request__status__in=FINISHED_STATUSES)
        .select_related("request")
        .order_by(urgency_rank, "request__submitted_at", "pk")
    )
    offered = [a for a in assignments if a.status == AssignmentStatus.OFFERED]
    active = [a for a in assignments if a.status == AssignmentStatus.ACCEPTED]
    context = {"member": member, "offered": offered, "active": active}
    return render(request, "peersupport/member/my_assignments.html", context)


@staff_required(TEAM_MEMBER)
@require_POST
def assignment_accept(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    try:
        assignment_respond(
            assignment=assignment,
            accept=True,
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
    except TransitionError as error:
        return _refuse(request, assignment, error.message)
    messages.success(
        request, f"You accepted {assignment.request.reference}. How to reach them is below."
    )
    return redirect(_request_url(pk, "contact"))


@staff_required(TEAM_MEMBER)
@require_POST
def assignment_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """Decline an offered assignment, once the member has confirmed it (core.confirm): the
    request then leaves their list and only the coordinator can offer it again."""
    assignment = _assignment(request, pk)
    refusal = response_refusal(assignment)
    if refusal:
        return _refuse(request, assignment, refusal)
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Decline request {assignment.request.reference}?",
            action="Decline the request",
            back_url=_request_url(pk),
            consequences=[
                "The request leaves your list and the coordinator asks someone else.",
                "You cannot take it back yourself: if you change your mind, ask the "
                "coordinator to offer it to you again.",
            ],
        )
    try:
        assignment_respond(
            assignment=assignment,
            accept=False,
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
    except TransitionError as error:
        return _refuse(request, assignment, error.message)
    messages.success(
        request,
        f"You declined {assignment.request.reference}. The coordinator will ask someone else; "
        "the request is no longer on your list.",
    )
    return redirect("peersupport:member:assignments")


# --- One request -----------------------------------------------------------------------


def _render_request(
    request: HttpRequest,
    assignment: Assignment,
    *,
    activity_form: ActivityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The request page. Every rendering shows the request, so every one is audited."""
    support_request = assignment.request
    audit_read(request, support_request)
    accepted = assignment.status == AssignmentStatus.ACCEPTED
    current = support_request.status
    context = {
        "support_request": support_request,
        "assignment": assignment,
        "accepted": accepted,
        "activities": support_request.activities.select_related("member__user"),
        "activity_form": activity_form
        or ActivityForm(restored(request), initial={"date": timezone.localdate()}),
        "can_contact": accepted and current == S.ASSIGNED,
        "can_log": accepted and current in LOGGABLE_STATUSES,
        "can_complete": accepted and current == S.CONTACTED,
        "can_close": accepted and current == S.COMPLETED,
    }
    return render(request, "peersupport/member/request.html", context, status=status)


def _refuse(
    request: HttpRequest,
    assignment: Assignment,
    message: str,
    *,
    activity_form: ActivityForm | None = None,
) -> HttpResponse:
    """A forbidden action: nothing changed; say why, on the request page, with 409."""
    messages.error(request, message)
    return _render_request(request, assignment, activity_form=activity_form, status=409)


@keeps_typed_work
@staff_required(TEAM_MEMBER)
@require_safe
def member_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_request(request, _assignment(request, pk))


def _transition(request: HttpRequest, pk: int, *, to_status: str, done: str) -> HttpResponse:
    assignment = _assignment(request, pk)
    try:
        request_transition(
            support_request=assignment.request,
            to_status=to_status,
            by=request.user,
            actor_role=MEMBER,
            ip=client_ip(request),
            path=request.path,
        )
    except TransitionError as error:
        return _refuse(request, assignment, error.message)
    messages.success(request, done)
    return redirect(_request_url(pk))


@staff_required(TEAM_MEMBER)
@require_POST
def request_contacted(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, to_status=S.CONTACTED, done="Contact made. Log the activity when you can."
    )


@staff_required(TEAM_MEMBER)
@require_POST
def request_completed(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, to_status=S.COMPLETED, done="Marked completed. Close it when nothing is left."
    )


@staff_required(TEAM_MEMBER)
@require_POST
def request_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        to_status=S.CLOSED,
        done="Closed. Its contact details are removed automatically after a while.",
    )


@keeps_typed_work
@staff_required(TEAM_MEMBER)
@require_http_methods(["GET", "HEAD", "POST"])
def request_activity(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    if request.method != "POST":  # back from signing in: the request page, with what was typed
        return _render_request(request, assignment)
    form = ActivityForm(request.POST)
    # Why it cannot be logged at all comes before what is wrong with the form.
    refusal = activity_refusal(assignment)
    if refusal:
        return _refuse(request, assignment, refusal, activity_form=form)
    if not form.is_valid():
        return _render_request(request, assignment, activity_form=form, status=400)
    try:
        activity_log(
            support_request=assignment.request,
            member=assignment.member,
            by=request.user,
            actor_role=MEMBER,
            ip=client_ip(request),
            path=request.path,
            **form.cleaned_data,
        )
    except TransitionError as error:
        return _refuse(request, assignment, error.message, activity_form=form)
    messages.success(request, "Activity logged.")
    return redirect(_request_url(pk, "activity"))


# --- My profile ------------------------------------------------------------------------


def _not_assignable_because(member: TeamMember) -> list[str]:
    reasons = []
    if not member.active:
        reasons.append("your roster entry is inactive")
    if member.training_hours < ASSIGNABLE_TRAINING_HOURS:
        missing = ASSIGNABLE_TRAINING_HOURS - member.training_hours
        reasons.append(
            f"{float(missing):g} more training hours are needed "
            f"({ASSIGNABLE_TRAINING_HOURS} in all before a first assignment)"
        )
    return reasons


def _render_profile(request: HttpRequest, member: TeamMember, *, status: int = 200) -> HttpResponse:
    context = {
        "member": member,
        "not_assignable_because": _not_assignable_because(member),
        "required_hours": ASSIGNABLE_TRAINING_HOURS,
    }
    return render(request, "peersupport/member/profile.html", context, status=status)


@staff_required(TEAM_MEMBER)
@require_safe
def my_profile(request: HttpRequest) -> HttpResponse:
    member = _roster_entry(request.user)
    if member is None:
        return _not_on_roster(request)
    return _render_profile(request, member)


@staff_required(TEAM_MEMBER)
@require_POST
def my_on_call(request: HttpRequest) -> HttpResponse:
    """Only the signed-in member's own flag: the URL names no member, the form no other field."""
    member = _roster_entry(request.user)
    if member is None:
        return _not_on_roster(request, status=404)
    form = OnCallForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether you are on call.")
        return _render_profile(request, member, status=400)
    on_call = form.cleaned_data["on_call"]
    try:
        member_on_call_set(
            member=member,
            on_call=on_call,
            by=request.user,
            ip=client_ip(request),
            path=request.path,
        )
    except TransitionError:
        messages.error(request, "Your roster entry is inactive, so you cannot go on call.")
        return _render_profile(request, member, status=409)
    messages.success(request, "You are on call." if on_call else "You are no longer on call.")
    return redirect("peersupport:member:profile")
