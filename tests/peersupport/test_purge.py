"""Contact details of a closed request are purged after 30 days, everywhere, and audited;
the de-identified figures of the dashboard stay exactly as they were."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from peersupport import dashboard, tasks
from peersupport.dashboard import Period
from peersupport.models import CONTACT_FIELDS, RequestStatus, SupportRequest
from peersupport.services import activity_log, contact_details_purge, request_assign
from tests.peersupport.factories import move, submitted_request

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_name": "Robin Reachme",
    "contact_method": "email",
    "contact_phone": "913-555-0142",
    "contact_email": "robin.reachme@example.org",
    "best_time": "Weekday mornings",
}
TRACES = ("Robin", "Reachme", "913-555-0142", "robin.reachme@example.org", "Weekday mornings")


def closed_request(*, coordinator, member, **overrides) -> SupportRequest:
    """Submitted, assigned, contacted, an activity logged, completed and closed: all through
    the services, so closed_at is now."""
    support_request, _ = submitted_request(**{**CONTACT, **overrides})
    if support_request.outside_region:
        move(support_request, RequestStatus.APPROVED, by=coordinator)
    request_assign(support_request=support_request, members=[member], by=coordinator)
    support_request = move(support_request, RequestStatus.CONTACTED, by=coordinator)
    activity_log(
        support_request=support_request,
        member=member,
        date=timezone.localdate(),
        service_type="debriefing",
        people_reached=7,
        hours=Decimal("2.5"),
        follow_up_needed=True,
        by=coordinator,
    )
    return move(support_request, RequestStatus.COMPLETED, RequestStatus.CLOSED, by=coordinator)


def contact_of(support_request: SupportRequest) -> dict:
    support_request.refresh_from_db()
    return {field: getattr(support_request, field) for field in CONTACT_FIELDS}


def purge_audits():
    return AuditEvent.objects.filter(
        object_type="peersupport.supportrequest", detail={"contact_details": "purged"}
    )


def this_year() -> Period:
    today = timezone.localdate()
    return Period(today - dt.timedelta(days=365), today)


def test_contact_details_are_blanked_31_days_after_closing_and_the_figures_stay(
    peer_coordinator, team_member
):
    closed = closed_request(coordinator=peer_coordinator, member=team_member)
    outside = closed_request(
        coordinator=peer_coordinator, member=team_member, outside_agency_name="Wichita 911"
    )
    still_open, _ = submitted_request(**CONTACT, request_type="phone", incident_kind="suicide")
    before = dashboard.dashboard(this_year())
    assert before.months_total.debriefings == 2
    assert before.out_of_region.approved == 1
    assert before.first_contact.requests == 2
    assert before.services_total.people_reached == 14

    purged = contact_details_purge(now=closed.closed_at + dt.timedelta(days=31))

    assert purged == 2
    for support_request in (closed, outside):
        assert contact_of(support_request) == dict.fromkeys(CONTACT_FIELDS, "")
        assert support_request.contact_purged_at == closed.closed_at + dt.timedelta(days=31)
        # what is not contact detail stays
        assert support_request.status == RequestStatus.CLOSED
        assert support_request.first_contact_at is not None
    assert contact_of(still_open) == CONTACT
    assert dashboard.dashboard(this_year()) == before


def test_a_request_closed_29_days_ago_keeps_its_contact_details(peer_coordinator, team_member):
    closed = closed_request(coordinator=peer_coordinator, member=team_member)

    assert contact_details_purge(now=closed.closed_at + dt.timedelta(days=29)) == 0

    assert contact_of(closed) == CONTACT
    assert closed.contact_purged_at is None
    assert not purge_audits().exists()


def test_the_purge_period_is_the_setting(peer_coordinator, team_member, settings):
    settings.PEER_SUPPORT_PURGE_DAYS = 10
    closed = closed_request(coordinator=peer_coordinator, member=team_member)

    assert contact_details_purge(now=closed.closed_at + dt.timedelta(days=9)) == 0
    assert contact_details_purge(now=closed.closed_at + dt.timedelta(days=11)) == 1


@pytest.mark.parametrize(
    "path",
    [
        (),
        (RequestStatus.ASSIGNED,),
        (RequestStatus.ASSIGNED, RequestStatus.CONTACTED),
        (RequestStatus.ASSIGNED, RequestStatus.CONTACTED, RequestStatus.COMPLETED),
        (RequestStatus.DECLINED,),
    ],
    ids=["new", "assigned", "contacted", "completed", "declined"],
)
def test_a_request_that_is_not_closed_is_never_purged(peer_coordinator, path):
    support_request, _ = submitted_request(**CONTACT)
    move(support_request, *path, by=peer_coordinator)
    long_ago = timezone.now() - dt.timedelta(days=400)
    SupportRequest.objects.filter(pk=support_request.pk).update(submitted_at=long_ago)

    assert contact_details_purge(now=timezone.now() + dt.timedelta(days=400)) == 0

    assert contact_of(support_request) == CONTACT
    assert support_request.contact_purged_at is None


def test_running_the_purge_twice_is_harmless(peer_coordinator, team_member):
    closed = closed_request(coordinator=peer_coordinator, member=team_member)
    first_run = closed.closed_at + dt.timedelta(days=31)
    assert contact_details_purge(now=first_run) == 1
    figures = dashboard.dashboard(this_year())

    assert contact_details_purge(now=first_run + dt.timedelta(days=1)) == 0

    assert contact_of(closed) == dict.fromkeys(CONTACT_FIELDS, "")
    assert closed.contact_purged_at == first_run  # the first purge's time is kept
    assert purge_audits().count() == 1
    assert dashboard.dashboard(this_year()) == figures


def test_each_purged_request_is_audited_once(peer_coordinator, team_member):
    first = closed_request(coordinator=peer_coordinator, member=team_member)
    second = closed_request(coordinator=peer_coordinator, member=team_member)
    recent = closed_request(coordinator=peer_coordinator, member=team_member)
    SupportRequest.objects.filter(pk=recent.pk).update(
        closed_at=first.closed_at + dt.timedelta(days=5)
    )

    contact_details_purge(now=first.closed_at + dt.timedelta(days=31))

    audits = purge_audits()
    assert sorted(audits.values_list("object_id", flat=True)) == sorted(
        [str(first.pk), str(second.pk)]
    )
    assert {event.action for event in audits} == {AuditAction.UPDATE}


def test_the_history_never_held_contact_details(peer_coordinator, team_member):
    closed = closed_request(coordinator=peer_coordinator, member=team_member)
    event_model = closed.history.model
    assert event_model.__name__ == "SupportRequestEvent"
    history_fields = {field.name for field in event_model._meta.get_fields()}
    assert not history_fields & set(CONTACT_FIELDS)
    # contact_purged_at is the one contact_* field kept: when, not who or how to reach them
    assert {name for name in history_fields if name.startswith("contact_")} == {"contact_purged_at"}
    assert closed.history.count() >= 5  # insert, assigned, contacted, completed, closed

    contact_details_purge(now=closed.closed_at + dt.timedelta(days=31))

    events = list(closed.history.order_by("pgh_id").values())
    assert events[-1]["contact_purged_at"] is not None  # the purge itself is in the history
    for event in events:
        text = " ".join(str(value) for value in event.values())
        for trace in TRACES:
            assert trace not in text
    for audit in AuditEvent.objects.all():
        for trace in TRACES:
            assert trace not in str(audit.detail)


def test_the_nightly_task_purges_through_the_service(peer_coordinator, team_member):
    due = closed_request(coordinator=peer_coordinator, member=team_member)
    recent = closed_request(coordinator=peer_coordinator, member=team_member)
    SupportRequest.objects.filter(pk=due.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=31)
    )

    assert tasks.purge_contact_details.delay().get() == 1

    assert contact_of(due) == dict.fromkeys(CONTACT_FIELDS, "")
    assert contact_of(recent) == CONTACT


def test_the_purge_task_is_on_the_beat_schedule_with_an_expiry():
    entry = settings.CELERY_BEAT_SCHEDULE["peersupport-purge-contact-details"]
    assert entry["task"] == tasks.purge_contact_details.name
    assert entry["options"]["expires"] > 0
