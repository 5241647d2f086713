import csv
import datetime as dt
import io
import uuid
import zoneinfo
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from tests.training.conftest import DOOR_TIME, event_at_the_door
from tests.training.factories import (
    CommitteeFactory,
    EventFactory,
    RegistrationFactory,
    in_days,
    registration_data,
)
from training.exports import HEADERS, neutralize
from training.models import (
    Event,
    EventDocument,
    EventSeries,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from training.services import registration_create, series_materialize

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def chicago(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)


def url(name: str, **kwargs) -> str:
    return reverse(f"training:{name}", kwargs=kwargs)


def waitlisted(event: Event, position: int, **fields) -> Registration:
    return RegistrationFactory(
        event=event,
        status=RegistrationStatus.WAITLISTED,
        waitlist_position=position,
        **fields,
    )


def event_form_data(**overrides) -> dict:
    data = {
        "title": "Active assailant tabletop",
        "slug": "",
        "kind": "exercise",
        "audiences": ["dispatch", "law"],
        "program_area": "",
        "host": "",
        "ce_category": "technical",
        "starts_at": "2030-03-20T09:00",
        "ends_at": "2030-03-20T12:30",
        "venue_name": "MARC conference room",
        "address": "600 Broadway, Kansas City, MO",
        "virtual_url": "",
        "capacity": "30",
        "agency_seat_cap": "",
        "registration_required": "on",
        "registration_opens_at": "",
        "registration_closes_at": "2030-03-18T17:00",
        "status": "scheduled",
        "published": "on",
        "description": "Bring your own headset.",
    }
    data.update(overrides)
    return data


def optional_local(value: dt.datetime | None) -> str:
    return "" if value is None else f"{timezone.localtime(value):%Y-%m-%dT%H:%M}"


def form_data_of(event: Event, **overrides) -> dict:
    local = timezone.localtime
    data = event_form_data(
        title=event.title,
        slug=event.slug,
        kind=event.kind,
        audiences=list(event.audiences),
        host=event.host_id or "",
        ce_category=event.ce_category,
        starts_at=f"{local(event.starts_at):%Y-%m-%dT%H:%M}",
        ends_at=f"{local(event.ends_at):%Y-%m-%dT%H:%M}",
        venue_name=event.venue_name,
        address=event.address,
        capacity="" if event.capacity is None else str(event.capacity),
        registration_opens_at=optional_local(event.registration_opens_at),
        registration_closes_at=optional_local(event.registration_closes_at),
        agency_seat_cap="" if event.agency_seat_cap is None else str(event.agency_seat_cap),
        status=event.status,
        description=event.description,
    )
    data.update(overrides)
    return data


# --- Permissions -----------------------------------------------------------------------


@pytest.fixture
def world():
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    waiting = waitlisted(event, 1)
    document = EventDocument.objects.create(
        event=event, title="Agenda", file=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4")
    )
    return SimpleNamespace(event=event, confirmed=confirmed, waiting=waiting, document=document)


PAGES = [
    ("coordinator:events", lambda w: {}),
    ("coordinator:event_create", lambda w: {}),
    ("coordinator:event_edit", lambda w: {"pk": w.event.pk}),
    ("coordinator:event_copy", lambda w: {"pk": w.event.pk}),
    ("coordinator:event_documents", lambda w: {"pk": w.event.pk}),
    ("coordinator:roster", lambda w: {"pk": w.event.pk}),
    ("coordinator:check_in", lambda w: {"pk": w.event.pk}),
    ("coordinator:event_message", lambda w: {"pk": w.event.pk}),
    ("coordinator:event_cancel", lambda w: {"pk": w.event.pk}),
    ("coordinator:roster_csv", lambda w: {"pk": w.event.pk}),
    ("coordinator:roster_xlsx", lambda w: {"pk": w.event.pk}),
]
ACTIONS = [
    (
        "coordinator:event_document_delete",
        lambda w: {"pk": w.event.pk, "document_pk": w.document.pk},
    ),
    (
        "coordinator:registration_check_in",
        lambda w: {"pk": w.event.pk, "registration_pk": w.confirmed.pk},
    ),
    (
        "coordinator:registration_check_in_undo",
        lambda w: {"pk": w.event.pk, "registration_pk": w.confirmed.pk},
    ),
    ("coordinator:walk_in", lambda w: {"pk": w.event.pk}),
    (
        "coordinator:registration_attendance",
        lambda w: {"pk": w.event.pk, "registration_pk": w.confirmed.pk},
    ),
    (
        "coordinator:waitlist_reorder",
        lambda w: {"pk": w.event.pk, "registration_pk": w.waiting.pk},
    ),
]


@pytest.mark.parametrize("name,kwargs", PAGES, ids=[name for name, _ in PAGES])
def test_coordinator_pages_open_for_coordinators_only(
    name, kwargs, world, make_staff, staff_client, client
):
    target = url(name, **kwargs(world))

    anonymous = client.get(target)
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]

    staff_client(make_staff(roles=[Role.SITE_EDITOR]))
    assert client.get(target).status_code == 403

    staff_client(make_staff(roles=[Role.TRAINING_COORDINATOR]))
    response = client.get(target)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name,kwargs", ACTIONS, ids=[name for name, _ in ACTIONS])
def test_coordinator_actions_refuse_outsiders_and_change_nothing(
    name, kwargs, world, make_staff, staff_client, client
):
    target = url(name, **kwargs(world))
    form = {
        "status": "attended",
        "position": "1",
        "reason": "Outsider attempt",
        **{"name": "Oz Outsider", "agency": "Nowhere", "email": "oz@example.org"},
    }

    anonymous = client.post(target, form)
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]

    staff_client(make_staff(roles=[Role.SITE_EDITOR]))
    assert client.post(target, form).status_code == 403
    world.confirmed.refresh_from_db()
    assert world.confirmed.status == RegistrationStatus.CONFIRMED
    assert EventDocument.objects.filter(pk=world.document.pk).exists()
    assert not world.event.registrations.filter(email="oz@example.org").exists()

    # The coordinator passes the permission check; these URLs take POST only.
    staff_client(make_staff(roles=[Role.TRAINING_COORDINATOR]))
    assert client.get(target).status_code == 405


def test_registration_of_another_event_is_not_found(training_coordinator_client, world):
    other = RegistrationFactory()
    target = url("coordinator:registration_check_in", pk=world.event.pk, registration_pk=other.pk)
    assert training_coordinator_client.post(target).status_code == 404
    other.refresh_from_db()
    assert other.status == RegistrationStatus.CONFIRMED


def test_staff_landing_lists_the_training_calendar_for_coordinators_only(
    make_staff, staff_client, client
):
    from training.views.coordinator import register_staff_area

    register_staff_area()
    staff_client(make_staff(roles=[Role.TRAINING_COORDINATOR]))
    assert b'href="/staff/training/"' in client.get(reverse("accounts:landing")).content
    staff_client(make_staff(roles=[Role.SITE_EDITOR]))
    assert b'href="/staff/training/"' not in client.get(reverse("accounts:landing")).content


def test_coordinator_role_holds_training_permissions(training_coordinator):
    assert training_coordinator.has_perm("training.change_event")
    assert training_coordinator.has_perm("training.add_eventseries")
    assert training_coordinator.has_perm("training.delete_eventdocument")
    assert training_coordinator.has_perm("training.view_registration")
    assert not training_coordinator.has_perm("training.change_registration")


# --- Event list, create, edit, copy, documents -----------------------------------------


def test_event_list_shows_seats_capacity_and_waitlist_without_a_query_per_event(
    training_coordinator_client, django_assert_max_num_queries
):
    full = EventFactory(title="Full class", capacity=2)
    RegistrationFactory.create_batch(2, event=full)
    waitlisted(full, 1)
    waitlisted(full, 2)
    RegistrationFactory(event=full, status=RegistrationStatus.CANCELLED)
    EventFactory.create_batch(5)
    EventFactory(title="Last month's meeting", starts_at=in_days(-30), ends_at=in_days(-30, 11))

    with django_assert_max_num_queries(12):
        response = training_coordinator_client.get(url("coordinator:events"))
    html = response.content.decode()
    row = html[html.index("Full class") :].split("</tr>")[0]
    assert [cell.split("</td>")[0] for cell in row.split('class="text-end">')[1:]] == [
        "2",
        "2",
        "2",
    ]
    assert "Last month&#x27;s meeting" in html.split("Recent (last")[1]


def test_coordinator_creates_an_event_in_central_time(training_coordinator_client):
    host = CommitteeFactory()
    response = training_coordinator_client.post(
        url("coordinator:event_create"), event_form_data(host=host.pk)
    )
    event = Event.objects.get(title="Active assailant tabletop")
    assert response.status_code == 302
    assert response["Location"] == url("coordinator:roster", pk=event.pk)
    assert event.starts_at == chicago(2030, 3, 20, 9, 0)  # CDT: 14:00 UTC
    assert event.starts_at.astimezone(dt.UTC).hour == 14
    assert event.registration_closes_at == chicago(2030, 3, 18, 17, 0)
    assert event.audiences == ["dispatch", "law"]
    assert event.slug == "active-assailant-tabletop"
    assert event.host == host and event.capacity == 30 and event.sequence == 0


def test_invalid_event_form_explains_and_keeps_what_was_typed(training_coordinator_client):
    response = training_coordinator_client.post(
        url("coordinator:event_create"),
        event_form_data(
            title="Keep this title",
            ends_at="2030-03-20T08:00",
            registration_opens_at="2030-03-19T09:00",
            registration_closes_at="2030-03-18T09:00",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The end must be after the start." in html
    assert "Registration must close after it opens." in html
    assert 'value="Keep this title"' in html
    assert 'value="2030-03-20T08:00"' in html
    assert not Event.objects.filter(title="Keep this title").exists()


def test_edit_form_shows_times_in_central_time(training_coordinator_client):
    event = EventFactory(starts_at=chicago(2030, 7, 9, 9, 0), ends_at=chicago(2030, 7, 9, 11))
    html = training_coordinator_client.get(
        url("coordinator:event_edit", pk=event.pk)
    ).content.decode()
    assert 'value="2030-07-09 09:00"' in html and 'inputmode="text"' in html


def test_editing_an_event_raises_its_calendar_sequence(training_coordinator_client):
    event = EventFactory(title="Old title")
    response = training_coordinator_client.post(
        url("coordinator:event_edit", pk=event.pk), form_data_of(event, title="New title")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "New title" and event.sequence == 1

    training_coordinator_client.post(
        url("coordinator:event_edit", pk=event.pk), form_data_of(event, venue_name="Room B")
    )
    event.refresh_from_db()
    assert event.venue_name == "Room B" and event.sequence == 2

    # Saving without a change is not a change for calendar subscribers.
    training_coordinator_client.post(
        url("coordinator:event_edit", pk=event.pk), form_data_of(event)
    )
    event.refresh_from_db()
    assert event.sequence == 2


def test_edit_form_does_not_cancel_without_notifying(training_coordinator_client):
    event = EventFactory()
    RegistrationFactory(event=event)
    response = training_coordinator_client.post(
        url("coordinator:event_edit", pk=event.pk), form_data_of(event, status="cancelled")
    )
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED and event.sequence == 0


def test_raising_capacity_promotes_the_waitlist_in_order(
    training_coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    first, second, third = (
        registration_create(event_id=event.pk, data=registration_data(email=f"p{n}@example.org"))
        for n in range(3)
    )
    assert [second.status, third.status] == ["waitlisted", "waitlisted"]
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = training_coordinator_client.post(
            url("coordinator:event_edit", pk=event.pk), form_data_of(event, capacity="2")
        )
    assert response.status_code == 302
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED and second.waitlist_position is None
    assert third.status == RegistrationStatus.WAITLISTED
    assert [m.to for m in mailoutbox] == [["p1@example.org"]]
    assert "A seat opened up" in mailoutbox[0].subject
    event.refresh_from_db()
    assert event.capacity == 2 and event.sequence == 1


def test_copying_an_event_keeps_the_details_on_a_new_date_without_registrations(
    training_coordinator_client,
):
    original = EventFactory(
        title="CTO refresher",
        audiences=["dispatch", "ems"],
        starts_at=chicago(2030, 1, 15, 9),
        ends_at=chicago(2030, 1, 15, 12),
        registration_closes_at=chicago(2030, 1, 13, 17),
        capacity=12,
        agency_seat_cap=3,
    )
    RegistrationFactory(event=original)
    EventDocument.objects.create(
        event=original, title="Agenda", file=SimpleUploadedFile("agenda.pdf", b"%PDF")
    )
    training_coordinator_client.post(
        url("coordinator:event_edit", pk=original.pk), form_data_of(original, venue_name="Hall")
    )
    original.refresh_from_db()

    response = training_coordinator_client.post(
        url("coordinator:event_copy", pk=original.pk),
        {"title": "CTO refresher, summer", "starts_at": "2030-07-16T13:00"},
    )
    copy = Event.objects.exclude(pk=original.pk).get()
    assert response["Location"] == url("coordinator:event_edit", pk=copy.pk)
    assert copy.starts_at == chicago(2030, 7, 16, 13) and copy.ends_at == chicago(2030, 7, 16, 16)
    assert copy.registration_closes_at == chicago(2030, 7, 14, 21)  # 40 hours before, as before
    assert (copy.title, copy.audiences, copy.capacity, copy.agency_seat_cap) == (
        "CTO refresher, summer",
        ["dispatch", "ems"],
        12,
        3,
    )
    assert copy.venue_name == "Hall" and copy.host_id == original.host_id
    assert copy.uid != original.uid and copy.sequence == 0
    assert not copy.registrations.exists() and not copy.documents.exists()
    assert original.registrations.count() == 1


def test_coordinator_uploads_an_agenda_and_refuses_other_files(training_coordinator_client):
    event = EventFactory()
    target = url("coordinator:event_documents", pk=event.pk)
    response = training_coordinator_client.post(
        target,
        {
            "title": "Agenda",
            "kind": "agenda",
            "file": SimpleUploadedFile("agenda.pdf", b"%PDF-1.4", "application/pdf"),
        },
    )
    assert response.status_code == 302
    document = event.documents.get()
    assert document.kind == "agenda" and document.file.read() == b"%PDF-1.4"
    assert "Agenda" in training_coordinator_client.get(target).content.decode()

    for name, content in (
        ("tool.exe", b"MZ"),
        ("minutes.html", b"<script>alert(1)</script>"),
        ("minutes.pdf", b"<html><script>fetch('/staff/')</script></html>"),  # renamed page
        ("map.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
    ):
        refused = training_coordinator_client.post(
            target,
            {"title": "Tool", "kind": "minutes", "file": SimpleUploadedFile(name, content)},
        )
        assert refused.status_code == 400, name
        assert "is not a PDF, an office document" in refused.content.decode(), name
    assert event.documents.count() == 1

    training_coordinator_client.post(
        url("coordinator:event_document_delete", pk=event.pk, document_pk=document.pk)
    )
    assert not event.documents.exists()


# --- Roster, waitlist, check-in, attendance --------------------------------------------


def test_roster_groups_registrants_and_shows_the_waitlist_in_order(training_coordinator_client):
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event, name="Casey Confirmed")
    RegistrationFactory(event=event, name="Avery Attended", status=RegistrationStatus.ATTENDED)
    RegistrationFactory(event=event, name="Noel Noshow", status=RegistrationStatus.NO_SHOW)
    waitlisted(event, 2, name="Wren Second")
    waitlisted(event, 1, name="Willa First")
    RegistrationFactory(event=event, name="Cody Cancelled", status=RegistrationStatus.CANCELLED)

    html = training_coordinator_client.get(url("coordinator:roster", pk=event.pk)).content.decode()
    sections = {
        name: html.split(f'id="{name}-heading"')[1].split("</section>")[0]
        for name in ("confirmed", "attended", "no-show", "waitlist", "cancelled")
    }
    assert "Casey Confirmed" in sections["confirmed"]
    assert "Avery Attended" in sections["attended"]
    assert "Noel Noshow" in sections["no-show"]
    assert "Cody Cancelled" in sections["cancelled"]
    waitlist = sections["waitlist"]
    assert waitlist.index("Willa First") < waitlist.index("Wren Second")


def test_moving_someone_on_the_waitlist_records_the_reason(
    training_coordinator_client, training_coordinator
):
    event = EventFactory(capacity=0)
    first, second, third = (waitlisted(event, n) for n in (1, 2, 3))

    response = training_coordinator_client.post(
        url("coordinator:waitlist_reorder", pk=event.pk, registration_pk=third.pk),
        {"position": "1", "reason": "Instructor candidate, needs this class"},
    )
    assert response.status_code == 302
    order = list(
        event.registrations.filter(status="waitlisted")
        .order_by("waitlist_position")
        .values_list("pk", flat=True)
    )
    assert order == [third.pk, first.pk, second.pk]
    audit = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(third.pk))
    assert audit.actor_id == training_coordinator.pk
    assert audit.object_type == "training.registration"
    assert audit.detail["reason"] == "Instructor candidate, needs this class"
    assert (audit.detail["from"], audit.detail["to"]) == (3, 1)


@pytest.mark.parametrize("reason", ["", "   "])
def test_waitlist_cannot_be_reordered_without_a_reason(training_coordinator_client, reason):
    event = EventFactory(capacity=0)
    first, second = waitlisted(event, 1), waitlisted(event, 2)

    response = training_coordinator_client.post(
        url("coordinator:waitlist_reorder", pk=event.pk, registration_pk=second.pk),
        {"position": "1", "reason": reason},
    )
    assert response.status_code == 400
    assert "Give a reason for moving this person on the waitlist." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.waitlist_position, second.waitlist_position) == (1, 2)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_check_in_on_a_phone_marks_attended_with_the_time(door_client):
    event = event_at_the_door()
    dana = RegistrationFactory(event=event, name="Dana Dispatcher")
    RegistrationFactory(event=event, name="Eli Medic")

    page = door_client.get(url("coordinator:check_in", pk=event.pk), {"q": "dana"})
    html = page.content.decode()
    action = url("coordinator:registration_check_in", pk=event.pk, registration_pk=dana.pk)
    assert f'action="{action}"' in html and "btn-lg" in html
    assert "Eli Medic" not in html

    response = door_client.post(action, {"q": "dana"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?q=dana#registration-{dana.pk}")
    dana.refresh_from_db()
    assert dana.status == RegistrationStatus.ATTENDED
    assert dana.checked_in_at == DOOR_TIME

    door_client.post(action)
    dana.refresh_from_db()
    assert dana.checked_in_at == DOOR_TIME
    assert "Checked in at" in door_client.get(page.request["PATH_INFO"]).content.decode()


def test_waitlisted_people_cannot_be_checked_in_to_a_seat(training_coordinator_client):
    event = EventFactory(capacity=0)
    waiting = waitlisted(event, 1)
    training_coordinator_client.post(
        url("coordinator:registration_check_in", pk=event.pk, registration_pk=waiting.pk)
    )
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED and waiting.checked_in_at is None


def test_coordinator_marks_attendance_no_show_minutes_and_instructor(training_coordinator_client):
    event = EventFactory()  # two hours
    present, absent = RegistrationFactory(event=event), RegistrationFactory(event=event)

    def mark(registration, **data):
        return training_coordinator_client.post(
            url(
                "coordinator:registration_attendance",
                pk=event.pk,
                registration_pk=registration.pk,
            ),
            data,
        )

    assert (
        mark(present, status="attended", minutes_attended="90", is_instructor="on").status_code
        == 302
    )
    present.refresh_from_db()
    assert present.status == RegistrationStatus.ATTENDED
    assert present.minutes_attended == 90 and present.is_instructor

    training_coordinator_client.post(
        url("coordinator:registration_check_in", pk=event.pk, registration_pk=absent.pk)
    )
    mark(absent, status="no_show")
    absent.refresh_from_db()
    assert absent.status == RegistrationStatus.NO_SHOW and absent.checked_in_at is None

    too_long = mark(present, status="attended", minutes_attended="500")
    assert too_long.status_code == 400
    assert "The event lasts 120 minutes" in too_long.content.decode()
    present.refresh_from_db()
    assert present.minutes_attended == 90


# --- Messages and cancellation ---------------------------------------------------------


def test_message_reaches_each_confirmed_and_waitlisted_registrant_once(
    training_coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=2)
    RegistrationFactory(event=event, email="one@example.org")
    RegistrationFactory(event=event, email="two@example.org")
    waitlisted(event, 1, email="wait@example.org")
    RegistrationFactory(event=event, email="gone@example.org", status="cancelled")
    target = url("coordinator:event_message", pk=event.pk)
    message_id = str(uuid.uuid4())
    form = {
        "message_id": message_id,
        "subject": "Parking change",
        "body": "Use lot C.",
        "confirmed": "yes",  # the confirmation step is tested in test_door.py
    }

    assert 'name="message_id"' in training_coordinator_client.get(target).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = training_coordinator_client.post(target, form)
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == [
        "one@example.org",
        "two@example.org",
        "wait@example.org",
    ]
    assert all(m.subject == "Parking change" and "Use lot C." in m.body for m in mailoutbox)

    # The same form submitted again (a double click, a reload) sends nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = training_coordinator_client.post(target, form, follow=True)
    assert len(mailoutbox) == 3
    assert "3 had it already and were not emailed again." in again.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        training_coordinator_client.post(target, {**form, "message_id": str(uuid.uuid4())})
    assert len(mailoutbox) == 6


def test_message_needs_a_subject_and_a_body(training_coordinator_client, mailoutbox):
    event = EventFactory()
    RegistrationFactory(event=event)
    response = training_coordinator_client.post(
        url("coordinator:event_message", pk=event.pk),
        {"message_id": str(uuid.uuid4()), "subject": "", "body": ""},
    )
    assert response.status_code == 400 and mailoutbox == []


def test_cancelling_an_event_notifies_every_registrant_once_and_keeps_registrations(
    training_coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    seat = RegistrationFactory(event=event, email="seat@example.org")
    waiting = waitlisted(event, 1, email="wait@example.org")
    RegistrationFactory(event=event, email="left@example.org", status="cancelled")
    target = url("coordinator:event_cancel", pk=event.pk)

    asked = training_coordinator_client.post(target, {"note": "Weather"})
    assert asked.status_code == 200 and "Cancel this event?" in asked.content.decode()
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = training_coordinator_client.post(
            target, {"note": "We will reschedule.", "confirmed": "yes"}
        )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and event.sequence == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["seat@example.org", "wait@example.org"]
    assert all("is cancelled" in m.body and "We will reschedule." in m.body for m in mailoutbox)
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert seat.status == RegistrationStatus.CONFIRMED
    assert waiting.status == RegistrationStatus.WAITLISTED

    with django_capture_on_commit_callbacks(execute=True):
        training_coordinator_client.post(target, {"confirmed": "yes"})
    event.refresh_from_db()
    assert len(mailoutbox) == 2 and event.sequence == 1


# --- Exports ---------------------------------------------------------------------------


@pytest.fixture
def roster_event():
    event = EventFactory(
        slug="cto-class",
        starts_at=chicago(2030, 5, 7, 9),
        ends_at=chicago(2030, 5, 7, 11),
        capacity=2,
    )
    RegistrationFactory(
        event=event,
        name="Avery Attended",
        email="avery@example.org",
        agency_name="Olathe Fire",
        role="Captain",
        state="KS",
        status=RegistrationStatus.ATTENDED,
        checked_in_at=chicago(2030, 5, 7, 8, 52),
        is_instructor=True,
        accessibility_needs="Wheelchair access",
    )
    RegistrationFactory(
        event=event,
        name="Noel Noshow",
        email="noel@example.org",
        status=RegistrationStatus.NO_SHOW,
        state="MO",
    )
    waitlisted(
        event,
        1,
        name='=HYPERLINK("http://evil.example","click")',
        role="+1",
        agency_name="-2",
        accessibility_needs="@SUM(A1)",
    )
    return event


def test_roster_exports_as_csv_and_is_audited(
    training_coordinator_client, training_coordinator, roster_event
):
    response = training_coordinator_client.get(url("coordinator:roster_csv", pk=roster_event.pk))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="roster-cto-class-2030-05-07.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1] == [
        "Avery Attended",
        "avery@example.org",
        "Olathe Fire",
        "Captain",
        "KS",
        "Attended",
        "",
        "2030-05-07 08:52",
        "120",
        "yes",
        "Wheelchair access",
    ]
    assert rows[2][0] == "Noel Noshow" and rows[2][5] == "No-show" and rows[2][8] == ""
    assert rows[3][5:7] == ["Waitlisted", "1"]
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert audit.actor_id == training_coordinator.pk and audit.object_id == str(roster_event.pk)
    assert audit.detail["format"] == "csv" and audit.detail["rows"] == 3


def test_roster_exports_as_xlsx_and_is_audited(training_coordinator_client, roster_event):
    response = training_coordinator_client.get(url("coordinator:roster_xlsx", pk=roster_event.pk))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1][:6] == [
        "Avery Attended",
        "avery@example.org",
        "Olathe Fire",
        "Captain",
        "KS",
        "Attended",
    ]
    assert rows[1][7] == dt.datetime(2030, 5, 7, 8, 52)
    assert rows[1][8] == 120 and rows[1][9] == "yes"
    assert rows[3][5:7] == ["Waitlisted", 1]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__format="xlsx").exists()


def test_exports_neutralize_spreadsheet_formulas(training_coordinator_client, roster_event):
    csv_rows = list(
        csv.reader(
            io.StringIO(
                training_coordinator_client.get(
                    url("coordinator:roster_csv", pk=roster_event.pk)
                ).content.decode("utf-8-sig")
            )
        )
    )
    xlsx = load_workbook(
        io.BytesIO(
            training_coordinator_client.get(
                url("coordinator:roster_xlsx", pk=roster_event.pk)
            ).content
        )
    ).active
    for row in (csv_rows[3], [cell.value for cell in xlsx[4]]):
        assert row[0] == '\'=HYPERLINK("http://evil.example","click")'
        assert row[2] == "'-2" and row[3] == "'+1" and row[10] == "'@SUM(A1)"
    assert all(cell.data_type != "f" for row in xlsx.iter_rows() for cell in row)


def test_neutralize_leaves_numbers_and_plain_text_alone():
    assert neutralize(-5) == -5
    assert neutralize("Overland Park") == "Overland Park"
    assert neutralize("\t=1") == "'\t=1"


# --- Series ----------------------------------------------------------------------------


@pytest.fixture
def second_tuesday_series():
    template = EventFactory(
        title="911 Managers Committee",
        kind="meeting",
        starts_at=chicago(2027, 1, 12, 9),
        ends_at=chicago(2027, 1, 12, 10, 30),
    )
    return EventSeries.objects.create(
        title="911 Managers Committee",
        rule="FREQ=MONTHLY;BYDAY=+2TU",
        first_start=chicago(2027, 1, 12, 9),
        duration_minutes=90,
        template=template,
    )


def test_second_tuesday_series_keeps_nine_oclock_across_daylight_saving(second_tuesday_series):
    created = series_materialize(series=second_tuesday_series, until=chicago(2027, 12, 31, 23))
    local = [timezone.localtime(event.starts_at) for event in created]
    assert [(d.month, d.day) for d in local] == [
        (1, 12), (2, 9), (3, 9), (4, 13), (5, 11), (6, 8),
        (7, 13), (8, 10), (9, 14), (10, 12), (11, 9), (12, 14),
    ]  # fmt: skip
    assert {(d.hour, d.minute) for d in local} == {(9, 0)}
    # Daylight saving starts March 14 and ends November 7, 2027.
    utc_hours = [event.starts_at.astimezone(dt.UTC).hour for event in created]
    assert utc_hours == [15, 15, 15, 14, 14, 14, 14, 14, 14, 14, 15, 15]
    assert all(event.duration_minutes == 90 for event in created)


def test_moving_or_cancelling_one_series_date_leaves_the_others_alone(
    second_tuesday_series,
    training_coordinator_client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    until = chicago(2027, 12, 31, 23)
    events = series_materialize(series=second_tuesday_series, until=until)
    april, may = events[3], events[4]
    RegistrationFactory(event=may, email="member@example.org")
    others_before = {
        e.pk: (e.starts_at, e.status, e.sequence) for e in events if e not in (april, may)
    }

    training_coordinator_client.post(
        url("coordinator:event_edit", pk=april.pk),
        form_data_of(april, starts_at="2027-04-20T13:00", ends_at="2027-04-20T14:30"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        training_coordinator_client.post(
            url("coordinator:event_cancel", pk=may.pk), {"confirmed": "yes"}
        )
    assert series_materialize(series=second_tuesday_series, until=until) == []

    april.refresh_from_db()
    may.refresh_from_db()
    assert april.starts_at == chicago(2027, 4, 20, 13) and april.sequence == 1
    assert may.status == EventStatus.CANCELLED and len(mailoutbox) == 1
    others_after = {
        e.pk: (e.starts_at, e.status, e.sequence)
        for e in Event.objects.filter(pk__in=others_before)
    }
    assert others_after == others_before
    assert second_tuesday_series.events.count() == 12


# --- Admin -----------------------------------------------------------------------------


@pytest.fixture
def series_clock(request):
    """The clock frozen (ticking) at the parametrized day, before the admin signs in."""
    with time_machine.travel(request.param.replace(tzinfo=CHICAGO)):
        yield request.param


@pytest.mark.parametrize(
    ("series_clock", "expected"),
    [
        # 12 May 2026 to 12 May 2027 inclusive: 13 monthly dates.
        (dt.datetime(2026, 5, 12, 10, 0), 13),
        # A monthly rule started on the 30th skips February (RFC 5545: no 30 February), so
        # 30 November 2026 to 30 November 2027 has 12 dates, not 13.
        (dt.datetime(2026, 11, 30, 10, 0), 12),
        # Started on the 31st: only the months with a 31st day (seven in 2027, and January 2028).
        (dt.datetime(2027, 1, 31, 10, 0), 8),
    ],
    indirect=["series_clock"],
)
def test_admin_series_action_creates_the_next_twelve_months(
    series_clock, superuser_client, expected
):
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    template = EventFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    series = EventSeries.objects.create(
        title="Board", rule="FREQ=MONTHLY", first_start=start, template=template
    )
    response = superuser_client.post(
        "/admin/training/eventseries/",
        {"action": "create_dates", "_selected_action": [series.pk]},
        follow=True,
    )
    assert series.events.count() == expected
    assert f"{expected} new dates created" in response.content.decode()
    superuser_client.post(
        "/admin/training/eventseries/",
        {"action": "create_dates", "_selected_action": [series.pk]},
    )
    assert series.events.count() == expected  # nothing created twice


def test_admin_pages_open_and_registrations_are_read_only(superuser_client, world):
    for path in (
        "/admin/training/committee/",
        "/admin/training/eventseries/",
        "/admin/training/event/",
        f"/admin/training/event/{world.event.pk}/change/",
        "/admin/training/eventdocument/",
        "/admin/training/registration/",
        f"/admin/training/registration/{world.confirmed.pk}/change/",
        "/admin/training/certificate/",
    ):
        assert superuser_client.get(path).status_code == 200, path
    assert superuser_client.get("/admin/training/registration/add/").status_code == 403
    html = superuser_client.get("/admin/training/event/", {"q": world.event.title}).content.decode()
    assert world.event.title in html


class _FormValues(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._select = self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values.append(
                (name, attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else ""))
            )
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def test_admin_event_edit_raises_the_sequence_and_promotes(
    superuser_client, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = waitlisted(event, 1, email="next@example.org")
    change_url = f"/admin/training/event/{event.pk}/change/"
    parser = _FormValues()
    parser.feed(superuser_client.get(change_url).content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    data.pop("q", None)  # the site header's search box
    data["capacity"] = ["2"]

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event.refresh_from_db()
    waiting.refresh_from_db()
    assert event.capacity == 2 and event.sequence == 1
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert [m.to for m in mailoutbox] == [["next@example.org"]]
