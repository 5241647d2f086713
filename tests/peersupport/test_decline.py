"""Declining a request: a reason from the list, asked once more before anything changes,
recorded and audited; reopened by a coordinator within PEER_SUPPORT_DECLINE_REOPEN_HOURS
back to the status it left, and refused after that with the reason why. The requester's
status page stays truthful and shows no reason. A member declining an assignment is asked
once more too."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from peersupport import dashboard
from peersupport.models import (
    Assignment,
    AssignmentStatus,
    DeclineReason,
    RequestStatus,
    StatusChange,
    SupportRequest,
)
from peersupport.services import (
    TransitionError,
    request_assign,
    request_decline,
    request_reopen,
)
from tests.peersupport.factories import move, submitted_request

pytestmark = pytest.mark.django_db

OUTSIDE = {"outside_agency_name": "Wichita regional 911"}


def url(name: str, pk: int) -> str:
    return reverse(f"peersupport:coordinator:{name}", kwargs={"pk": pk})


def status_page(client, token: str) -> str:
    return client.get(reverse("peersupport:status", kwargs={"token": token})).content.decode()


def updates_of(support_request: SupportRequest):
    return AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        object_type="peersupport.supportrequest",
        object_id=str(support_request.pk),
    ).order_by("pk")


def declined_hours_ago(support_request: SupportRequest, hours: float) -> None:
    at = timezone.now() - dt.timedelta(hours=hours)
    SupportRequest.objects.filter(pk=support_request.pk).update(declined_at=at)


# --- Declining ------------------------------------------------------------------------------


def test_a_decline_without_a_reason_is_refused_and_changes_nothing(peer_coordinator_client):
    support_request, _ = submitted_request()

    response = peer_coordinator_client.post(url("request_decline", support_request.pk), {})

    assert response.status_code == 400
    assert "Choose why the request is declined. Nothing was changed." in response.content.decode()
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.NEW
    assert not updates_of(support_request).exists()


def test_the_decline_is_asked_once_more_with_the_reason_kept(peer_coordinator_client):
    support_request, _ = submitted_request()
    changes = StatusChange.objects.count()

    response = peer_coordinator_client.post(
        url("request_decline", support_request.pk), {"reason": DeclineReason.DUPLICATE}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Decline request {support_request.reference}?" in page
    assert DeclineReason.DUPLICATE.label in page  # the summary of what was chosen
    assert '<input type="hidden" name="reason" value="duplicate">' in page
    assert 'name="confirmed" value="yes"' in page  # the button that declines
    assert "reopen it within 72 hours" in page
    back = url("request_detail", support_request.pk) + "?reason=duplicate#decline-heading"
    assert f'href="{back}"' in page
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.NEW
    assert StatusChange.objects.count() == changes
    assert not updates_of(support_request).exists()

    # "Go back": the detail page comes back with the reason still chosen.
    detail = peer_coordinator_client.get(back).content.decode()
    assert 'value="duplicate" id="id_reason_1" checked' in detail


def test_a_confirmed_decline_is_recorded_audited_and_shown(
    peer_coordinator_client, peer_coordinator, client
):
    support_request, token = submitted_request(**OUTSIDE)
    target = url("request_decline", support_request.pk)

    response = peer_coordinator_client.post(
        target,
        {"reason": DeclineReason.REFERRED, "confirmed": "yes"},
        REMOTE_ADDR="198.51.100.20",
    )

    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.DECLINED
    assert support_request.decline_reason == DeclineReason.REFERRED
    assert support_request.declined_from == RequestStatus.AWAITING_APPROVAL
    assert support_request.declined_by == peer_coordinator
    assert timezone.now() - support_request.declined_at < dt.timedelta(minutes=1)
    change = support_request.changes.last()
    assert (change.from_status, change.to_status, change.by) == (
        RequestStatus.AWAITING_APPROVAL,
        RequestStatus.DECLINED,
        peer_coordinator,
    )
    event = updates_of(support_request).get()
    assert (event.actor_id, event.ip_address, event.path) == (
        peer_coordinator.pk,
        "198.51.100.20",
        target,
    )
    assert event.detail == {
        "status": ["awaiting_approval", "declined"],
        "decline_reason": "referred",
    }

    page = peer_coordinator_client.get(response["Location"]).content.decode()
    assert f"{support_request.reference} is declined. You can reopen it until" in page
    assert DeclineReason.REFERRED.label in page
    assert "Reopen the request" in page

    public = status_page(client, token)
    assert "Not taken on" in public
    assert DeclineReason.REFERRED.label not in public and "EAP" not in public


def test_the_plain_status_form_cannot_decline_without_a_reason(peer_coordinator_client):
    support_request, _ = submitted_request()

    response = peer_coordinator_client.post(
        url("request_status", support_request.pk), {"to_status": "declined"}
    )

    assert response.status_code == 409
    assert "choose a reason under “Decline this request”" in response.content.decode()
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.NEW


def test_an_assigned_request_cannot_be_declined(peer_coordinator_client):
    support_request, _ = submitted_request()
    SupportRequest.objects.filter(pk=support_request.pk).update(status=RequestStatus.ASSIGNED)

    response = peer_coordinator_client.post(
        url("request_decline", support_request.pk),
        {"reason": DeclineReason.DUPLICATE, "confirmed": "yes"},
    )

    assert response.status_code == 409
    assert "cannot be declined" in response.content.decode()
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.ASSIGNED


def test_the_decline_button_is_red_and_apart_from_approve(peer_coordinator_client):
    support_request, _ = submitted_request(**OUTSIDE)
    page = peer_coordinator_client.get(url("request_detail", support_request.pk)).content.decode()
    approve = page.index(">Approve</button>")
    block = page.index('<div class="actions-destructive" id="decline">')
    assert approve < block < page.index('class="btn btn-outline-danger" type="submit">Decline')


# --- Reopening ------------------------------------------------------------------------------


def test_a_decline_reopened_within_the_window_returns_to_its_status(
    peer_coordinator_client, peer_coordinator, client
):
    support_request, token = submitted_request(**OUTSIDE)
    request_decline(
        support_request=support_request, reason=DeclineReason.WITHDRAWN, by=peer_coordinator
    )
    declined_hours_ago(support_request, 71.5)

    response = peer_coordinator_client.post(url("request_reopen", support_request.pk))

    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.AWAITING_APPROVAL
    assert (support_request.decline_reason, support_request.declined_at) == ("", None)
    change = support_request.changes.last()
    assert (change.from_status, change.to_status, change.by) == (
        RequestStatus.DECLINED,
        RequestStatus.AWAITING_APPROVAL,
        peer_coordinator,
    )
    assert updates_of(support_request).last().detail == {
        "status": ["declined", "awaiting_approval"],
        "reopened": True,
        "decline_reason": "withdrawn",
    }
    page = peer_coordinator_client.get(response["Location"]).content.decode()
    assert "is reopened: it is awaiting approval (outside the region) again." in page
    assert ">Approve</button>" in page
    assert "Waiting for approval" in status_page(client, token)


def test_a_decline_cannot_be_reopened_after_the_window(
    peer_coordinator_client, peer_coordinator, settings
):
    settings.PEER_SUPPORT_DECLINE_REOPEN_HOURS = 24
    support_request, _ = submitted_request()
    request_decline(
        support_request=support_request, reason=DeclineReason.UNREACHABLE, by=peer_coordinator
    )
    declined_hours_ago(support_request, 24.1)

    page = peer_coordinator_client.get(url("request_detail", support_request.pk)).content.decode()
    assert "Reopen the request" not in page
    assert "A declined request can be reopened for 24 hours" in page

    response = peer_coordinator_client.post(url("request_reopen", support_request.pk))

    assert response.status_code == 409
    assert "so it cannot be reopened. If the person still needs support" in (
        response.content.decode()
    )
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.DECLINED
    assert support_request.decline_reason == DeclineReason.UNREACHABLE


def test_a_request_that_is_not_declined_cannot_be_reopened(peer_coordinator_client):
    support_request, _ = submitted_request()
    response = peer_coordinator_client.post(url("request_reopen", support_request.pk))
    assert response.status_code == 409
    assert "not declined: there is nothing to reopen" in response.content.decode()


# --- Two coordinators at once ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_declining_at_once_decline_once(make_staff):
    coordinators = [make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR]) for _ in range(2)]
    support_request, _ = submitted_request()
    reasons = [DeclineReason.DUPLICATE, DeclineReason.WITHDRAWN]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decline_as(coordinator, reason):
        try:
            barrier.wait()
            request_decline(support_request=support_request, reason=reason, by=coordinator)
            outcomes.append(f"declined:{reason}")
        except TransitionError as refused:
            outcomes.append(refused.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decline_as, args=pair)
        for pair in zip(coordinators, reasons, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(outcomes) == 2
    won = [o for o in outcomes if o.startswith("declined:")]
    assert len(won) == 1, outcomes
    assert "A request that is declined cannot be declined." in outcomes
    support_request.refresh_from_db()
    assert f"declined:{support_request.decline_reason}" == won[0]
    assert support_request.declined_from == RequestStatus.NEW
    assert (
        StatusChange.objects.filter(
            request=support_request, to_status=RequestStatus.DECLINED
        ).count()
        == 1
    )


# --- A member declining an assignment -------------------------------------------------------


def test_a_member_declining_an_assignment_is_asked_once_more(
    make_team_member, peer_coordinator, staff_client
):
    member = make_team_member()
    support_request, _ = submitted_request()
    request_assign(support_request=support_request, members=[member], by=peer_coordinator)
    client = staff_client(member.user)
    decline = reverse("peersupport:member:decline", kwargs={"pk": support_request.pk})

    page = client.get(reverse("peersupport:member:request", kwargs={"pk": support_request.pk}))
    assert '<div class="actions-destructive">' in page.content.decode()

    response = client.post(decline)
    assert response.status_code == 200
    assert f"Decline request {support_request.reference}?" in response.content.decode()
    assert Assignment.objects.get().status == AssignmentStatus.OFFERED

    response = client.post(decline, {"confirmed": "yes"})
    assert response.status_code == 302
    assert Assignment.objects.get().status == AssignmentStatus.DECLINED


# --- The dashboard's out-of-region figures --------------------------------------------------


def test_a_reopened_decline_no_longer_counts_as_a_pre_approval_decision(peer_coordinator):
    reopened, _ = submitted_request(**OUTSIDE)
    move(reopened, RequestStatus.DECLINED, by=peer_coordinator)
    request_reopen(support_request=reopened, by=peer_coordinator)
    then_approved, _ = submitted_request(**OUTSIDE)
    move(then_approved, RequestStatus.DECLINED, by=peer_coordinator)
    request_reopen(support_request=then_approved, by=peer_coordinator)
    move(then_approved, RequestStatus.APPROVED, by=peer_coordinator)
    declined, _ = submitted_request(**OUTSIDE)
    move(declined, RequestStatus.DECLINED, RequestStatus.CLOSED, by=peer_coordinator)

    today = timezone.localdate()
    figures = dashboard.out_of_region(dashboard.Period(today, today))

    assert (figures.requests, figures.approved, figures.declined, figures.undecided) == (
        3,
        1,
        1,
        1,
    )
