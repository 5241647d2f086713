"""Every status transition of a request: the allowed ones and the forbidden ones."""

import datetime as dt

import pytest

from peersupport.models import RequestStatus
from peersupport.services import (
    COORDINATOR,
    MEMBER,
    TRANSITIONS,
    TransitionError,
    activity_log,
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
    if to == RequestStatus.COMPLETED:  # a member completes only after logging activity
        activity_log(
            support_request=support_request,
            member=member_for(user),
            date=dt.date.today(),
            service_type="debriefing",
            people_reached=3,
            hours=1,
            follow_up_needed=False,
        )
    allowed = actor in TRANSITIONS.get((frm, to), set())
    if allowed:
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
    with pytest.raises(TransitionError, match="Log at least one activity"):
        request_transition(
            support_request=support_request,
            to_status=RequestStatus.COMPLETED,
            by=user,
            actor_role=MEMBER,
        )
