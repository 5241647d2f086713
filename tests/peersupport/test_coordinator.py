"""The peer support coordinator's pages: queue, request detail and actions, assignment with
suggestions, the team roster, the admin, and who may open any of them."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from peersupport.models import (
    Assignment,
    IncidentKind,
    RequestStatus,
    StatusChange,
    SupportRequest,
    TeamMember,
)
from peersupport.selectors import member_suggestions
from peersupport.services import activity_log, request_assign
from peersupport.views.coordinator import waiting_since
from tests.peersupport.factories import OrganizationFactory, submitted_request

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"peersupport:{name}", kwargs=kwargs)


@pytest.fixture
def world(make_team_member, peer_coordinator):
    """A new request with one assigned member; another member; and an unassigned request."""
    support_request, _ = submitted_request()
    assigned = make_team_member(first_name="Alex", last_name="Assigned")
    request_assign(support_request=support_request, members=[assigned], by=peer_coordinator)
    support_request.refresh_from_db()
    other = make_team_member(first_name="Olive", last_name="Other")
    fresh, _ = submitted_request(urgency="now")
    return SimpleNamespace(request=support_request, assigned=assigned, other=other, fresh=fresh)


def submitted_ago(support_request: SupportRequest, **delta) -> SupportRequest:
    at = timezone.now() - dt.timedelta(**delta)
    SupportRequest.objects.filter(pk=support_request.pk).update(submitted_at=at)
    support_request.refresh_from_db()
    return support_request


def with_status(support_request: SupportRequest, status: str) -> SupportRequest:
    SupportRequest.objects.filter(pk=support_request.pk).update(status=status)
    support_request.refresh_from_db()
    return support_request


def views_of(support_request: SupportRequest) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type="peersupport.supportrequest",
        object_id=str(support_request.pk),
    ).count()


# --- Who may open the pages ----------------------------------------------------------------

PAGES = [
    ("coordinator:queue", lambda w: {}),
    ("coordinator:queue_finished", lambda w: {}),
    ("coordinator:request_detail", lambda w: {"pk": w.request.pk}),
    ("coordinator:roster", lambda w: {}),
    ("coordinator:member_create", lambda w: {}),
    ("coordinator:member_edit", lambda w: {"pk": w.other.pk}),
]
ACTIONS = [
    ("coordinator:request_status", lambda w: {"pk": w.request.pk}),
    ("coordinator:request_assign", lambda w: {"pk": w.request.pk}),
    ("coordinator:request_confidentiality", lambda w: {"pk": w.request.pk}),
    ("coordinator:member_create", lambda w: {}),
    ("coordinator:member_edit", lambda w: {"pk": w.other.pk}),
]
OUTSIDERS = {
    "assigned member": lambda w, make_staff: w.assigned.user,
    "other member": lambda w, make_staff: w.other.user,
    "training coordinator": lambda w, make_staff: make_staff(roles=[Role.TRAINING_COORDINATOR]),
}


@pytest.mark.parametrize("name,kwargs", PAGES, ids=[name for name, _ in PAGES])
def test_coordinator_pages_open_for_coordinators_only(
    name, kwargs, world, make_staff, staff_client, client
):
    target = url(name, **kwargs(world))

    anonymous = client.get(target)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("two_factor:login"))
    assert "next=" in anonymous["Location"]

    for who, outsider in OUTSIDERS.items():
        staff_client(outsider(world, make_staff))
        assert client.get(target).status_code == 403, who

    staff_client(make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR]))
    response = client.get(target)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name,kwargs", ACTIONS, ids=[name for name, _ in ACTIONS])
def test_coordinator_actions_refuse_outsiders_and_change_nothing(
    name, kwargs, world, make_staff, staff_client, client
):
    target = url(name, **kwargs(world))
    form = {
        "to_status": "closed",
        "members": [world.other.pk],
        "applied": "on",
        "user": world.other.user.pk,
        "member_type": "command",
        "discipline": "fire",
        "training_hours": "80",
    }

    anonymous = client.post(target, form)
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]

    for who, outsider in OUTSIDERS.items():
        staff_client(outsider(world, make_staff))
        assert client.post(target, form).status_code == 403, who

    world.request.refresh_from_db()
    world.other.refresh_from_db()
    assert world.request.status == RequestStatus.ASSIGNED
    assert not world.request.confidentiality_exception
    assert not Assignment.objects.filter(member=world.other).exists()
    assert world.other.member_type == "peer"


def test_a_request_that_does_not_exist_is_not_found(peer_coordinator_client):
    assert (
        peer_coordinator_client.get(url("coordinator:request_detail", pk=999_999)).status_code
        == 404
    )


def test_staff_landing_lists_peer_support_for_coordinators_and_members(
    make_staff, staff_client, client
):
    from peersupport.apps import register_staff_areas

    register_staff_areas()
    landing = reverse("accounts:landing")
    staff_client(make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR]))
    html = client.get(landing).content.decode()
    assert 'href="/staff/peer-support/"' in html
    assert 'href="/staff/peer-support/mine/"' not in html

    staff_client(make_staff(roles=[Role.PEER_TEAM_MEMBER]))
    html = client.get(landing).content.decode()
    assert 'href="/staff/peer-support/mine/"' in html
    assert 'href="/staff/peer-support/"' not in html

    staff_client(make_staff(roles=[Role.TRAINING_COORDINATOR]))
    assert "/staff/peer-support/" not in client.get(landing).content.decode()


def test_coordinator_role_holds_the_admin_permissions_it_needs(peer_coordinator, make_staff):
    assert peer_coordinator.has_perm("peersupport.add_teammember")
    assert peer_coordinator.has_perm("peersupport.change_teammember")
    assert peer_coordinator.has_perm("peersupport.change_supportrequest")
    assert peer_coordinator.has_perm("peersupport.view_statuschange")
    assert not peer_coordinator.has_perm("peersupport.delete_supportrequest")
    assert not peer_coordinator.has_perm("peersupport.change_statuschange")
    member = make_staff(roles=[Role.PEER_TEAM_MEMBER])
    assert not member.has_perm("peersupport.view_supportrequest")


# --- Queue -----------------------------------------------------------------------------------


def test_queue_lists_open_requests_by_urgency_then_age(peer_coordinator_client):
    week_old, _ = submitted_request(urgency="week")
    week_old = submitted_ago(week_old, days=3)
    today_new, _ = submitted_request(urgency="today")
    today_new = submitted_ago(today_new, minutes=5)
    today_old, _ = submitted_request(urgency="today")
    today_old = submitted_ago(today_old, hours=6)
    now_new, _ = submitted_request(urgency="now")
    now_new = submitted_ago(now_new, minutes=1)
    now_old, _ = submitted_request(urgency="now")
    now_old = submitted_ago(now_old, hours=2)

    html = peer_coordinator_client.get(url("coordinator:queue")).content.decode()

    order = [now_old, now_new, today_old, today_new, week_old]
    positions = [html.index(r.reference) for r in order]
    assert positions == sorted(positions)


def test_queue_rows_show_the_waiting_clock_but_no_contact_details(peer_coordinator_client):
    support_request, _ = submitted_request(
        contact_name="Robin Requester", agency=OrganizationFactory(name="Lee's Summit 911")
    )
    support_request = submitted_ago(support_request, hours=3, minutes=20, seconds=10)

    html = peer_coordinator_client.get(url("coordinator:queue")).content.decode()

    assert "3 h 20 min ago" in html
    assert (
        f'<time datetime="{timezone.localtime(support_request.submitted_at).isoformat()}"' in html
    )
    assert "Lee&#x27;s Summit 911" in html
    assert "Group debriefing" in html and "Today or tomorrow" in html and "New" in html
    assert "Robin Requester" not in html
    assert "816-555-0100" not in html


def test_waiting_clock_reads_in_minutes_hours_and_days():
    now = timezone.now()
    assert waiting_since(now - dt.timedelta(seconds=20), now) == "less than a minute ago"
    assert waiting_since(now - dt.timedelta(minutes=12), now) == "12 min ago"
    assert waiting_since(now - dt.timedelta(hours=3, minutes=20), now) == "3 h 20 min ago"
    assert waiting_since(now - dt.timedelta(days=2, hours=5, minutes=9), now) == "2 d 5 h ago"


def test_queue_filters_by_status_and_keeps_closed_and_declined_apart(peer_coordinator_client):
    new, _ = submitted_request()
    outside, _ = submitted_request(outside_agency_name="Wichita regional 911")
    closed = with_status(submitted_request()[0], RequestStatus.CLOSED)
    declined = with_status(submitted_request()[0], RequestStatus.DECLINED)

    html = peer_coordinator_client.get(url("coordinator:queue")).content.decode()
    assert new.reference in html and outside.reference in html
    assert closed.reference not in html and declined.reference not in html

    html = peer_coordinator_client.get(
        url("coordinator:queue"), {"status": "awaiting_approval"}
    ).content.decode()
    assert outside.reference in html and new.reference not in html

    html = peer_coordinator_client.get(url("coordinator:queue_finished")).content.decode()
    assert closed.reference in html and declined.reference in html
    assert new.reference not in html


def test_queue_query_count_does_not_grow_with_its_rows(
    peer_coordinator_client, django_assert_max_num_queries
):
    for _ in range(3):
        submitted_request(agency=OrganizationFactory())
    with django_assert_max_num_queries(12) as few:
        peer_coordinator_client.get(url("coordinator:queue"))
    for _ in range(10):
        submitted_request(agency=OrganizationFactory())
    with django_assert_max_num_queries(len(few)):
        peer_coordinator_client.get(url("coordinator:queue"))


# --- Request detail and status actions ------------------------------------------------------


def test_detail_shows_every_field_history_assignments_and_activity(
    peer_coordinator_client, world, peer_coordinator
):
    activity_log(
        support_request=world.request,
        member=world.assigned,
        date=timezone.localdate(),
        service_type="debriefing",
        people_reached=5,
        hours=Decimal("2.5"),
        follow_up_needed=True,
        by=peer_coordinator,
    )
    html = peer_coordinator_client.get(
        url("coordinator:request_detail", pk=world.request.pk)
    ).content.decode()

    assert world.request.reference in html
    for text in (
        "Sam Supervisor",
        "816-555-0100",
        "After 3 pm",
        "Shift supervisor",
        "Child death or injury",
        "Alex Assigned",
        "Debriefing (CISD)",
        "2.50",
        "Requester (public form)",
        "Casey Coord",
        "New → Assigned",
    ):
        assert text in html, text


def test_every_view_of_a_request_is_audited(peer_coordinator_client, world, peer_coordinator):
    target = url("coordinator:request_detail", pk=world.request.pk)
    peer_coordinator_client.get(target)
    peer_coordinator_client.get(target)

    events = AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type="peersupport.supportrequest",
        object_id=str(world.request.pk),
    )
    assert events.count() == 2
    assert {e.actor_id for e in events} == {peer_coordinator.pk}
    assert views_of(world.fresh) == 0


def test_only_the_coordinators_moves_are_offered(peer_coordinator_client):
    support_request, _ = submitted_request(outside_agency_name="Wichita regional 911")
    html = peer_coordinator_client.get(
        url("coordinator:request_detail", pk=support_request.pk)
    ).content.decode()
    assert 'value="approved"' in html and "Decline this request" in html
    assert 'value="declined"' not in html  # a decline needs a reason: its own form
    assert 'value="assigned"' not in html and 'value="contacted"' not in html
    assert "approve it before assigning" in html

    assigned = with_status(submitted_request()[0], RequestStatus.ASSIGNED)
    html = peer_coordinator_client.get(
        url("coordinator:request_detail", pk=assigned.pk)
    ).content.decode()
    assert 'value="contacted"' in html and 'value="closed"' in html
    assert 'value="approved"' not in html


def test_approving_moves_the_request_and_records_who(peer_coordinator_client, peer_coordinator):
    support_request, _ = submitted_request(outside_agency_name="Wichita regional 911")
    response = peer_coordinator_client.post(
        url("coordinator:request_status", pk=support_request.pk), {"to_status": "approved"}
    )
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.APPROVED
    change = support_request.changes.last()
    assert (change.from_status, change.to_status, change.by) == (
        "awaiting_approval",
        "approved",
        peer_coordinator,
    )


def test_a_move_is_audited_with_the_coordinators_address_and_page(
    peer_coordinator_client, peer_coordinator
):
    support_request, _ = submitted_request()
    target = url("coordinator:request_status", pk=support_request.pk)
    peer_coordinator_client.post(target, {"to_status": "approved"}, REMOTE_ADDR="198.51.100.20")

    event = AuditEvent.objects.get(
        action=AuditAction.UPDATE,
        object_type="peersupport.supportrequest",
        object_id=str(support_request.pk),
    )
    assert (event.actor_id, event.ip_address, event.path) == (
        peer_coordinator.pk,
        "198.51.100.20",
        target,
    )


@pytest.mark.parametrize("to_status", ["contacted", "closed", "completed", "assigned", "new"])
def test_a_forbidden_move_is_refused_with_409_and_changes_nothing(
    peer_coordinator_client, to_status
):
    support_request, _ = submitted_request()
    changes = StatusChange.objects.count()

    response = peer_coordinator_client.post(
        url("coordinator:request_status", pk=support_request.pk), {"to_status": to_status}
    )

    assert response.status_code == 409
    assert "Nothing was changed." in response.content.decode()
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.NEW
    assert StatusChange.objects.count() == changes


def test_an_unknown_status_is_a_bad_request(peer_coordinator_client):
    support_request, _ = submitted_request()
    response = peer_coordinator_client.post(
        url("coordinator:request_status", pk=support_request.pk), {"to_status": "vanished"}
    )
    assert response.status_code == 400
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.NEW


def test_confidentiality_exception_is_a_flag_and_is_audited(
    peer_coordinator_client, peer_coordinator
):
    support_request, _ = submitted_request()
    target = url("coordinator:request_detail", pk=support_request.pk)
    page = peer_coordinator_client.get(target).content.decode()
    assert 'name="applied"' in page and "<textarea" not in page

    response = peer_coordinator_client.post(
        url("coordinator:request_confidentiality", pk=support_request.pk), {"applied": "on"}
    )

    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.confidentiality_exception
    event = AuditEvent.objects.get(
        action=AuditAction.UPDATE,
        object_type="peersupport.supportrequest",
        object_id=str(support_request.pk),
        detail__confidentiality_exception=True,
    )
    assert event.actor_id == peer_coordinator.pk

    peer_coordinator_client.post(
        url("coordinator:request_confidentiality", pk=support_request.pk), {}
    )
    support_request.refresh_from_db()
    assert not support_request.confidentiality_exception
    assert AuditEvent.objects.filter(detail__confidentiality_exception=False).count() == 1


def test_detail_query_count_does_not_grow_with_history_and_members(
    peer_coordinator_client, peer_coordinator, make_team_member, django_assert_max_num_queries
):
    support_request, _ = submitted_request()
    make_team_member(on_call=True)
    target = url("coordinator:request_detail", pk=support_request.pk)
    with django_assert_max_num_queries(30) as few:
        peer_coordinator_client.get(target)
    members = [
        make_team_member(first_name=f"M{n}", home_agency=OrganizationFactory()) for n in range(6)
    ]
    for member in members:
        make_team_member(first_name=f"S{member.pk}")
    request_assign(support_request=support_request, members=members[:3], by=peer_coordinator)
    with django_assert_max_num_queries(len(few)):
        peer_coordinator_client.get(target)


# --- Assignment ------------------------------------------------------------------------------


def test_assigning_members_creates_assignments_moves_status_and_emails_only_a_link(
    peer_coordinator_client,
    peer_coordinator,
    make_team_member,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    agency = OrganizationFactory(name="Blue Springs Police", kind="police")
    support_request, _ = submitted_request(agency=agency, incident_kind=IncidentKind.SUICIDE)
    first = make_team_member(first_name="Fran", last_name="First")
    second = make_team_member(first_name="Sid", last_name="Second")

    with django_capture_on_commit_callbacks(execute=True):
        response = peer_coordinator_client.post(
            url("coordinator:request_assign", pk=support_request.pk),
            {"members": [first.pk, second.pk]},
        )

    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.ASSIGNED
    assert support_request.changes.last().by == peer_coordinator
    assert set(
        Assignment.objects.filter(request=support_request).values_list("member", flat=True)
    ) == {
        first.pk,
        second.pk,
    }
    assert sorted(m.to[0] for m in mailoutbox) == sorted([first.user.email, second.user.email])
    link = url("member:assignments")
    for message in mailoutbox:
        body = message.subject + message.body
        assert link in body
        for secret in (
            support_request.reference,
            "Blue Springs",
            "Suicide",
            "suicide",
            "Sam Supervisor",
            "816-555-0100",
        ):
            assert secret not in body, secret


def test_assigning_nobody_or_an_excluded_member_is_refused(
    peer_coordinator_client, make_team_member
):
    agency = OrganizationFactory()
    support_request, _ = submitted_request(agency=agency)
    own_agency = make_team_member(home_agency=agency)
    untrained = make_team_member(training_hours=12)
    target = url("coordinator:request_assign", pk=support_request.pk)

    nobody = peer_coordinator_client.post(target, {})
    assert nobody.status_code == 400
    assert "Choose at least one team member." in nobody.content.decode()
    for excluded in (own_agency, untrained):
        response = peer_coordinator_client.post(target, {"members": [excluded.pk]})
        assert response.status_code == 400
        assert "cannot take this request" in response.content.decode()

    assert not Assignment.objects.exists()
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.NEW


def test_an_out_of_region_request_cannot_be_assigned_before_approval(
    peer_coordinator_client, make_team_member
):
    support_request, _ = submitted_request(outside_agency_name="Wichita regional 911")
    member = make_team_member()
    target = url("coordinator:request_assign", pk=support_request.pk)

    page = peer_coordinator_client.get(
        url("coordinator:request_detail", pk=support_request.pk)
    ).content.decode()
    assert f'name="members" value="{member.pk}"' not in page
    refused = peer_coordinator_client.post(target, {"members": [member.pk]})
    assert refused.status_code == 409
    assert "approve it before assigning" in refused.content.decode()
    assert not Assignment.objects.exists()
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.AWAITING_APPROVAL

    peer_coordinator_client.post(
        url("coordinator:request_status", pk=support_request.pk), {"to_status": "approved"}
    )
    assert peer_coordinator_client.post(target, {"members": [member.pk]}).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.ASSIGNED
    assert Assignment.objects.filter(request=support_request, member=member).exists()


def test_a_closed_request_cannot_be_assigned(peer_coordinator_client, make_team_member):
    support_request = with_status(submitted_request()[0], RequestStatus.CLOSED)
    response = peer_coordinator_client.post(
        url("coordinator:request_assign", pk=support_request.pk),
        {"members": [make_team_member().pk]},
    )
    assert response.status_code == 409
    assert not Assignment.objects.exists()


# --- Suggestions -----------------------------------------------------------------------------


def test_suggestions_never_include_members_of_the_requesters_agency(make_team_member):
    agency = OrganizationFactory(name="Independence 911")
    support_request, _ = submitted_request(agency=agency)
    own = make_team_member(home_agency=agency)
    elsewhere = make_team_member(home_agency=OrganizationFactory(name="Raytown 911"))
    suggested = list(member_suggestions(support_request))
    assert elsewhere in suggested and own not in suggested


def test_command_level_requests_go_to_the_command_team_only(make_team_member):
    support_request, _ = submitted_request(request_type="command")
    peer = make_team_member(member_type="peer", on_call=True)
    command = make_team_member(member_type="command")
    assert list(member_suggestions(support_request)) == [command]
    assert peer.assignable


def test_other_requests_suggest_peers_before_command_members(make_team_member):
    support_request, _ = submitted_request(request_type="phone")
    command = make_team_member(member_type="command", on_call=True, last_name="Aaron")
    peer = make_team_member(member_type="peer", last_name="Zed")
    assert list(member_suggestions(support_request)) == [peer, command]


def test_members_on_call_are_suggested_first(make_team_member):
    support_request, _ = submitted_request()
    off = make_team_member(last_name="Abbott", on_call=False)
    on = make_team_member(last_name="Young", on_call=True)
    assert list(member_suggestions(support_request)) == [on, off]


def test_the_requesters_discipline_comes_before_others(make_team_member):
    support_request, _ = submitted_request(agency=OrganizationFactory(kind="fire"))
    dispatch = make_team_member(last_name="Abbott", discipline="dispatch")
    fire = make_team_member(last_name="Young", discipline="fire")
    assert list(member_suggestions(support_request)) == [fire, dispatch]

    sheriff, _ = submitted_request(agency=OrganizationFactory(kind="sheriff"))
    law = make_team_member(last_name="Zimmer", discipline="law")
    assert list(member_suggestions(sheriff))[0] == law


def test_on_call_outranks_discipline_and_unknown_discipline_has_no_preference(make_team_member):
    support_request, _ = submitted_request(agency=OrganizationFactory(kind="psap"))
    match = make_team_member(last_name="Abbott", discipline="dispatch")
    on_call = make_team_member(last_name="Young", discipline="ems", on_call=True)
    assert list(member_suggestions(support_request)) == [on_call, match]

    outside, _ = submitted_request(outside_agency_name="Wichita regional 911")
    # No discipline to prefer: on call, then by name.
    assert list(member_suggestions(outside)) == [on_call, match]


def test_members_with_fewer_open_assignments_come_first(make_team_member, peer_coordinator):
    support_request, _ = submitted_request()
    busy = make_team_member(last_name="Abbott")
    free = make_team_member(last_name="Young")
    for _ in range(2):
        other, _ = submitted_request()
        request_assign(support_request=other, members=[busy], by=peer_coordinator)
    closed, _ = submitted_request()
    request_assign(support_request=closed, members=[free], by=peer_coordinator)
    with_status(closed, RequestStatus.CLOSED)  # a finished request is no load

    suggested = list(member_suggestions(support_request))
    assert suggested == [free, busy]
    assert [m.open_assignments for m in suggested] == [0, 2]


def test_members_not_assignable_or_already_assigned_are_not_suggested(
    make_team_member, peer_coordinator
):
    support_request, _ = submitted_request()
    ready = make_team_member(training_hours=40)
    make_team_member(training_hours=Decimal("39.5"))
    make_team_member(active=False)
    assert list(member_suggestions(support_request)) == [ready]

    request_assign(support_request=support_request, members=[ready], by=peer_coordinator)
    assert list(member_suggestions(support_request)) == []


def test_detail_page_offers_the_suggestions_in_order(peer_coordinator_client, make_team_member):
    support_request, _ = submitted_request()
    off = make_team_member(first_name="Olga", last_name="Off")
    on = make_team_member(first_name="Oscar", last_name="On", on_call=True)
    make_team_member(first_name="Trainee", last_name="Tess", training_hours=10)

    html = peer_coordinator_client.get(
        url("coordinator:request_detail", pk=support_request.pk)
    ).content.decode()

    assert html.index(f'value="{on.pk}"') < html.index(f'value="{off.pk}"')
    assert "Trainee Tess" not in html


# --- Team roster -----------------------------------------------------------------------------


def test_roster_filters_and_flags_members_not_yet_assignable(
    peer_coordinator_client, make_team_member
):
    make_team_member(first_name="Cora", last_name="Command", member_type="command", on_call=True)
    make_team_member(first_name="Nia", last_name="Newbie", training_hours=20)
    make_team_member(first_name="Ian", last_name="Inactive", active=False, discipline="fire")

    html = peer_coordinator_client.get(url("coordinator:roster")).content.decode()
    assert "Cora Command" in html and "Nia Newbie" in html and "Ian Inactive" in html
    assert html.count("Not yet assignable") == 1

    html = peer_coordinator_client.get(
        url("coordinator:roster"), {"member_type": "command"}
    ).content.decode()
    assert "Cora Command" in html and "Nia Newbie" not in html

    html = peer_coordinator_client.get(
        url("coordinator:roster"), {"discipline": "fire"}
    ).content.decode()
    assert "Ian Inactive" in html and "Cora Command" not in html

    html = peer_coordinator_client.get(url("coordinator:roster"), {"active": "no"}).content.decode()
    assert "Ian Inactive" in html and "Nia Newbie" not in html

    html = peer_coordinator_client.get(
        url("coordinator:roster"), {"on_call": "yes"}
    ).content.decode()
    assert "Cora Command" in html and "Nia Newbie" not in html


def member_form(user, **overrides) -> dict:
    data = {
        "user": user.pk,
        "member_type": "peer",
        "discipline": "dispatch",
        "home_agency": OrganizationFactory().pk,
        "county": "Jackson",
        "training_hours": "44",
        "active": "on",
        "on_call": "",
    }
    data.update(overrides)
    return data


def test_coordinator_adds_a_team_member(peer_coordinator_client, make_staff):
    user = make_staff(roles=[Role.PEER_TEAM_MEMBER], first_name="Nora", last_name="New")
    response = peer_coordinator_client.post(url("coordinator:member_create"), member_form(user))
    assert response.status_code == 302
    member = TeamMember.objects.get(user=user)
    assert member.training_hours == 44 and member.assignable and not member.on_call
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="peersupport.teammember", object_id=str(member.pk)
    ).exists()


def test_roster_form_offers_only_peer_team_accounts_not_yet_on_the_roster(
    peer_coordinator_client, make_staff, make_team_member
):
    outsider = make_staff(roles=[Role.TRAINING_COORDINATOR], first_name="Tom", last_name="Trainer")
    listed = make_team_member(first_name="Lee", last_name="Listed")
    candidate = make_staff(roles=[Role.PEER_TEAM_MEMBER], first_name="Cam", last_name="Candidate")

    page = peer_coordinator_client.get(url("coordinator:member_create")).content.decode()
    assert "Cam Candidate" in page
    assert "Tom Trainer" not in page and "Lee Listed" not in page

    for user in (outsider, listed.user):
        response = peer_coordinator_client.post(url("coordinator:member_create"), member_form(user))
        assert response.status_code == 400
    assert not TeamMember.objects.filter(user=outsider).exists()
    assert TeamMember.objects.filter(user=listed.user).count() == 1
    assert candidate.pk


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"training_hours": "-1"}, "training_hours"),
        ({"training_hours": ""}, "training_hours"),
        ({"member_type": "chief"}, "member_type"),
        ({"discipline": ""}, "discipline"),
    ],
)
def test_roster_form_rejects_invalid_values(peer_coordinator_client, make_staff, overrides, field):
    user = make_staff(roles=[Role.PEER_TEAM_MEMBER])
    response = peer_coordinator_client.post(
        url("coordinator:member_create"), member_form(user, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not TeamMember.objects.filter(user=user).exists()


def test_coordinator_edits_a_team_member(peer_coordinator_client, make_team_member):
    member = make_team_member(first_name="Eve", last_name="Edit", training_hours=30)
    target = url("coordinator:member_edit", pk=member.pk)
    page = peer_coordinator_client.get(target).content.decode()
    assert "Not yet assignable" in page

    response = peer_coordinator_client.post(
        target,
        member_form(member.user, training_hours="41.5", on_call="on", member_type="command"),
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.training_hours == Decimal("41.5")
    assert member.on_call and member.member_type == "command" and member.assignable
    event = AuditEvent.objects.get(
        action=AuditAction.UPDATE, object_type="peersupport.teammember", object_id=str(member.pk)
    )
    assert "training_hours" in event.detail["changed"]


# --- Admin -----------------------------------------------------------------------------------


def test_admin_pages_open_requests_are_not_deleted_and_contact_is_read_only(
    superuser_client, world
):
    activity = activity_log(
        support_request=world.request,
        member=world.assigned,
        date=timezone.localdate(),
        service_type="one_on_one",
        people_reached=1,
        hours=1,
        follow_up_needed=False,
        by=world.assigned.user,
    )
    for path in (
        "/admin/peersupport/teammember/",
        f"/admin/peersupport/teammember/{world.other.pk}/change/",
        "/admin/peersupport/supportrequest/",
        "/admin/peersupport/assignment/",
        "/admin/peersupport/activity/",
        f"/admin/peersupport/activity/{activity.pk}/change/",
        "/admin/peersupport/statuschange/",
    ):
        assert superuser_client.get(path).status_code == 200, path

    change = f"/admin/peersupport/supportrequest/{world.request.pk}/change/"
    before = views_of(world.request)
    html = superuser_client.get(change).content.decode()
    assert views_of(world.request) == before + 1
    assert "Sam Supervisor" in html
    assert 'name="contact_name"' not in html and 'name="status"' not in html
    assert 'name="urgency"' in html
    assert superuser_client.get("/admin/peersupport/supportrequest/add/").status_code == 403
    delete = f"/admin/peersupport/supportrequest/{world.request.pk}/delete/"
    assert superuser_client.get(delete).status_code == 403
    assert superuser_client.get("/admin/peersupport/statuschange/add/").status_code == 403
