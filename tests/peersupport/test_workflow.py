"""Every status transition of a request: the allowed ones and the forbidden ones; and the
team member's rules, enforced by the services whatever page calls them."""

import datetime as dt

import pytest

from accounts.models import AuditAction, AuditEvent
from peersupport.models import Activity, Assignment, AssignmentStatus, RequestStatus
from peersupport.services import (
    COORDINATOR,
    MEMBER,
    TRANSITIONS,
    TransitionError,
    activity_log,
    assignment_respond,
    request_decline,
    request_transition,
)
from tests.peersupport.factories import member_for, submitted_request

pytestmark = pytest.mark.django_db

ALL = [status.value for status in RequestStatus]
PAIRS = [(frm, to) for frm in ALL for to in ALL if frm != to]


@pytest.mark.parametrize("actor", [COORDINATOR, MEMBER])
@pytest.mark.parametrize("frm,to", PAIRS)
def test_each_transition_is_allowed_only_where_the_workflow_says(frm, to, actor, make_staff):
    support_request, _ = submitted_request()
    support_request.status = frm
    support_request.save(update_fields=["status"])
    user = make_staff()
    member = member_for(user)
    if actor == MEMBER:  # a member acts only on a request they accepted
        accepted(support_request, member, by=user)
    if to == RequestStatus.COMPLETED:  # a member completes only after logging activity
        activity_log(
            support_request=support_request,
            member=member,
            date=dt.date.today(),
            service_type="debriefing",
            people_reached=3,
            hours=1,
            follow_up_needed=False,
            by=user,
        )
    allowed = actor in TRANSITIONS.get((frm, to), set())
    if allowed:
        if to == RequestStatus.DECLINED:  # a decline has its own service, with a reason
            with pytest.raises(TransitionError, match="Choose a reason"):
                request_transition(
                    support_request=support_request, to_status=to, by=user, actor_role=actor
                )
            result = request_decline(support_request=support_request, reason="duplicate", by=user)
        else:
            result = request_transition(
                support_request=support_request, to_status=to, by=user, actor_role=actor
            )
        assert result.status == to
        assert result.changes.last().to_status == to
        assert result.changes.last().by == user
    else:
        with pytest.raises(TransitionError):
            request_transition(
                support_request=support_request, to_status=to, by=user, actor_role=actor
            )
        support_request.refresh_from_db()
        assert support_request.status == frm


def test_an_out_of_region_request_waits_for_approval_and_cannot_be_assigned_before(make_staff):
    support_request, _ = submitted_request(outside_agency_name="Wichita regional 911")
    assert support_request.status == RequestStatus.AWAITING_APPROVAL
    assert support_request.outside_region
    with pytest.raises(TransitionError):
        request_transition(
            support_request=support_request,
            to_status=RequestStatus.ASSIGNED,
            by=make_staff(),
            actor_role=COORDINATOR,
        )


def test_first_contact_and_closing_times_are_recorded(make_staff):
    user = make_staff()
    support_request, _ = submitted_request()
    for status in ("assigned", "contacted", "completed", "closed"):
        support_request = request_transition(
            support_request=support_request, to_status=status, by=user, actor_role=COORDINATOR
        )
    assert support_request.first_contact_at and support_request.closed_at
    assert [c.to_status for c in support_request.changes.all()] == [
        "new",
        "assigned",
        "contacted",
        "completed",
        "closed",
    ]


def test_a_member_cannot_complete_a_request_without_logged_activity(make_staff):
    user = make_staff()
    support_request, _ = submitted_request()
    support_request.status = RequestStatus.CONTACTED
    support_request.save(update_fields=["status"])
    accepted(support_request, member_for(user), by=user)
    with pytest.raises(TransitionError, match="Log at least one activity"):
        request_transition(
            support_request=support_request,
            to_status=RequestStatus.COMPLETED,
            by=user,
            actor_role=MEMBER,
        )


# --- The team member's rules, called on the services directly ---------------------------


def accepted(support_request, member, *, by, status=AssignmentStatus.ACCEPTED) -> Assignment:
    return Assignment.objects.create(
        request=support_request, member=member, status=status, assigned_by=by
    )


def in_status(status: str):
    support_request, _ = submitted_request()
    support_request.status = status
    support_request.save(update_fields=["status"])
    return support_request


def member_logs(support_request, member):
    return activity_log(
        support_request=support_request,
        member=member,
        date=dt.date.today(),
        service_type="one_on_one",
        people_reached=1,
        hours=1,
        follow_up_needed=False,
        by=member.user,
        actor_role=MEMBER,
    )


def test_an_accepted_assignment_cannot_be_answered_again(make_staff):
    user = make_staff()
    assignment = accepted(in_status(RequestStatus.ASSIGNED), member_for(user), by=user)

    for accept in (True, False):
        with pytest.raises(TransitionError, match="already accepted"):
            assignment_respond(assignment=assignment, accept=accept, by=user)

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED


@pytest.mark.parametrize("status", [RequestStatus.CLOSED, RequestStatus.DECLINED])
def test_an_offer_on_a_finished_request_cannot_be_answered(status, make_staff):
    user = make_staff()
    offer = accepted(in_status(status), member_for(user), by=user, status=AssignmentStatus.OFFERED)

    with pytest.raises(TransitionError, match="nothing to accept or decline"):
        assignment_respond(assignment=offer, accept=True, by=user)

    offer.refresh_from_db()
    assert offer.status == AssignmentStatus.OFFERED and offer.responded_at is None


@pytest.mark.parametrize("assignment_status", [None, AssignmentStatus.OFFERED])
def test_a_member_who_has_not_accepted_cannot_move_the_request(assignment_status, make_staff):
    user = make_staff()
    support_request = in_status(RequestStatus.ASSIGNED)
    member = member_for(user)
    if assignment_status:
        accepted(support_request, member, by=user, status=assignment_status)

    with pytest.raises(TransitionError, match="Accept the request first"):
        request_transition(
            support_request=support_request,
            to_status=RequestStatus.CONTACTED,
            by=user,
            actor_role=MEMBER,
        )

    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.ASSIGNED
    assert support_request.first_contact_at is None


def test_another_members_acceptance_does_not_let_a_member_move_the_request(make_staff):
    mine, theirs = make_staff(), make_staff()
    support_request = in_status(RequestStatus.ASSIGNED)
    accepted(support_request, member_for(mine), by=mine, status=AssignmentStatus.OFFERED)
    accepted(support_request, member_for(theirs), by=mine)

    with pytest.raises(TransitionError, match="Accept the request first"):
        request_transition(
            support_request=support_request,
            to_status=RequestStatus.CONTACTED,
            by=mine,
            actor_role=MEMBER,
        )


@pytest.mark.parametrize(
    "status,assignment_status,message",
    [
        (RequestStatus.CONTACTED, None, "Accept the request first"),
        (RequestStatus.CONTACTED, AssignmentStatus.OFFERED, "Accept the request first"),
        (RequestStatus.ASSIGNED, AssignmentStatus.ACCEPTED, "Record that contact was made"),
        (RequestStatus.CLOSED, AssignmentStatus.ACCEPTED, "no more activity can be logged"),
        (RequestStatus.DECLINED, AssignmentStatus.ACCEPTED, "no more activity can be logged"),
    ],
)
def test_a_member_logs_activity_only_on_an_accepted_request_after_contact(
    status, assignment_status, message, make_staff
):
    user = make_staff()
    support_request = in_status(status)
    member = member_for(user)
    if assignment_status:
        accepted(support_request, member, by=user, status=assignment_status)

    with pytest.raises(TransitionError, match=message):
        member_logs(support_request, member)

    assert not Activity.objects.filter(request=support_request).exists()


@pytest.mark.parametrize("status", [RequestStatus.CONTACTED, RequestStatus.COMPLETED])
def test_a_member_who_accepted_logs_activity_after_contact_and_for_follow_up(status, make_staff):
    user = make_staff()
    support_request = in_status(status)
    member = member_for(user)
    accepted(support_request, member, by=user)

    activity = member_logs(support_request, member)

    assert activity.request_id == support_request.pk and activity.member == member


# --- The audit log of a write ------------------------------------------------------------


def test_a_move_is_audited_with_the_acting_user_and_the_address_given_to_the_service(
    make_staff,
):
    coordinator = make_staff(username="coord")
    support_request, _ = submitted_request()

    request_transition(
        support_request=support_request,
        to_status=RequestStatus.APPROVED,
        by=coordinator,
        actor_role=COORDINATOR,
        ip="203.0.113.44",
        path="/staff/peer-support/requests/1/status/",
    )

    event = AuditEvent.objects.get(
        action=AuditAction.UPDATE,
        object_type="peersupport.supportrequest",
        object_id=str(support_request.pk),
    )
    assert (event.actor_id, event.actor_username) == (coordinator.pk, "coord")
    assert event.ip_address == "203.0.113.44"
    assert event.path == "/staff/peer-support/requests/1/status/"
    assert event.detail == {"status": [RequestStatus.NEW, RequestStatus.APPROVED]}


def test_a_members_answer_is_audited_as_theirs_and_without_an_address_outside_a_request(
    make_staff,
):
    user = make_staff(username="peer")
    offer = accepted(
        in_status(RequestStatus.ASSIGNED),
        member_for(user),
        by=user,
        status=AssignmentStatus.OFFERED,
    )

    assignment_respond(assignment=offer, accept=True, by=user)

    event = AuditEvent.objects.get(action=AuditAction.UPDATE, detail__assignment=offer.pk)
    assert (event.actor_id, event.ip_address, event.path) == (user.pk, None, "")
