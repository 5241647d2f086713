"""A team member's pages: assignments, one request (contact, workflow, activity), profile."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from peersupport.forms.member import ActivityForm
from peersupport.models import (
    Activity,
    Assignment,
    AssignmentStatus,
    RequestStatus,
    SupportRequest,
    TeamMember,
)
from peersupport.services import (
    COORDINATOR,
    activity_log,
    assignment_respond,
    request_assign,
    request_transition,
)
from tests.conftest import signed_in_client
from tests.peersupport.factories import member_for, submitted_request

pytestmark = pytest.mark.django_db

S = RequestStatus
PHONE = "816-555-0100"


def url(name: str, **kwargs) -> str:
    return reverse(f"peersupport:{name}", kwargs=kwargs)


@pytest.fixture
def assign(peer_coordinator):
    """Assign a fresh request to members through the coordinator's service."""

    def make(*members, accepted=(), status=None, **request_fields) -> SupportRequest:
        support_request, _ = submitted_request(**request_fields)
        request_assign(support_request=support_request, members=list(members), by=peer_coordinator)
        for member in accepted:
            assignment = Assignment.objects.get(request=support_request, member=member)
            assignment_respond(assignment=assignment, accept=True, by=member.user)
        path = {
            S.CONTACTED: [S.CONTACTED],
            S.COMPLETED: [S.CONTACTED, S.COMPLETED],
            S.CLOSED: [S.CONTACTED, S.COMPLETED, S.CLOSED],
        }
        for step in path.get(status, []):
            if step == S.COMPLETED and not support_request.activities.exists():
                log(support_request, (accepted or members)[0])
            support_request = request_transition(
                support_request=support_request,
                to_status=step,
                by=peer_coordinator,
                actor_role=COORDINATOR,
            )
        support_request.refresh_from_db()
        return support_request

    return make


def log(support_request: SupportRequest, member: TeamMember) -> Activity:
    return activity_log(
        support_request=support_request,
        member=member,
        date=timezone.localdate(),
        service_type="debriefing",
        people_reached=6,
        hours=2,
        follow_up_needed=False,
        by=member.user,
    )


def activity_data(**overrides) -> dict:
    data = {
        "date": f"{timezone.localdate():%Y-%m-%d}",
        "service_type": "debriefing",
        "people_reached": "7",
        "hours": "2.5",
        "follow_up_needed": "on",
    }
    data.update(overrides)
    return data


def views_of(support_request: SupportRequest, user) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        actor_id=user.pk,
        object_type="peersupport.supportrequest",
        object_id=str(support_request.pk),
    ).count()


def my_assignment(support_request: SupportRequest, member: TeamMember) -> Assignment:
    return Assignment.objects.get(request=support_request, member=member)


# --- Who may open what -----------------------------------------------------------------


def test_accepted_member_sees_the_request_with_its_contact_details(team_member, assign):
    support_request = assign(team_member, accepted=[team_member], contact_email="sam@example.org")
    response = signed_in_client(team_member.user).get(url("member:request", pk=support_request.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert support_request.reference in content
    for shown in ("Sam Supervisor", "Phone call", PHONE, "sam@example.org", "After 3 pm"):
        assert shown in content
    assert "Accept to see how to reach them" not in content


def test_offered_member_sees_the_request_but_not_how_to_reach_them(team_member, assign):
    support_request = assign(team_member, contact_email="sam@example.org")
    response = signed_in_client(team_member.user).get(url("member:request", pk=support_request.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert support_request.reference in content
    assert "Accept to see how to reach them" in content
    for hidden in ("Sam Supervisor", PHONE, "sam@example.org", "After 3 pm"):
        assert hidden not in content


def test_a_member_not_assigned_gets_404_on_the_request_and_its_actions(
    team_member, make_team_member, assign
):
    support_request = assign(make_team_member(), accepted=[])
    client = signed_in_client(team_member.user)
    assert client.get(url("member:request", pk=support_request.pk)).status_code == 404
    for action in ("member:accept", "member:decline", "member:contacted", "member:close"):
        assert client.post(url(action, pk=support_request.pk)).status_code == 404
    response = client.post(url("member:activity", pk=support_request.pk), activity_data())
    assert response.status_code == 404
    assert support_request.assignments.get().status == AssignmentStatus.OFFERED
    assert not Activity.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_DENIED, object_id=str(support_request.pk)
    ).exists()


def test_a_coordinator_on_the_team_sees_only_their_own_assignments_here(
    make_staff, make_team_member, assign
):
    both = member_for(make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR, Role.PEER_TEAM_MEMBER]))
    mine = assign(both)
    theirs = assign(make_team_member())
    client = signed_in_client(both.user)
    assert client.get(url("member:request", pk=mine.pk)).status_code == 200
    assert client.get(url("member:request", pk=theirs.pk)).status_code == 404
    listing = client.get(url("member:assignments")).content.decode()
    assert mine.reference in listing
    assert theirs.reference not in listing


def test_a_request_that_does_not_exist_is_404(team_member):
    assert (
        signed_in_client(team_member.user).get(url("member:request", pk=999_999)).status_code == 404
    )


MEMBER_PAGES = [
    ("get", "member:assignments", False),
    ("get", "member:profile", False),
    ("post", "member:on_call", False),
    ("get", "member:request", True),
    ("post", "member:accept", True),
    ("post", "member:decline", True),
    ("post", "member:contacted", True),
    ("post", "member:activity", True),
    ("post", "member:completed", True),
    ("post", "member:close", True),
]


def _hit(client: Client, method: str, name: str, with_pk: bool, support_request):
    target = url(name, pk=support_request.pk) if with_pk else url(name)
    return getattr(client, method)(target)


@pytest.mark.parametrize("method,name,with_pk", MEMBER_PAGES)
def test_a_coordinator_who_is_not_on_the_team_gets_403(
    method, name, with_pk, team_member, assign, peer_coordinator
):
    support_request = assign(team_member, accepted=[team_member])
    response = _hit(signed_in_client(peer_coordinator), method, name, with_pk, support_request)
    assert response.status_code == 403


@pytest.mark.parametrize("method,name,with_pk", MEMBER_PAGES)
def test_other_staff_roles_get_403(method, name, with_pk, team_member, assign, make_staff):
    support_request = assign(team_member, accepted=[team_member])
    other = make_staff(roles=[Role.TRAINING_COORDINATOR])
    response = _hit(signed_in_client(other), method, name, with_pk, support_request)
    assert response.status_code == 403
    assert PHONE not in response.content.decode()


@pytest.mark.parametrize("method,name,with_pk", MEMBER_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(method, name, with_pk, team_member, assign):
    support_request = assign(team_member, accepted=[team_member])
    response = _hit(Client(), method, name, with_pk, support_request)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_a_member_without_a_two_factor_session_is_sent_to_sign_in(team_member, assign):
    support_request = assign(team_member, accepted=[team_member])
    client = Client()
    client.force_login(team_member.user)
    response = client.get(url("member:request", pk=support_request.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_member_pages_are_not_cached(team_member, assign):
    support_request = assign(team_member, accepted=[team_member])
    response = signed_in_client(team_member.user).get(url("member:request", pk=support_request.pk))
    assert "no-store" in response["Cache-Control"]


# --- Audit -----------------------------------------------------------------------------


def test_every_view_of_a_request_is_audited(team_member, assign):
    support_request = assign(team_member, accepted=[team_member], status=S.CONTACTED)
    client = signed_in_client(team_member.user)
    client.get(url("member:request", pk=support_request.pk))
    client.get(url("member:request", pk=support_request.pk))
    assert views_of(support_request, team_member.user) == 2
    # Pages answered after a refused action or a bad form show the request too.
    client.post(url("member:close", pk=support_request.pk))
    client.post(url("member:activity", pk=support_request.pk), activity_data(hours="0"))
    assert views_of(support_request, team_member.user) == 4
    paths = set(AuditEvent.objects.filter(action=AuditAction.VIEW).values_list("path", flat=True))
    assert paths == {
        url("member:request", pk=support_request.pk),
        url("member:close", pk=support_request.pk),
        url("member:activity", pk=support_request.pk),
    }


def test_an_offered_member_viewing_the_request_is_audited_too(team_member, assign):
    support_request = assign(team_member)
    signed_in_client(team_member.user).get(url("member:request", pk=support_request.pk))
    assert views_of(support_request, team_member.user) == 1


# --- My assignments --------------------------------------------------------------------


def test_my_assignments_lists_offered_first_with_answers_then_active(
    team_member, make_team_member, assign
):
    in_progress = assign(team_member, accepted=[team_member], status=S.CONTACTED, urgency="now")
    waiting = assign(team_member, urgency="week", request_type="phone")
    someone_elses = assign(make_team_member())
    finished = assign(team_member, accepted=[team_member], status=S.CLOSED)
    response = signed_in_client(team_member.user).get(url("member:assignments"))
    assert response.status_code == 200
    content = response.content.decode()
    offered_at = content.index('id="offered"')
    active_at = content.index('id="active"')
    assert offered_at < content.index(waiting.reference) < active_at
    assert active_at < content.index(in_progress.reference)
    assert someone_elses.reference not in content
    assert finished.reference not in content
    assert content.count(url("member:accept", pk=waiting.pk)) == 1
    assert content.count(url("member:decline", pk=waiting.pk)) == 1
    assert url("member:accept", pk=in_progress.pk) not in content
    for shown in ("One-to-one, by phone", "This week", "Assigned", "Contacted", "ago"):
        assert shown in content
    assert PHONE not in content


def test_offered_requests_are_ordered_by_urgency(team_member, assign):
    later = assign(team_member, urgency="week")
    sooner = assign(team_member, urgency="now")
    content = signed_in_client(team_member.user).get(url("member:assignments")).content.decode()
    assert content.index(sooner.reference) < content.index(later.reference)


def test_my_assignments_query_count_does_not_grow_with_rows(team_member, assign):
    client = signed_in_client(team_member.user)
    assign(team_member)
    assign(team_member, accepted=[team_member])
    client.get(url("member:assignments"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("member:assignments"))
    for _ in range(4):
        assign(team_member)
        assign(team_member, accepted=[team_member])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("member:assignments"))
    assert response.content.decode().count("/accept/") == 5
    assert len(many) == len(few)


def test_a_staff_member_with_the_role_but_no_roster_entry_is_told_so(make_staff):
    user = make_staff(roles=[Role.PEER_TEAM_MEMBER])
    client = signed_in_client(user)
    for name in ("member:assignments", "member:profile"):
        response = client.get(url(name))
        assert response.status_code == 200
        assert "You are not on the roster yet" in response.content.decode()


def test_an_inactive_member_sees_no_assignments(team_member, assign):
    support_request = assign(team_member, accepted=[team_member])
    team_member.active = False
    team_member.save(update_fields=["active"])
    client = signed_in_client(team_member.user)
    content = client.get(url("member:assignments")).content.decode()
    assert "inactive" in content
    assert support_request.reference not in content
    assert client.get(url("member:request", pk=support_request.pk)).status_code == 404


# --- Accept and decline ----------------------------------------------------------------


def test_accepting_shows_the_contact_details(team_member, assign):
    support_request = assign(team_member)
    client = signed_in_client(team_member.user)
    response = client.post(url("member:accept", pk=support_request.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(url("member:request", pk=support_request.pk))
    assignment = my_assignment(support_request, team_member)
    assert assignment.status == AssignmentStatus.ACCEPTED
    assert assignment.responded_at is not None
    assert PHONE in client.get(response["Location"]).content.decode()


def test_accepting_twice_is_refused(team_member, assign):
    support_request = assign(team_member, accepted=[team_member])
    responded_at = my_assignment(support_request, team_member).responded_at
    response = signed_in_client(team_member.user).post(url("member:accept", pk=support_request.pk))
    assert response.status_code == 409
    assert "already accepted" in response.content.decode()
    assert my_assignment(support_request, team_member).responded_at == responded_at


def test_an_accepted_request_cannot_be_declined_from_the_member_page(team_member, assign):
    support_request = assign(team_member, accepted=[team_member])
    response = signed_in_client(team_member.user).post(url("member:decline", pk=support_request.pk))
    assert response.status_code == 409
    assert my_assignment(support_request, team_member).status == AssignmentStatus.ACCEPTED


def test_declining_removes_access_to_the_request(team_member, assign):
    support_request = assign(team_member)
    client = signed_in_client(team_member.user)
    response = client.post(url("member:decline", pk=support_request.pk), {"confirmed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == url("member:assignments")
    assert my_assignment(support_request, team_member).status == AssignmentStatus.DECLINED
    listing = client.get(url("member:assignments")).content.decode()
    assert "You declined" in listing
    assert url("member:request", pk=support_request.pk) not in listing
    assert client.get(url("member:request", pk=support_request.pk)).status_code == 404
    assert client.post(url("member:accept", pk=support_request.pk)).status_code == 404
    assert my_assignment(support_request, team_member).status == AssignmentStatus.DECLINED


def test_an_offer_on_a_closed_request_cannot_be_accepted(team_member, make_team_member, assign):
    other = make_team_member()
    support_request = assign(team_member, other, accepted=[other], status=S.CLOSED)
    response = signed_in_client(team_member.user).post(url("member:accept", pk=support_request.pk))
    assert response.status_code == 409
    assert my_assignment(support_request, team_member).status == AssignmentStatus.OFFERED


def test_another_members_decline_does_not_hide_the_request_from_me(
    team_member, make_team_member, assign
):
    other = make_team_member()
    support_request = assign(team_member, other, accepted=[team_member])
    assignment_respond(
        assignment=my_assignment(support_request, other), accept=False, by=other.user
    )
    assert (
        signed_in_client(team_member.user)
        .get(url("member:request", pk=support_request.pk))
        .status_code
        == 200
    )


# --- The workflow ----------------------------------------------------------------------


def test_a_member_takes_a_request_from_contact_to_closed(team_member, assign):
    support_request = assign(team_member, accepted=[team_member])
    client = signed_in_client(team_member.user)
    pk = support_request.pk

    response = client.post(url("member:contacted", pk=pk))
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == S.CONTACTED
    assert support_request.first_contact_at is not None

    response = client.post(url("member:activity", pk=pk), activity_data())
    assert response.status_code == 302
    assert response["Location"].endswith("#activity")
    activity = Activity.objects.get(request=support_request)
    assert (activity.member, activity.service_type, activity.people_reached) == (
        team_member,
        "debriefing",
        7,
    )
    assert str(activity.hours) == "2.50"
    assert activity.follow_up_needed is True
    assert activity.date == timezone.localdate()

    assert client.post(url("member:completed", pk=pk)).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == S.COMPLETED

    assert client.post(url("member:close", pk=pk)).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == S.CLOSED
    assert support_request.closed_at is not None
    changes = list(
        support_request.changes.filter(by=team_member.user).values_list("to_status", flat=True)
    )
    assert changes == [S.CONTACTED, S.COMPLETED, S.CLOSED]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.UPDATE,
            actor_id=team_member.user.pk,
            object_id=str(pk),
            detail__has_key="status",
        ).count()
        == 3
    )


@pytest.mark.parametrize(
    "status,with_activity,next_step",
    [
        (S.ASSIGNED, False, "member:contacted"),
        (S.CONTACTED, False, None),
        (S.CONTACTED, True, "member:completed"),
        (S.COMPLETED, True, "member:close"),
        (S.CLOSED, True, None),
    ],
)
def test_the_page_offers_only_the_next_step(status, with_activity, next_step, team_member, assign):
    support_request = assign(team_member, accepted=[team_member], status=status)
    if with_activity and not support_request.activities.exists():
        log(support_request, team_member)
    pk = support_request.pk
    content = signed_in_client(team_member.user).get(url("member:request", pk=pk)).content.decode()
    for action in ("member:contacted", "member:completed", "member:close"):
        assert (url(action, pk=pk) in content) is (action == next_step)
    can_log = status in (S.CONTACTED, S.COMPLETED)
    assert (url("member:activity", pk=pk) in content) is can_log
    if can_log:
        assert f'name="date" value="{timezone.localdate():%Y-%m-%d}"' in content


def test_an_offered_member_is_offered_no_step_but_an_answer(team_member, make_team_member, assign):
    other = make_team_member()
    support_request = assign(team_member, other, accepted=[other], status=S.CONTACTED)
    pk = support_request.pk
    content = signed_in_client(team_member.user).get(url("member:request", pk=pk)).content.decode()
    for action in ("member:contacted", "member:completed", "member:close", "member:activity"):
        assert url(action, pk=pk) not in content
    assert url("member:accept", pk=pk) in content


FORBIDDEN = [
    # (status the request is in, accepted?, activity logged?, action, message fragment)
    (S.ASSIGNED, False, False, "member:contacted", "Accept the request first"),
    (S.CONTACTED, False, True, "member:completed", "Accept the request first"),
    (S.COMPLETED, False, True, "member:close", "Accept the request first"),
    (S.ASSIGNED, True, False, "member:close", "cannot be moved to “closed”"),
    (S.CONTACTED, True, True, "member:close", "cannot be moved to “closed”"),
    (S.ASSIGNED, True, False, "member:completed", "cannot be moved to “completed”"),
    (S.CONTACTED, True, False, "member:completed", "Log at least one activity"),
    (S.CONTACTED, True, True, "member:contacted", "cannot be moved to “contacted”"),
    (S.COMPLETED, True, True, "member:completed", "cannot be moved to “completed”"),
    (S.CLOSED, True, True, "member:close", "cannot be moved to “closed”"),
    (S.CLOSED, True, True, "member:contacted", "cannot be moved to “contacted”"),
]


@pytest.mark.parametrize("status,accepted,with_activity,action,message", FORBIDDEN)
def test_forbidden_moves_are_refused_with_409_and_change_nothing(
    status, accepted, with_activity, action, message, team_member, make_team_member, assign
):
    # Someone else on the team carries the request to its status when I have not accepted.
    other = make_team_member()
    support_request = assign(
        team_member, other, accepted=[team_member] if accepted else [other], status=status
    )
    if with_activity and not support_request.activities.exists():
        log(support_request, other)
    changes = support_request.changes.count()
    response = signed_in_client(team_member.user).post(url(action, pk=support_request.pk))
    assert response.status_code == 409
    assert message in response.content.decode()
    support_request.refresh_from_db()
    assert support_request.status == status
    assert support_request.changes.count() == changes


@pytest.mark.parametrize(
    "status,accepted,message",
    [
        (S.ASSIGNED, False, "Accept the request first"),
        (S.ASSIGNED, True, "Record that contact was made"),
        (S.CLOSED, True, "no more activity can be logged"),
    ],
)
def test_activity_cannot_be_logged_out_of_turn(status, accepted, message, team_member, assign):
    support_request = assign(team_member, accepted=[team_member] if accepted else [], status=status)
    before = Activity.objects.count()
    response = signed_in_client(team_member.user).post(
        url("member:activity", pk=support_request.pk), activity_data(people_reached="13")
    )
    assert response.status_code == 409
    assert message in response.content.decode()
    assert Activity.objects.count() == before


def test_activity_may_be_logged_after_completion_for_follow_up(team_member, assign):
    support_request = assign(team_member, accepted=[team_member], status=S.COMPLETED)
    response = signed_in_client(team_member.user).post(
        url("member:activity", pk=support_request.pk), activity_data(service_type="follow_up")
    )
    assert response.status_code == 302
    assert support_request.activities.filter(service_type="follow_up").exists()


# --- Activity validation ---------------------------------------------------------------


def test_the_activity_form_has_no_narrative_field():
    assert set(ActivityForm().fields) == {
        "date",
        "service_type",
        "people_reached",
        "hours",
        "follow_up_needed",
    }


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("date", "future", "The date cannot be in the future."),
        ("date", "", "This field is required."),
        ("hours", "0", "Enter more than 0 hours."),
        ("hours", "-1", "Enter more than 0 hours."),
        ("hours", "25", "less than or equal to 24"),
        ("hours", "1.125", "no more than 2 decimal places"),
        ("hours", "99999999999999999999", "less than or equal to 24"),
        ("people_reached", "0", "greater than or equal to 1"),
        ("people_reached", "501", "less than or equal to 500"),
        ("people_reached", "99999999999999999999", "less than or equal to 500"),
        ("people_reached", "many", "Enter a whole number."),
        ("service_type", "narrative", "Select a valid choice."),
    ],
)
def test_bad_activity_is_refused_at_the_field_keeping_what_was_typed(
    field, value, message, team_member, assign
):
    support_request = assign(team_member, accepted=[team_member], status=S.CONTACTED)
    if value == "future":
        value = f"{timezone.localdate() + dt.timedelta(days=1):%Y-%m-%d}"
    data = activity_data(**{"people_reached": "13", "hours": "3.25", field: value})
    response = signed_in_client(team_member.user).post(
        url("member:activity", pk=support_request.pk), data
    )
    assert response.status_code == 400
    assert not Activity.objects.filter(request=support_request).exists()
    content = response.content.decode()
    # The message sits under its own field.
    error_at = content.index(f'id="error_1_id_{field}"')
    assert message in content[error_at : error_at + 300]
    assert f'name="{field}"' in content[error_at - 1500 : error_at]
    # Everything typed is still there.
    for name in ("date", "people_reached", "hours"):
        if data[name]:
            assert f'value="{data[name]}"' in content
    if field != "service_type":
        assert '<option value="debriefing" selected>' in content
    assert re.search(r'<input[^>]*name="follow_up_needed"[^>]*checked', content)


def test_a_member_cannot_log_activity_in_another_members_name(
    team_member, make_team_member, assign
):
    other = make_team_member()
    support_request = assign(team_member, other, accepted=[team_member, other], status=S.CONTACTED)
    signed_in_client(team_member.user).post(
        url("member:activity", pk=support_request.pk), activity_data(member=str(other.pk))
    )
    assert support_request.activities.get().member == team_member


# --- My profile ------------------------------------------------------------------------


def test_my_profile_shows_my_roster_entry_read_only(make_team_member):
    me = make_team_member(
        member_type="command",
        discipline="fire",
        county="Clay",
        training_hours=44,
        on_call=True,
    )
    response = signed_in_client(me.user).get(url("member:profile"))
    assert response.status_code == 200
    content = response.content.decode()
    for shown in ("Command level", "Fire", "Clay", "44", "on call"):
        assert shown in content
    assert re.search(r"Can be assigned</dt>\s*<dd[^>]*>\s*Yes", content)
    # Nothing to edit but the on-call switch (besides sign-out in the staff header).
    actions = re.findall(r'<form[^>]*action="([^"]*)"', content)
    assert sorted(actions) == sorted([reverse("accounts:logout"), url("member:on_call")])


@pytest.mark.parametrize(
    "fields,reasons",
    [
        ({"training_hours": 12.5}, ["27.5 more training hours are needed"]),
        ({"training_hours": 8}, ["32 more training hours are needed"]),
        ({"active": False}, ["your roster entry is inactive"]),
    ],
)
def test_my_profile_says_why_i_cannot_be_assigned(fields, reasons, make_team_member):
    me = make_team_member(**fields)
    content = signed_in_client(me.user).get(url("member:profile")).content.decode()
    assert re.search(r"Can be assigned</dt>\s*<dd[^>]*>\s*No:", content)
    for reason in reasons:
        assert reason in content


def test_a_member_puts_themselves_on_call_and_off_again(team_member, make_team_member):
    other = make_team_member(on_call=False)
    client = signed_in_client(team_member.user)
    response = client.post(url("member:on_call"), {"on_call": "1"})
    assert response.status_code == 302
    team_member.refresh_from_db()
    other.refresh_from_db()
    assert team_member.on_call is True
    assert other.on_call is False
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        object_type="peersupport.teammember",
        object_id=str(team_member.pk),
    ).exists()
    client.post(url("member:on_call"), {"on_call": "0"})
    team_member.refresh_from_db()
    assert team_member.on_call is False


def test_the_on_call_switch_changes_only_my_own_flag(team_member, make_team_member):
    other = make_team_member(on_call=False, training_hours=10)
    before = TeamMember.objects.values().get(pk=team_member.pk)
    signed_in_client(team_member.user).post(
        url("member:on_call"),
        {
            "on_call": "1",
            "member": str(other.pk),
            "pk": str(other.pk),
            "training_hours": "99",
            "active": "0",
            "county": "Wyandotte",
        },
    )
    after = TeamMember.objects.values().get(pk=team_member.pk)
    assert after["on_call"] is True
    assert {k: v for k, v in after.items() if k not in ("on_call", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("on_call", "updated_at")
    }
    other.refresh_from_db()
    assert (other.on_call, other.training_hours) == (False, 10)


def test_an_inactive_member_cannot_go_on_call(make_team_member):
    me = make_team_member(active=False)
    response = signed_in_client(me.user).post(url("member:on_call"), {"on_call": "1"})
    assert response.status_code == 409
    assert "inactive" in response.content.decode()
    me.refresh_from_db()
    assert me.on_call is False


def test_an_on_call_switch_without_a_choice_is_refused(team_member):
    response = signed_in_client(team_member.user).post(url("member:on_call"), {"on_call": "maybe"})
    assert response.status_code == 400
    team_member.refresh_from_db()
    assert team_member.on_call is False


def test_someone_not_on_the_roster_cannot_switch_on_call(make_staff):
    user = make_staff(roles=[Role.PEER_TEAM_MEMBER])
    response = signed_in_client(user).post(url("member:on_call"), {"on_call": "1"})
    assert response.status_code == 404
    assert not TeamMember.objects.exists()


def test_the_assignment_email_links_to_my_assignments(
    team_member, assign, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assign(team_member)
    assert any(url("member:assignments") in message.body for message in mailoutbox)
