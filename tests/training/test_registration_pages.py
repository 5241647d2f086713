"""Registration without an account (/calendar/events/<pk>/register/) and cancelling by link."""

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.models import Organization, OrganizationKind
from tests.training.factories import EventFactory, RegistrationFactory, in_days
from training.links import CANCEL_SALT, cancel_token, cancel_url, registration_from_token
from training.models import Registration, RegistrationStatus

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Dana O'Dispatcher",
    "email": "Dana@Example.org",
    "agency": "Blue Springs Police Department",
    "role": "Call-taker",
    "state": "MO",
    "accessibility_needs": "Step-free access, please",
}


def register_url(event) -> str:
    return reverse("training:register", kwargs={"pk": event.pk})


def post(client, event, **changes):
    data = {**FORM, **changes}
    return client.post(register_url(event), {k: v for k, v in data.items() if v is not None})


def html_of(response) -> str:
    return response.content.decode()


def error_summary_links(html: str) -> list[str]:
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary at the top of the form"
    return re.findall(r'href="#([^"]+)"', summary.group(0))


def assert_keeps_what_was_typed(html: str, **skip) -> None:
    for name in ("name", "agency", "role"):
        if name not in skip:
            value = FORM[name].replace("'", "&#x27;")
            assert f'value="{value}"' in html, f"the {name} typed is lost"
    assert "Step-free access, please</textarea>" in html
    assert re.search(r'value="MO"[^>]*checked|checked[^>]*value="MO"', html), "state lost"


# --- The form -------------------------------------------------------------------------


def test_the_form_labels_every_field_and_asks_the_state_in_a_fieldset(client):
    html = html_of(client.get(register_url(EventFactory())))
    for field, label in [
        ("name", "Your name"),
        ("email", "Email address"),
        ("agency", "Agency or organization"),
        ("role", "Role or job title"),
        ("accessibility_needs", "Accessibility needs (optional)"),
    ]:
        assert re.search(rf'<label\s+for="id_{field}"[^>]*>\s*{re.escape(label)}', html), field
    fieldset = re.search(r"<fieldset.*?</fieldset>", html, re.S).group(0)
    assert re.search(r"<legend[^>]*>\s*State where you work", fieldset)
    assert re.findall(r'name="state" value="(\w+)"', fieldset) == ["MO", "KS"]
    assert "csrfmiddlewaretoken" in html


def test_the_accessibility_field_says_it_is_shared_only_with_the_coordinator(client):
    html = html_of(client.get(register_url(EventFactory())))
    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    assert 'aria-describedby="id_accessibility_needs_helptext"' in textarea
    assert re.search(
        r'id="id_accessibility_needs_helptext"[^>]*>[^<]*shared only with the training coordinator',
        html,
    )


def test_the_honeypot_is_hidden_from_people(client):
    html = html_of(client.get(register_url(EventFactory())))
    assert re.search(r'<div class="hp-field">\s*<div id="div_id_website"', html)
    assert 'tabindex="-1"' in html


def test_a_full_event_says_before_submitting_that_registering_joins_the_waitlist(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    html = html_of(client.get(register_url(event)))
    assert "This event is full; registering puts you on the waitlist" in html
    assert "Join the waitlist</button>" in html


def test_an_event_with_free_seats_does_not_mention_the_waitlist(client):
    html = html_of(client.get(register_url(EventFactory(capacity=2))))
    assert "waitlist" not in html.lower()


def test_an_unpublished_event_is_not_found(client):
    assert client.get(register_url(EventFactory(published=False))).status_code == 404
    assert post(client, EventFactory(published=False)).status_code == 404
    assert not Registration.objects.exists()


# --- Success --------------------------------------------------------------------------


def test_registering_confirms_a_seat_and_emails_the_confirmation(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.email == "dana@example.org"
    assert registration.accessibility_needs == "Step-free access, please"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = html_of(page)
    assert "You are registered" in html
    assert "dana@example.org" in html
    assert "no-store" in page["Cache-Control"]

    [email] = mail.outbox
    assert email.to == ["dana@example.org"]
    assert email.subject == f"You are registered: {event.title}"


def test_registering_for_a_full_event_says_the_place_on_the_waitlist(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status="waitlisted", waitlist_position=1)
    response = post(client, event)
    assert response.status_code == 302
    html = html_of(client.get(response["Location"]))
    assert "You are on the waitlist" in html
    assert "you are number 2 on the waitlist" in html


def test_the_agency_typed_in_any_case_is_matched_to_the_directory(client):
    org, _ = Organization.objects.get_or_create(
        name="Blue Springs Police Department", kind=OrganizationKind.POLICE
    )
    post(client, EventFactory(), agency="  blue springs POLICE department ")
    registration = Registration.objects.get()
    assert registration.agency == org
    assert registration.agency_name == "Blue Springs Police Department"


def test_an_agency_not_in_the_directory_is_kept_as_typed(client):
    post(client, EventFactory(), agency="Volunteer Search Team 7")
    registration = Registration.objects.get()
    assert registration.agency is None
    assert registration.agency_name == "Volunteer Search Team 7"


def test_the_success_page_link_is_signed(client):
    response = client.get(reverse("training:registered", kwargs={"token": "1:forged"}))
    assert response.status_code == 404
    assert "This link does not work" in html_of(response)


# --- Invalid input: 400, the message next to the field, everything kept -----------------


def test_an_invalid_email_is_explained_next_to_the_field_and_keeps_what_was_typed(client):
    response = post(client, EventFactory(), email="dana.example.org")
    assert response.status_code == 400
    html = html_of(response)
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email_input
    assert 'aria-describedby="id_email_helptext id_email_error"' in email_input
    assert re.search(
        r'id="id_email_error".*?Enter an email address in the form name@example.org', html, re.S
    )
    assert error_summary_links(html) == ["id_email"]
    assert 'value="dana.example.org"' in html
    assert_keeps_what_was_typed(html)
    assert html.count("<title>Error: ") == 1
    assert not Registration.objects.exists()


def test_a_missing_state_links_the_summary_to_the_first_radio_button(client):
    response = post(client, EventFactory(), state=None, name="")
    assert response.status_code == 400
    html = html_of(response)
    assert error_summary_links(html) == ["id_name", "id_state_0"]
    assert 'id="id_state_0"' in html
    assert re.search(r'<fieldset[^>]*aria-describedby="id_state_error"', html)
    assert "Choose the state where you work: Missouri or Kansas." in html


def test_a_filled_honeypot_is_refused_and_keeps_what_was_typed(client):
    response = post(client, EventFactory(), website="http://spam.example")
    assert response.status_code == 400
    html = html_of(response)
    assert "filled in by an automated tool" in html
    assert_keeps_what_was_typed(html)
    assert not Registration.objects.exists()


def test_the_form_refuses_a_post_without_the_csrf_token():
    event = EventFactory()
    response = Client(enforce_csrf_checks=True).post(register_url(event), FORM)
    assert response.status_code == 403
    assert not Registration.objects.exists()


# --- Refusals: 409, a reason, everything kept -------------------------------------------


def test_a_second_registration_with_the_same_email_is_refused_at_the_email_field(client):
    event = EventFactory()
    RegistrationFactory(event=event, email="dana@example.org")
    response = post(client, event)
    assert response.status_code == 409
    html = html_of(response)
    assert re.search(r'id="id_email_error".*?already registered for this event', html, re.S)
    assert error_summary_links(html) == ["id_email"]
    assert_keeps_what_was_typed(html)
    assert Registration.objects.count() == 1


def test_a_full_agency_is_refused_at_the_agency_field(client):
    event = EventFactory(capacity=10, agency_seat_cap=1)
    RegistrationFactory(event=event, agency_name=FORM["agency"])
    response = post(client, event)
    assert response.status_code == 409
    assert error_summary_links(html_of(response)) == ["id_agency"]
    assert re.search(r'id="id_agency_error".*?seats one agency may take', html_of(response), re.S)


CLOSED = [
    ({"registration_closes_at": in_days(-1)}, "Registration for this event has closed."),
    ({"registration_opens_at": in_days(3)}, "Registration opens on"),
    ({"starts_at": in_days(-2), "ends_at": in_days(-2, hour=11)}, "already started or taken"),
    ({"status": "cancelled"}, "This event was cancelled"),
    ({"status": "postponed"}, "This event is postponed"),
    ({"registration_required": False}, "does not take registrations on the portal"),
]


@pytest.mark.parametrize("fields,reason", CLOSED)
def test_a_closed_event_shows_why_instead_of_the_form(client, fields, reason):
    response = client.get(register_url(EventFactory(**fields)))
    assert response.status_code == 200
    html = html_of(response)
    assert reason in html
    assert "Registration is not available" in html
    assert 'name="email"' not in html


@pytest.mark.parametrize("fields,reason", CLOSED)
def test_registering_for_a_closed_event_is_refused_with_the_reason_and_keeps_the_form(
    client, fields, reason
):
    response = post(client, EventFactory(**fields))
    assert response.status_code == 409
    html = html_of(response)
    summary = re.search(r'id="error-summary".*?</div>', html, re.S).group(0)
    assert reason in summary
    assert_keeps_what_was_typed(html)
    assert not Registration.objects.exists()


def test_too_many_forms_from_one_address_are_refused_and_keep_what_was_typed(client, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    event = EventFactory(capacity=10)
    for n in range(2):
        response = post(client, event, email=f"p{n}@example.org")
        assert response.status_code == 302
    third = post(client, event, email="p2@example.org")
    assert third.status_code == 429
    html = html_of(third)
    assert "Too many forms were sent from your network" in html
    assert 'value="p2@example.org"' in html
    assert_keeps_what_was_typed(html)
    assert Registration.objects.count() == 2

    elsewhere = Client().post(
        register_url(event), {**FORM, "email": "p3@example.org"}, REMOTE_ADDR="198.51.100.23"
    )
    assert elsewhere.status_code == 302
    assert Registration.objects.count() == 3


# --- Cancelling by link ---------------------------------------------------------------


def test_the_cancel_link_is_absolute_signed_and_does_not_show_the_email(settings):
    settings.SITE_URL = "https://safety.example.org"
    registration = RegistrationFactory(email="private.person@example.org")
    url = cancel_url(registration)
    assert url.startswith("https://safety.example.org/calendar/cancel/")
    assert "private.person" not in url and "example.org/calendar/cancel/" in url
    assert registration_from_token(cancel_token(registration)) == registration


def test_a_forged_or_altered_cancel_token_names_no_registration():
    registration = RegistrationFactory()
    other = RegistrationFactory()
    token = cancel_token(registration)
    payload = signing.Signer(salt=CANCEL_SALT).unsign_object(token)
    forged = signing.Signer(key="not the secret", salt=CANCEL_SALT)
    assert registration_from_token(forged.sign_object({**payload, "r": other.pk})) is None
    unsigned = signing.dumps({**payload, "r": other.pk}, key="not the secret", salt=CANCEL_SALT)
    assert registration_from_token(unsigned) is None
    assert registration_from_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    assert registration_from_token("nonsense") is None
    wrong_salt = signing.dumps(payload, salt="training.registered")
    assert registration_from_token(wrong_salt) is None


def test_a_cancel_link_stops_working_when_the_email_is_corrected():
    registration = RegistrationFactory(email="typo@example.org")
    token = cancel_token(registration)
    registration.email = "right@example.org"
    registration.save(update_fields=["email"])
    assert registration_from_token(token) is None


def test_opening_the_cancel_link_shows_the_registration_and_does_not_cancel(client):
    registration = RegistrationFactory(name="Dana Dispatcher")
    response = client.get(cancel_url(registration))
    assert response.status_code == 200
    html = html_of(response)
    assert "Cancel your registration?" in html
    assert "Dana Dispatcher" in html and registration.event.title in html
    assert "Yes, cancel my registration</button>" in html
    assert "no-store" in response["Cache-Control"]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_confirming_cancels_and_gives_the_seat_to_the_first_on_the_waitlist(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    registration = RegistrationFactory(event=event, email="seat@example.org")
    waiting = RegistrationFactory(
        event=event, status="waitlisted", waitlist_position=1, email="next@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(registration))
    assert response.status_code == 200
    assert "Your registration is cancelled" in html_of(response)
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    subjects = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)
    assert subjects == [
        ("next@example.org", "A seat opened up, you are in"),
        ("seat@example.org", "Your registration is cancelled"),
    ]


def test_a_waitlisted_person_is_asked_to_leave_the_waitlist(client):
    registration = RegistrationFactory(status="waitlisted", waitlist_position=3)
    html = html_of(client.get(cancel_url(registration)))
    assert "Leave the waitlist?" in html
    assert "Number 3 on the waitlist" in html


def test_a_used_cancel_link_says_the_registration_is_already_cancelled(client):
    registration = RegistrationFactory()
    url = cancel_url(registration)
    client.post(url)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 200
        assert "This registration is already cancelled" in html_of(response)
        assert "<button" not in html_of(response).split('id="main"')[1]


def test_a_bad_cancel_link_gets_a_clear_page(client):
    response = client.get(reverse("training:cancel", kwargs={"token": "abc:def"}))
    assert response.status_code == 404
    assert "This link does not work" in html_of(response)


def test_a_cancel_link_for_a_deleted_registration_gets_a_clear_page(client):
    registration = RegistrationFactory()
    url = cancel_url(registration)
    registration.delete()
    response = client.post(url)
    assert response.status_code == 404
    assert "This link does not work" in html_of(response)


@pytest.mark.parametrize(
    "fields,status",
    [
        ({"starts_at": in_days(-1), "ends_at": in_days(-1, hour=11)}, "confirmed"),
        ({"starts_at": in_days(-1), "ends_at": in_days(-1, hour=11)}, "attended"),
    ],
)
def test_a_cancel_link_no_longer_cancels_once_the_event_has_started(client, fields, status):
    registration = RegistrationFactory(event=EventFactory(**fields), status=status)
    url = cancel_url(registration)
    assert "can no longer be cancelled online" in html_of(client.get(url))
    response = client.post(url)
    assert response.status_code == 409
    registration.refresh_from_db()
    assert registration.status == status
