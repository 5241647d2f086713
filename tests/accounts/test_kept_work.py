"""A form sent after the session ended is kept, and back on its page after signing in again
(accounts.keptwork); the warning before the end and its keep-alive button."""

import datetime as dt
import time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.keptwork import RESTORED_MESSAGE
from accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from accounts.models import AuditAction, AuditEvent, KeptPost
from accounts.roles import Role
from coresponder.models import Encounter
from peersupport.models import Activity, Assignment
from peersupport.services import assignment_respond, request_assign
from tests.conftest import _sign_in, signed_in_client
from tests.coresponder.factories import clinician_for, encounter, row
from tests.peersupport.factories import member_for, submitted_request
from tests.training.factories import EventFactory
from training.models import Event

pytestmark = pytest.mark.django_db

MINUTE = 60
NEW_ENCOUNTER = reverse("coresponder:entry:encounter_new")
NEW_EVENT = reverse("training:coordinator:event_create")
KEEP_ALIVE = reverse("accounts:session_keepalive")
KEPT_NOTE = "What you typed is kept"


def expire(client) -> None:
    """Leave the client's session idle for 31 minutes: the next request ends it."""
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 2 * 60 * MINUTE
    session[LAST_SEEN] = time.time() - 31 * MINUTE
    session.save()


def sign_in_again(client, user):
    """What the sign-in page does after password and code: a fresh, verified session."""
    return _sign_in(client, user)


def encounter_data(**overrides) -> dict:
    values = row(
        **{"date": timezone.localdate().isoformat(), "encounter_id": "LATE-1", **overrides}
    )
    values["concerns"] = ["mental-health", "substance-use"]
    return values


@pytest.fixture
def clinician(make_staff):
    return clinician_for(make_staff(), agencies=("blue-springs",)).user


def sign_in_page(client, response) -> str:
    return client.get(response["Location"]).content.decode()


# --- Keeping and giving back ------------------------------------------------------------


def test_a_late_encounter_is_kept_and_back_after_signing_in_without_being_saved(clinician):
    client = signed_in_client(clinician)
    expire(client)
    response = client.post(NEW_ENCOUNTER, encounter_data(cad_incident="CAD-77"))
    assert response.status_code == 302
    assert response["Location"] == f"/account/login/?next={NEW_ENCOUNTER}"
    page = sign_in_page(client, response)
    assert "signed out after 30 minutes without activity" in page
    assert KEPT_NOTE in page and "Files you attached" not in page
    assert not Encounter.objects.exists()

    sign_in_again(client, clinician)
    back = client.get(NEW_ENCOUNTER)
    assert back.status_code == 200
    form = back.context["form"]
    assert form.is_bound
    assert form["encounter_id"].value() == "LATE-1"
    assert form["cad_incident"].value() == "CAD-77"
    assert form["concerns"].value() == ["mental-health", "substance-use"]
    assert RESTORED_MESSAGE in back.content.decode()
    assert not Encounter.objects.exists()  # shown, never sent by itself
    assert not KeptPost.objects.exists()

    again = client.get(NEW_ENCOUNTER)  # given back once
    assert not again.context["form"].is_bound
    assert RESTORED_MESSAGE not in again.content.decode()

    saved = client.post(NEW_ENCOUNTER, encounter_data(cad_incident="CAD-77"))
    assert saved.status_code == 302
    assert Encounter.objects.get().cad_incident == "CAD-77"


def test_keeping_and_giving_back_are_audited_without_the_content(clinician):
    client = signed_in_client(clinician)
    expire(client)
    client.post(NEW_ENCOUNTER, encounter_data(cad_incident="CAD-SECRET"))
    sign_in_again(client, clinician)
    client.get(NEW_ENCOUNTER)
    kept = AuditEvent.objects.get(action=AuditAction.WORK_KEPT)
    given = AuditEvent.objects.get(action=AuditAction.WORK_RESTORED)
    for event in (kept, given):
        assert event.actor_id == clinician.pk
        assert event.path == NEW_ENCOUNTER
        assert event.object_type == "accounts.keptpost"
        assert "CAD-SECRET" not in str(event.detail) and "LATE-1" not in str(event.detail)


def test_a_form_without_a_valid_csrf_token_is_not_kept(clinician):
    client = _sign_in(Client(enforce_csrf_checks=True), clinician)
    client.get(NEW_ENCOUNTER)  # sets the CSRF cookie
    expire(client)
    response = client.post(NEW_ENCOUNTER, {**encounter_data(), "csrfmiddlewaretoken": "forged"})
    assert response.status_code in (302, 403)
    assert not KeptPost.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.WORK_KEPT).exists()


def test_a_form_with_a_valid_csrf_token_is_kept(clinician):
    client = _sign_in(Client(enforce_csrf_checks=True), clinician)
    client.get(NEW_ENCOUNTER)
    token = client.cookies["csrftoken"].value
    expire(client)
    response = client.post(NEW_ENCOUNTER, {**encounter_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    kept = KeptPost.objects.get()
    assert (kept.user, kept.path) == (clinician, NEW_ENCOUNTER)
    assert "csrfmiddlewaretoken" not in kept.data


def test_kept_work_expires(clinician, settings):
    client = signed_in_client(clinician)
    expire(client)
    client.post(NEW_ENCOUNTER, encounter_data())
    assert KeptPost.objects.count() == 1
    sign_in_again(client, clinician)
    later = timezone.now() + dt.timedelta(seconds=settings.KEPT_WORK_SECONDS + MINUTE)
    with time_machine.travel(later):
        sign_in_again(client, clinician)
        back = client.get(NEW_ENCOUNTER)
    assert not back.context["form"].is_bound
    assert not KeptPost.objects.exists()  # deleted when read


def test_another_person_never_sees_it(clinician, make_staff):
    client = signed_in_client(clinician)
    expire(client)
    client.post(NEW_ENCOUNTER, encounter_data())
    colleague = clinician_for(make_staff(), agencies=("blue-springs",)).user
    page = signed_in_client(colleague).get(NEW_ENCOUNTER)
    assert not page.context["form"].is_bound
    assert "LATE-1" not in page.content.decode()
    assert KeptPost.objects.get().user == clinician  # still waiting for its author


def test_it_comes_back_only_on_the_page_it_was_sent_to(clinician):
    record = encounter(encounter_id="E-9", provider="rediscover", agency="blue-springs")
    client = signed_in_client(clinician)
    expire(client)
    client.post(NEW_ENCOUNTER, encounter_data())
    sign_in_again(client, clinician)
    edit = client.get(reverse("coresponder:entry:encounter", kwargs={"pk": record.pk}))
    assert not edit.context["form"].is_bound
    assert KeptPost.objects.filter(path=NEW_ENCOUNTER).exists()


def test_a_second_late_post_replaces_the_first(clinician):
    client = signed_in_client(clinician)
    for cad in ("FIRST", "SECOND"):
        sign_in_again(client, clinician)
        expire(client)
        client.post(NEW_ENCOUNTER, encounter_data(cad_incident=cad))
    assert KeptPost.objects.get().data["cad_incident"] == ["SECOND"]


def test_files_and_passwords_are_not_kept(make_staff):
    coordinator = make_staff(roles=[Role.TRAINING_COORDINATOR])
    client = signed_in_client(coordinator)
    expire(client)
    response = client.post(
        NEW_EVENT,
        {
            "title": "Radio drill",
            "password": "hunter2",
            "new_password1": "hunter3",
            "handout": SimpleUploadedFile("handout.pdf", b"%PDF-1.4 drill"),
        },
    )
    page = sign_in_page(client, response)
    assert KEPT_NOTE in page
    assert "Files you attached are not kept: attach them again." in page
    kept = KeptPost.objects.get()
    assert kept.data == {"title": ["Radio drill"]}


def test_pages_that_do_not_keep_work_say_only_to_sign_in_again(make_staff):
    user = make_staff()
    client = signed_in_client(user)
    expire(client)
    response = client.post(reverse("accounts:password_change"), {"old_password": "x"})
    page = sign_in_page(client, response)
    assert "Please sign in again." in page and KEPT_NOTE not in page
    assert not KeptPost.objects.exists()


# --- The three forms ----------------------------------------------------------------------


def test_an_encounter_edit_comes_back(clinician):
    record = encounter(encounter_id="E-5", provider="rediscover", agency="blue-springs")
    page = reverse("coresponder:entry:encounter", kwargs={"pk": record.pk})
    client = signed_in_client(clinician)
    expire(client)
    client.post(page, encounter_data(encounter_id="E-5", minutes="95"))
    sign_in_again(client, clinician)
    back = client.get(page)
    assert back.context["form"]["minutes"].value() == "95"
    record.refresh_from_db()
    assert record.minutes == 45  # unchanged until sent


def test_a_peer_support_activity_comes_back_on_the_request_page(make_staff, peer_coordinator):
    member = member_for(make_staff(roles=[Role.PEER_TEAM_MEMBER]))
    support_request, _ = submitted_request()
    request_assign(support_request=support_request, members=[member], by=peer_coordinator)
    assignment = Assignment.objects.get(request=support_request, member=member)
    assignment_respond(assignment=assignment, accept=True, by=member.user)
    activity = reverse("peersupport:member:activity", kwargs={"pk": support_request.pk})
    client = signed_in_client(member.user)
    expire(client)
    data = {
        "date": f"{timezone.localdate():%Y-%m-%d}",
        "service_type": "debriefing",
        "people_reached": "9",
        "hours": "1.5",
    }
    response = client.post(activity, data)
    assert response["Location"] == f"/account/login/?next={activity}"
    sign_in_again(client, member.user)
    back = client.get(activity)  # where the sign-in page sends them
    assert back.status_code == 200
    form = back.context["activity_form"]
    assert form.is_bound and form["people_reached"].value() == "9"
    assert support_request.reference in back.content.decode()
    assert RESTORED_MESSAGE in back.content.decode()
    assert not Activity.objects.exists()


def test_a_training_event_comes_back_new_and_edited(make_staff):
    coordinator = make_staff(roles=[Role.TRAINING_COORDINATOR])
    event = EventFactory(title="Old title")
    edit = reverse("training:coordinator:event_edit", kwargs={"pk": event.pk})
    client = signed_in_client(coordinator)
    for page, title in ((NEW_EVENT, "Hazmat refresher"), (edit, "New title")):
        sign_in_again(client, coordinator)
        expire(client)
        client.post(page, {"title": title, "capacity": "25"})
    sign_in_again(client, coordinator)
    for page, title in ((NEW_EVENT, "Hazmat refresher"), (edit, "New title")):
        form = client.get(page).context["form"]
        assert form["title"].value() == title and form["capacity"].value() == "25"
    event.refresh_from_db()
    assert event.title == "Old title"
    assert not Event.objects.filter(title="Hazmat refresher").exists()


# --- The warning and "Stay signed in" ----------------------------------------------------


def test_signed_in_pages_carry_the_warning_and_public_visitors_do_not(clinician, client):
    html = signed_in_client(clinician).get(NEW_ENCOUNTER).content.decode()
    assert 'id="session-timeout"' in html and 'data-warn-before="300"' in html
    assert "data-keeps-work" in html
    assert "js/session-timeout" in html
    landing = signed_in_client(clinician).get("/staff/").content.decode()
    assert 'id="session-timeout"' in landing and "data-keeps-work" not in landing
    assert 'id="session-timeout"' not in client.get("/").content.decode()


def test_stay_signed_in_counts_as_activity(clinician):
    client = signed_in_client(clinician)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 60 * MINUTE
    session[LAST_SEEN] = time.time() - 26 * MINUTE
    session.save()
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 200
    assert 29 * MINUTE < response.json()["ends_in"] <= 30 * MINUTE
    assert time.time() - client.session[LAST_SEEN] < MINUTE
    assert client.get(KEEP_ALIVE).status_code == 405


def test_stay_signed_in_cannot_revive_an_ended_session(clinician):
    client = signed_in_client(clinician)
    expire(client)
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert not KeptPost.objects.exists()
