"""At the door: walk-ins, undoing a check-in, the check-in window, certificates only after
the event, and the confirmation before cancelling an event or messaging everyone.

The clock stands still in every test (tests/training/conftest.py: clock, door_client).
"""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, Organization, OrganizationKind
from tests.training.conftest import DOOR_TIME, EVENT_END, EVENT_START, event_at_the_door
from tests.training.factories import EventFactory, RegistrationFactory
from training import coordination
from training.certificates import NotEndedYet, certificate_for
from training.credits import history_for
from training.models import (
    EventStatus,
    OverCapacityReason,
    Registration,
    RegistrationStatus,
)
from training.services import RegistrationError, history_token

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def url(name: str, **kwargs) -> str:
    return reverse(f"training:{name}", kwargs=kwargs)


def walk_in_url(event) -> str:
    return url("coordinator:walk_in", pk=event.pk)


def undo_url(registration) -> str:
    return url(
        "coordinator:registration_check_in_undo",
        pk=registration.event_id,
        registration_pk=registration.pk,
    )


def check_in_url(registration) -> str:
    return url(
        "coordinator:registration_check_in",
        pk=registration.event_id,
        registration_pk=registration.pk,
    )


WALK_IN = {"name": "Wes Walkin", "agency": "Olathe Fire Department", "email": "Wes@Example.org"}


# --- Walk-ins ----------------------------------------------------------------------------


def test_a_walk_in_is_registered_checked_in_and_audited_in_one_step(door_client):
    agency = Organization.objects.create(
        name="Olathe Fire Department", kind=OrganizationKind.FIRE, state="KS"
    )
    event = event_at_the_door(capacity=2)
    RegistrationFactory(event=event)

    page = door_client.get(url("coordinator:check_in", pk=event.pk)).content.decode()
    assert "Add a walk-in" in page and '<option value="Olathe Fire Department">' in page

    response = door_client.post(walk_in_url(event), {**WALK_IN, "agency": "olathe fire department"})
    assert response.status_code == 302
    wes = Registration.objects.get(email="wes@example.org")
    assert wes.status == RegistrationStatus.ATTENDED and wes.checked_in_at == DOOR_TIME
    assert wes.walk_in and wes.over_capacity_reason == ""
    assert (wes.agency_id, wes.agency_name, wes.state) == (agency.pk, agency.name, "KS")
    audit = AuditEvent.objects.get(object_type="training.registration", object_id=str(wes.pk))
    assert audit.action == AuditAction.CREATE
    assert audit.detail["change"] == "walk-in registered and checked in"

    after = door_client.get(response["Location"]).content.decode()
    assert "Wes Walkin is registered and checked in." in after
    assert "Walk-in" in after and "Checked in at" in after


def test_a_walk_in_is_refused_when_full_without_a_reason_and_keeps_what_was_typed(door_client):
    event = event_at_the_door(capacity=1)
    RegistrationFactory(event=event)

    page = door_client.get(url("coordinator:check_in", pk=event.pk)).content.decode()
    assert "Every seat is taken (1 of 1)" in page and "Why may they go over capacity?" in page

    response = door_client.post(walk_in_url(event), WALK_IN)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Every seat is taken: choose why this person may go over." in html
    assert 'value="Wes Walkin"' in html and 'value="Wes@Example.org"' in html
    assert not Registration.objects.filter(email="wes@example.org").exists()


def test_a_walk_in_over_capacity_is_let_in_with_the_reason_recorded(door_client):
    event = event_at_the_door(capacity=1)
    RegistrationFactory(event=event)

    response = door_client.post(
        walk_in_url(event),
        {**WALK_IN, "over_capacity_reason": OverCapacityReason.SEAT_OF_ABSENTEE},
    )
    assert response.status_code == 302
    wes = Registration.objects.get(email="wes@example.org")
    assert wes.status == RegistrationStatus.ATTENDED
    assert wes.over_capacity_reason == OverCapacityReason.SEAT_OF_ABSENTEE
    audit = AuditEvent.objects.get(object_type="training.registration", object_id=str(wes.pk))
    assert audit.detail["over_capacity_reason"] == "seat_of_absentee"
    assert (audit.detail["seats_taken_before"], audit.detail["capacity"]) == (1, 1)

    page = door_client.get(url("coordinator:check_in", pk=event.pk)).content.decode()
    assert "Over capacity:" in page and "2 people hold 1 seat." in page
    assert "Takes the seat of someone who did not come" in page


def test_the_last_seat_taken_meanwhile_asks_for_a_reason_instead_of_overselling(door_client):
    """The form was opened with a seat free; someone else took it before it was sent."""
    event = event_at_the_door(capacity=1)
    person = coordination.WalkIn(name="Wes Walkin", email="wes@example.org", agency_name="X")
    RegistrationFactory(event=event)  # the last seat, taken while the form was open

    with pytest.raises(RegistrationError) as refused:
        coordination.registration_walk_in(event_id=event.pk, person=person, by=None)
    assert refused.value.code == "full"
    assert event.registrations.count() == 1


def test_someone_already_registered_is_not_added_twice(door_client):
    event = event_at_the_door()
    RegistrationFactory(event=event, email="wes@example.org", name="Wes Walkin")
    response = door_client.post(walk_in_url(event), WALK_IN)
    assert response.status_code == 400
    assert "already registered with this email address" in response.content.decode()
    assert event.registrations.count() == 1


# --- Undo --------------------------------------------------------------------------------


def test_undoing_a_check_in_restores_the_seat_and_takes_back_the_credit(door_client, clock):
    event = event_at_the_door(ce_category="technical")
    dana = RegistrationFactory(event=event, name="Dana Dispatcher", email="dana@example.org")
    door_client.post(check_in_url(dana))
    clock.move_to(EVENT_END + MINUTE)  # the event is over: the hours count
    assert history_for("dana@example.org").cycle_hours == 2
    clock.move_to(DOOR_TIME + MINUTE)

    page = door_client.get(url("coordinator:check_in", pk=event.pk)).content.decode()
    assert 'class="actions-destructive"' in page and "btn-outline-danger" in page
    response = door_client.post(undo_url(dana), {"q": "dana"})
    assert response["Location"].endswith(f"?q=dana#registration-{dana.pk}")

    dana.refresh_from_db()
    assert dana.status == RegistrationStatus.CONFIRMED and dana.checked_in_at is None
    assert history_for("dana@example.org").cycle_hours == 0
    audit = AuditEvent.objects.filter(object_id=str(dana.pk)).latest("pk")
    assert audit.action == AuditAction.UPDATE and audit.detail["change"] == "check-in undone"
    assert "Check-in undone: Dana Dispatcher is registered but not checked in." in (
        door_client.get(response["Location"]).content.decode()
    )

    again = door_client.post(undo_url(dana), follow=True)
    assert "is not checked in, so there is nothing to undo" in again.content.decode()


def test_undoing_a_walk_in_from_the_roster_gives_the_seat_to_the_waitlist(door_client):
    event = event_at_the_door(capacity=1)
    door_client.post(walk_in_url(event), WALK_IN)
    wes = Registration.objects.get(email="wes@example.org")
    waiting = RegistrationFactory(
        event=event, status=RegistrationStatus.WAITLISTED, waitlist_position=1
    )
    roster = door_client.get(url("coordinator:roster", pk=event.pk)).content.decode()
    assert undo_url(wes) in roster

    response = door_client.post(undo_url(wes), {"back": "roster"})
    assert response["Location"] == url("coordinator:roster", pk=event.pk) + (
        f"#registration-{wes.pk}"
    )
    wes.refresh_from_db()
    assert wes.status == RegistrationStatus.CANCELLED and wes.checked_in_at is None
    waiting.refresh_from_db()  # the seat goes to the waitlist, as on any cancellation
    assert waiting.status == RegistrationStatus.CONFIRMED


# --- The check-in window -------------------------------------------------------------------


def test_check_in_opens_an_hour_before_the_start_and_closes_at_the_end(clock):
    event = event_at_the_door()
    dana = RegistrationFactory(event=event)

    def check_in():
        return coordination.registration_check_in(registration_id=dana.pk, by=None)

    clock.move_to(EVENT_START - dt.timedelta(minutes=60) - MINUTE)
    with pytest.raises(RegistrationError) as early:
        check_in()
    assert early.value.code == "check_in_not_open"
    assert "Check-in opens on Wednesday, March 10 at 8:00 AM" in early.value.message

    clock.move_to(EVENT_START - dt.timedelta(minutes=60))
    assert check_in().status == RegistrationStatus.ATTENDED

    late = RegistrationFactory(event=event)
    clock.move_to(EVENT_END + MINUTE)
    with pytest.raises(RegistrationError) as closed:
        coordination.registration_check_in(registration_id=late.pk, by=None)
    assert closed.value.code == "check_in_closed"
    late.refresh_from_db()
    assert late.status == RegistrationStatus.CONFIRMED


def test_the_window_follows_the_setting_and_covers_walk_ins(clock, settings):
    settings.TRAINING_CHECK_IN_OPENS_MINUTES = 15
    event = event_at_the_door()
    person = coordination.WalkIn(name="Wes Walkin", email="wes@example.org", agency_name="X")
    with pytest.raises(RegistrationError, match="Check-in opens on .* at 8:45 AM"):
        coordination.registration_walk_in(event_id=event.pk, person=person, by=None)
    clock.move_to(EVENT_START - dt.timedelta(minutes=15))
    coordination.registration_walk_in(event_id=event.pk, person=person, by=None)
    assert event.registrations.get().status == RegistrationStatus.ATTENDED


def test_the_page_says_when_check_in_opens_or_that_it_closed(door_client):
    day = dt.timedelta(days=1)
    tomorrow = EventFactory(starts_at=EVENT_START + day, ends_at=EVENT_END + day)
    early = RegistrationFactory(event=tomorrow)
    yesterday = EventFactory(starts_at=EVENT_START - day, ends_at=EVENT_END - day)
    RegistrationFactory(event=yesterday)

    page = door_client.get(url("coordinator:check_in", pk=tomorrow.pk)).content.decode()
    assert "Check-in opens on Thursday, March 11 at 8:00 AM" in page
    assert check_in_url(early) not in page and "Add a walk-in" not in page
    door_client.post(check_in_url(early))  # a post made anyway is refused by the service
    early.refresh_from_db()
    assert early.status == RegistrationStatus.CONFIRMED
    refused = door_client.post(walk_in_url(tomorrow), WALK_IN)
    assert refused.status_code == 400 and not Registration.objects.filter(walk_in=True).exists()

    page = door_client.get(url("coordinator:check_in", pk=yesterday.pk)).content.decode()
    assert "Check-in closed when the event ended, on Tuesday, March 9 at 11:00 AM" in page
    assert "Add a walk-in" not in page


# --- Certificates only after the event -----------------------------------------------------


def test_a_certificate_is_refused_before_the_end_and_given_after(client, clock):
    event = event_at_the_door()
    dana = RegistrationFactory(
        event=event, email="dana@example.org", status=RegistrationStatus.ATTENDED
    )
    with pytest.raises(NotEndedYet):
        certificate_for(dana)

    token = history_token("dana@example.org")
    history = client.get(url("history:records", token=token)).content.decode()
    download = url("history:certificate", token=token, registration_id=dana.pk)
    assert download not in history
    assert "The certificate will be here once the event has ended" in history
    refused = client.get(download)
    assert refused.status_code == 409
    assert "Your certificate is not ready yet" in refused.content.decode()

    clock.move_to(EVENT_END)
    assert certificate_for(dana).code.startswith("MARC-")
    assert download in client.get(url("history:records", token=token)).content.decode()


# --- Confirmations ---------------------------------------------------------------------------


def test_messaging_everyone_asks_once_more_and_keeps_what_was_typed(
    door_client, mailoutbox, django_capture_on_commit_callbacks
):
    event = event_at_the_door()
    RegistrationFactory(event=event)
    RegistrationFactory(event=event)
    target = url("coordinator:event_message", pk=event.pk)
    form = {"message_id": str(uuid.uuid4()), "subject": "Parking", "body": "Use lot C."}

    asked = door_client.post(target, form)
    html = asked.content.decode()
    assert asked.status_code == 200 and "Email 2 registrants?" in html
    assert "Send to 2 registrants" in html and "Use lot C." in html
    assert 'name="confirmed" value="yes"' in html and mailoutbox == []

    back = door_client.post(target, {**form, "confirmed": "no"})  # "Go back, change nothing"
    assert back.status_code == 200 and mailoutbox == []
    html = back.content.decode()
    assert 'value="Parking"' in html and "Use lot C." in html and form["message_id"] in html
    assert "Email 2 registrants?" not in html  # the form again, not the question

    with django_capture_on_commit_callbacks(execute=True):
        sent = door_client.post(target, {**form, "confirmed": "yes"})
    assert sent.status_code == 302 and len(mailoutbox) == 2
    assert 'value="Parking"' not in door_client.get(target).content.decode()


def test_cancelling_an_event_asks_once_more_saying_how_many_are_emailed(
    door_client, mailoutbox, django_capture_on_commit_callbacks
):
    event = event_at_the_door()
    RegistrationFactory(event=event)
    target = url("coordinator:event_cancel", pk=event.pk)

    asked = door_client.post(target, {"note": "Snow day."})
    html = asked.content.decode()
    assert "Cancel this event?" in html and "Cancel the event and email 1 registrant" in html
    assert "Snow day." in html
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED and mailoutbox == []
    back = door_client.post(target, {"note": "Snow day.", "confirmed": "no"})
    assert (
        "Snow day." in back.content.decode() and "Cancel this event?" not in back.content.decode()
    )
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED and mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        door_client.post(target, {"note": "Snow day.", "confirmed": "yes"})
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and len(mailoutbox) == 1
