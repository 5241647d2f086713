"""Reads of peer support shared by the coordinator's pages: the queue, a request's record,
the team roster and the members to suggest for a request; and for other apps (reports),
the de-identified monthly figures of peersupport.dashboard, which never read a contact
field."""

import datetime as dt

from django.db.models import Case, Count, DateField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.selectors import OrganizationKind
from accounts.staff_areas import OpenWork
from peersupport.dashboard import MonthRow as MonthRow
from peersupport.dashboard import Period as Period
from peersupport.dashboard import ServiceRow as ServiceRow
from peersupport.dashboard import activity_by_service_type as activity_by_service_type
from peersupport.dashboard import first_contact_times as first_contact_times
from peersupport.dashboard import incident_kinds as incident_kinds
from peersupport.dashboard import out_of_region as out_of_region
from peersupport.dashboard import requests_by_month as requests_by_month
from peersupport.models import (
    ASSIGNABLE_TRAINING_HOURS,
    OPEN_STATUSES,
    URGENCY_RANK,
    Activity,
    Assignment,
    AssignmentStatus,
    Discipline,
    MemberType,
    RequestStatus,
    RequestType,
    StatusChange,
    SupportRequest,
    TeamMember,
    Urgency,
)

FINISHED_STATUSES = (RequestStatus.DECLINED, RequestStatus.CLOSED)

# The discipline a request comes from, read from the kind of the requester's agency.
DISCIPLINE_OF_KIND = {
    OrganizationKind.PSAP: Discipline.DISPATCH,
    OrganizationKind.POLICE: Discipline.LAW,
    OrganizationKind.SHERIFF: Discipline.LAW,
    OrganizationKind.FIRE: Discipline.FIRE,
    OrganizationKind.EMS: Discipline.EMS,
}

# An assignment that still asks something of a member: offered or accepted, on an open request.
OPEN_ASSIGNMENT = Q(assignments__request__status__in=OPEN_STATUSES) & ~Q(
    assignments__status=AssignmentStatus.DECLINED
)


# --- Requests ------------------------------------------------------------------------------


def requests_open(*, status: str = "") -> QuerySet[SupportRequest]:
    """Open requests, most urgent first (now, today, this week), then the longest waiting."""
    statuses = [status] if status in OPEN_STATUSES else list(OPEN_STATUSES)
    return (
        SupportRequest.objects.filter(status__in=statuses)
        .select_related("agency")
        .annotate(
            urgency_rank=Case(
                *(
                    When(urgency=urgency, then=Value(rank))
                    for urgency, rank in URGENCY_RANK.items()
                ),
                default=Value(len(URGENCY_RANK)),
                output_field=IntegerField(),
            )
        )
        .order_by("urgency_rank", "submitted_at", "pk")
    )


def requests_finished() -> QuerySet[SupportRequest]:
    """Declined and closed requests, the most recently changed first."""
    return (
        SupportRequest.objects.filter(status__in=FINISHED_STATUSES)
        .select_related("agency")
        .order_by("-updated_at", "-pk")
    )


def request_record(support_request: SupportRequest) -> dict:
    """Everything the detail page shows besides the request itself, in a fixed few queries."""
    return {
        "changes": StatusChange.objects.filter(request=support_request).select_related("by"),
        "assignments": Assignment.objects.filter(request=support_request).select_related(
            "member__user", "assigned_by"
        ),
        "activities": support_request.activities.select_related("member__user"),
    }


# --- Team ----------------------------------------------------------------------------------


def request_discipline(support_request: SupportRequest) -> str:
    """The discipline of the requester's agency, or "" when it cannot be told."""
    agency = support_request.agency
    return DISCIPLINE_OF_KIND.get(agency.kind, "") if agency is not None else ""


def members_with_load() -> QuerySet[TeamMember]:
    """Team members with the number of their open assignments (open_assignments)."""
    return TeamMember.objects.select_related("user", "home_agency").annotate(
        open_assignments=Count("assignments", filter=OPEN_ASSIGNMENT, distinct=True)
    )


def roster(
    *, member_type: str = "", discipline: str = "", active: bool | None = None, on_call=None
) -> QuerySet[TeamMember]:
    members = members_with_load()
    if member_type:
        members = members.filter(member_type=member_type)
    if discipline:
        members = members.filter(discipline=discipline)
    if active is not None:
        members = members.filter(active=active)
    if on_call is not None:
        members = members.filter(on_call=on_call)
    return members


def member_suggestions(support_request: SupportRequest) -> QuerySet[TeamMember]:
    """The members who may be assigned to a request, best suited first.

    Only assignable members (active, with 40 or more training hours), never one from the
    requester's own agency, never one already assigned. Command-level requests go to the
    command-level team only; other requests to peers first. Then: on call first, then the
    requester's discipline, then the members with the fewest open assignments.
    """
    members = (
        members_with_load()
        .filter(
            active=True,
            user__is_active=True,
            training_hours__gte=ASSIGNABLE_TRAINING_HOURS,
        )
        .exclude(assignments__request=support_request)
    )
    if support_request.agency_id is not None:
        members = members.exclude(home_agency_id=support_request.agency_id)
    if support_request.request_type == RequestType.COMMAND:
        members = members.filter(member_type=MemberType.COMMAND)
    discipline = request_discipline(support_request)
    members = members.annotate(
        type_rank=Case(
            When(member_type=MemberType.PEER, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        discipline_rank=Case(
            When(discipline=discipline, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        if discipline
        else Value(0, output_field=IntegerField()),
    )
    return members.order_by(
        "type_rank",
        "-on_call",
        "discipline_rank",
        "open_assignments",
        "user__last_name",
        "user__first_name",
        "pk",
    )


# --- For the monthly reports ----------------------------------------------------------------


def months_with_data(*, before: dt.date) -> list[dt.date]:
    """The months before `before` (a month's first day) in which a request was submitted
    or an activity logged, the two things the monthly report counts, as their first days
    in order. Months are Central time, as in peersupport.dashboard."""
    until = dt.datetime.combine(before, dt.time.min, tzinfo=timezone.get_current_timezone())
    requests = (
        SupportRequest.objects.filter(submitted_at__lt=until)
        .annotate(month=TruncMonth("submitted_at", output_field=DateField()))
        .order_by("month")
        .values_list("month", flat=True)
        .distinct()
    )
    activities = (
        Activity.objects.filter(date__lt=before)
        .annotate(month=TruncMonth("date"))
        .order_by("month")
        .values_list("month", flat=True)
        .distinct()
    )
    return sorted({*requests, *activities})


# --- For the staff landing page ------------------------------------------------------------


def coordinator_open_work(user) -> list[OpenWork]:
    """The coordinator's queue: open requests, and how many of them are urgent."""
    counts = SupportRequest.objects.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"), urgent=Count("pk", filter=Q(urgency=Urgency.NOW))
    )
    return [
        OpenWork(
            counts["open"],
            "open request in the queue",
            "open requests in the queue",
            "/staff/peer-support/",
            detail=f"{counts['urgent']} urgent" if counts["urgent"] else "",
        )
    ]


def member_open_work(user) -> list[OpenWork]:
    """A team member's open assignments, and how many still wait for their answer."""
    counts = (
        Assignment.objects.filter(
            member__user=user, member__active=True, request__status__in=OPEN_STATUSES
        )
        .exclude(status=AssignmentStatus.DECLINED)
        .aggregate(open=Count("pk"), offered=Count("pk", filter=Q(status=AssignmentStatus.OFFERED)))
    )
    return [
        OpenWork(
            counts["open"],
            "open assignment",
            "open assignments",
            "/staff/peer-support/mine/",
            detail=f"{counts['offered']} waiting for your answer" if counts["offered"] else "",
        )
    ]
