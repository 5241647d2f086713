"""The public side of 911 peer support: /peer-support/, the request form, the status link."""

import datetime as dt
import html as htmllib
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Context

from accounts.models import AuditAction, AuditEvent
from peersupport.forms.public import year_before
from peersupport.models import IncidentKind, RequestStatus, RequestType, SupportRequest
from peersupport.views.public import STATUS_WORDS
from tests.peersupport.factories import OrganizationFactory, submitted_request

pytestmark = pytest.mark.django_db

START = reverse("peersupport:start")
FORM_URL = reverse("peersupport:request")
LINE = "816-701-8212"


@pytest.fixture
def agency():
    return OrganizationFactory(name="Lee's Summit 911 Communications", kind="psap")


def form_data(agency, /, **changes) -> dict:
    data = {
        "request_type": "group",
        "incident_kind": "ois",
        "incident_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "people_affected": "7",
        "urgency": "today",
        "requester_role": "Shift supervisor",
        "agency": str(agency.pk) if agency else "outside",
        "outside_agency_name": "",
        "contact_name": "Robin Quinlan-Marsh",
        "contact_method": "phone",
        "contact_phone": "816-555-0147",
        "contact_email": "robin.q@example.org",
        "best_time": "Weekdays after 3 pm",
    }
    data.update(changes)
    return data


def post(client, data, **extra):
    return client.post(FORM_URL, data, **extra)


def text_of(response) -> str:
    """The page's visible words, tags stripped and entities decoded."""
    page = re.sub(r"</?(?:a|strong|em|span)\b[^>]*>", "", response.content.decode())
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", htmllib.unescape(page))


def field_block(html: str, name: str) -> str:
    """The markup of one field: from its wrapper to the next field's wrapper."""
    start = html.index(f'id="div_id_{name}"')
    following = html.find('id="div_id_', start + 1)
    return htmllib.unescape(html[start : following if following > 0 else len(html)])


def error_summary_links(html: str) -> list[str]:
    summary = re.search(r'<div[^>]*id="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary at the top of the form"
    return re.findall(r'href="#([^"]+)"', summary.group(0))


def assert_keeps_what_was_typed(html: str, data: dict) -> None:
    html = htmllib.unescape(html)
    for name in ("requester_role", "contact_name", "contact_phone", "best_time"):
        assert f'value="{data[name]}"' in html, f"the {name} typed is lost"
    assert f'value="{data["people_affected"]}"' in html
    assert f'value="{data["incident_date"]}"' in html
    for name in ("request_type", "incident_kind", "urgency", "contact_method"):
        radio = rf'<input[^>]*name="{name}" value="{data[name]}"[^>]*>'
        assert "checked" in re.search(radio, html).group(0), f"the {name} chosen is lost"
    option = re.search(rf'<option value="{data["agency"]}"[^>]*>', html).group(0)
    assert "selected" in option, "the agency chosen is lost"


# --- Before the form ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [START, FORM_URL])
def test_the_line_and_emergency_numbers_come_first_and_the_promise_is_told(client, url):
    response = client.get(url)
    assert response.status_code == 200, "anyone may ask, without signing in"
    html, text = response.content.decode(), text_of(response)
    assert "If you or someone is in immediate danger, call 911, or call or text 988." in text
    assert 'href="tel:911"' in html and 'href="tel:988"' in html
    assert f'href="tel:{LINE}"' in html and "24 hours" in text
    assert "stays between you and that peer" in text
    for exception in (
        "you tell the peer about a crime (admission of criminal activity)",
        "you, or someone else, are in danger",
        "you ask the peer to share something",
    ):
        assert exception in text
    line = text.index(f"Call the Peer Support Line: {LINE}")
    assert line < text.index("immediate danger") < text.index("What stays confidential")
    if url == FORM_URL:
        # On a phone the form comes first; the promise follows it, linked from above it.
        assert 'href="#confidentiality"' in html
        assert text.index("What kind of support would help?") < text.index("Trust comes first")
    else:
        assert f'href="{FORM_URL}"' in html


def test_the_home_page_links_to_the_form_from_the_peer_support_line(client):
    html = client.get("/").content.decode()
    section = re.search(r'<section aria-labelledby="peer-line-heading".*?</section>', html, re.S)
    assert f'<a href="{FORM_URL}">Ask the peer support team for help</a>' in section.group(0)


def test_the_form_asks_only_what_the_issue_lists_and_never_for_a_story(client, agency):
    html = client.get(FORM_URL).content.decode()
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', html))
    names -= {"csrfmiddlewaretoken", "q"}
    assert names == set(form_data(agency)) | {"website"}
    assert "<textarea" not in html
    assert re.search(r"<legend[^>]*>\s*What kind of support would help?", html)
    for label in (
        "Group debriefing at a 911 center (CISD)",
        "One-to-one, in person",
        "One-to-one, by phone",
        "Command-level support",
    ):
        assert label in html
    incident = field_block(html, "incident_kind")
    assert re.findall(r'name="incident_kind" value="(\w+)"', incident) == [
        "death",
        "suicide",
        "ois",
        "child",
        "mass_casualty",
        "lodd",
        "other",
    ]
    assert 'pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"' in field_block(html, "incident_date")
    assert 'max="500"' in field_block(html, "people_affected")
    assert "csrfmiddlewaretoken" in html


def test_the_agency_list_groups_the_regions_active_agencies_and_offers_outside(client):
    OrganizationFactory(name="Blue Springs 911", kind="psap")
    OrganizationFactory(name="Olathe Fire Department", kind="fire")
    OrganizationFactory(name="Closed 911 center", kind="psap", active=False)
    OrganizationFactory(name="Wichita 911", kind="psap", in_region=False)
    select = field_block(client.get(FORM_URL).content.decode(), "agency")
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    shown = {label: re.findall(r">([^<]+)</option>", body) for label, body in groups}
    # The directory also holds the co-responder agencies and providers (a data migration).
    assert shown["911 center (PSAP)"] == ["Blue Springs 911"]
    assert shown["Fire department"] == ["Olathe Fire Department"]
    assert select.rindex(
        '<option value="outside">Outside the MARC region</option>'
    ) > select.rindex("</optgroup>")
    assert "Closed 911 center" not in select and "Wichita 911" not in select
    assert "If outside the MARC region, the agency's name" in field_block(
        client.get(FORM_URL).content.decode(), "outside_agency_name"
    )


# --- Sending it ---------------------------------------------------------------------------


def test_a_request_from_the_region_is_new_and_shows_the_reference_and_private_link(
    client, agency, settings
):
    response = post(client, form_data(agency))
    assert response.status_code == 302
    support_request = SupportRequest.objects.get()
    assert support_request.status == RequestStatus.NEW
    assert support_request.agency == agency and not support_request.outside_region
    assert support_request.contact_name == "Robin Quinlan-Marsh"
    assert support_request.people_affected == 7

    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert response["Location"] == reverse("peersupport:status", kwargs={"token": token})
    page = client.get(response["Location"])
    text = text_of(page)
    assert "Your request was sent" in text
    assert support_request.reference in text
    status_url = f"{settings.SITE_URL}/peer-support/status/{token}/"
    assert f'href="{status_url}">{status_url}</a>' in page.content.decode()
    assert "Save this private link" in text and "we cannot send it again" in text
    assert "You asked to hear back today or tomorrow." in text


def test_a_request_from_outside_the_region_waits_for_approval(client):
    data = form_data(None, outside_agency_name="Wichita Regional 911")
    response = post(client, data, follow=True)
    support_request = SupportRequest.objects.get()
    assert support_request.status == RequestStatus.AWAITING_APPROVAL
    assert support_request.outside_region and support_request.agency is None
    assert support_request.outside_agency_name == "Wichita Regional 911"
    text = text_of(response)
    assert support_request.reference in text
    assert "Because your agency is outside the MARC region, a coordinator must approve" in text


def test_an_in_region_agency_ignores_a_stray_outside_name(client, agency):
    post(client, form_data(agency, outside_agency_name="Somewhere else"))
    support_request = SupportRequest.objects.get()
    assert support_request.agency == agency and support_request.outside_agency_name == ""


def test_an_incident_exactly_a_year_ago_or_today_is_accepted(client, agency):
    today = timezone.localdate()
    for day in (year_before(today), today):
        assert post(client, form_data(agency, incident_date=day.isoformat())).status_code == 302
    assert SupportRequest.objects.count() == 2


def test_only_the_chosen_methods_contact_value_is_required(client, agency):
    by_email = form_data(agency, contact_method="email", contact_phone="")
    assert post(client, by_email).status_code == 302
    by_text = form_data(agency, contact_method="text", contact_email="")
    assert post(client, by_text).status_code == 302


# --- The status page ----------------------------------------------------------------------


def test_the_status_page_shows_the_status_and_next_step_but_no_details(client, agency):
    response = post(client, form_data(agency, incident_kind="child"), follow=True)
    support_request = SupportRequest.objects.get()
    for page in (response, client.get(response.redirect_chain[-1][0])):
        text = text_of(page)
        assert support_request.reference in text
        assert "Received" in text and "You asked to hear back today or tomorrow." in text
        for detail in (
            "Robin Quinlan-Marsh",
            "816-555-0147",
            "robin.q@example.org",
            "Weekdays after 3 pm",
            "Lee's Summit 911 Communications",
            "Shift supervisor",
            IncidentKind.CHILD.label,
            RequestType.GROUP_DEBRIEFING.label,
        ):
            assert detail not in text, f"the status page shows {detail!r}"


def test_the_private_link_is_offered_once_then_the_page_shows_the_status_only(client, agency):
    first = post(client, form_data(agency), follow=True)
    assert "Save this private link" in text_of(first)
    again = client.get(first.redirect_chain[-1][0])
    assert again.status_code == 200
    assert "Save this private link" not in text_of(again)
    assert "Your peer support request" in text_of(again)


@pytest.mark.parametrize("status", [status.value for status in RequestStatus])
def test_every_status_is_told_in_plain_words_with_the_next_step(client, status):
    support_request, token = submitted_request()
    support_request.status = status
    support_request.save(update_fields=["status"])
    text = text_of(client.get(reverse("peersupport:status", kwargs={"token": token})))
    words, next_step = STATUS_WORDS[status]
    assert words in text and next_step in text


def test_an_unknown_link_answers_404_with_the_peer_support_line(client, caplog):
    token = "not-a-real-token-" + "x" * 30
    with caplog.at_level(logging.DEBUG):
        response = client.get(reverse("peersupport:status", kwargs={"token": token}))
    assert response.status_code == 404
    text = text_of(response)
    assert "We could not find this request" in text
    assert f'href="tel:{LINE}"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token not in caplog.text, "a mistyped link is logged"


# --- Refused input ------------------------------------------------------------------------

TODAY = timezone.localdate()

BAD_INPUT = [
    (
        {"incident_date": (TODAY + dt.timedelta(days=1)).isoformat()},
        "incident_date",
        "The date of the incident cannot be in the future.",
    ),
    (
        {"incident_date": (TODAY - dt.timedelta(days=400)).isoformat()},
        "incident_date",
        "This form is for incidents in the past year.",
    ),
    (
        {"requester_role": "R" * 101},
        "requester_role",
        "Your role can be at most 100 characters (you typed 101).",
    ),
    (
        {"contact_name": "N" * 121},
        "contact_name",
        "Your name can be at most 120 characters (you typed 121).",
    ),
    (
        {"best_time": "T" * 101},
        "best_time",
        "The best time can be at most 100 characters (you typed 101).",
    ),
    (
        {"contact_method": "phone", "contact_phone": ""},
        "contact_phone",
        "Enter the phone number to call, since you chose a call.",
    ),
    (
        {"contact_method": "text", "contact_phone": ""},
        "contact_phone",
        "Enter the mobile number to text, since you chose text.",
    ),
    (
        {"contact_method": "email", "contact_email": ""},
        "contact_email",
        "Enter your email address, since you chose email.",
    ),
    (
        {"contact_phone": "call the front desk"},
        "contact_phone",
        "Enter a phone number with its area code, such as 816-555-0100.",
    ),
    (
        {"people_affected": "0"},
        "people_affected",
        "Enter how many people were affected: a number from 1 to 500.",
    ),
    (
        {"people_affected": "501"},
        "people_affected",
        "Enter how many people were affected: a number from 1 to 500.",
    ),
    (
        {"agency": "outside", "outside_agency_name": ""},
        "outside_agency_name",
        "Enter the name of your agency, since it is outside the MARC region.",
    ),
]


@pytest.mark.parametrize(
    "changes,field,message", BAD_INPUT, ids=[f"{c[1]}-{i}" for i, c in enumerate(BAD_INPUT)]
)
def test_bad_input_is_refused_at_its_field_and_keeps_what_was_typed(
    client, agency, changes, field, message
):
    data = form_data(agency, **changes)
    response = post(client, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in field_block(html, field), f"no message at {field}"
    assert error_summary_links(html) == [f"id_{field}"]
    assert "<title>Error: " in html
    assert_keeps_what_was_typed(html, data)
    assert not SupportRequest.objects.exists()


def test_a_filled_honeypot_is_refused_with_a_message_and_nothing_is_saved(client, agency):
    data = form_data(agency, website="http://spam.example")
    response = post(client, data)
    assert response.status_code == 400
    assert "filled in by an automated tool" in text_of(response)
    assert_keeps_what_was_typed(response.content.decode(), data)
    assert not SupportRequest.objects.exists()


def test_too_many_requests_from_one_address_are_refused_and_keep_what_was_typed(
    client, agency, settings
):
    settings.PUBLIC_FORM_RATE = "2/h"
    for _ in range(2):
        assert post(client, form_data(agency)).status_code == 302
    data = form_data(agency, contact_name="Third Person")
    third = post(client, data)
    assert third.status_code == 429
    assert "Too many forms were sent from your network" in text_of(third)
    assert_keeps_what_was_typed(third.content.decode(), data)
    assert SupportRequest.objects.count() == 2

    elsewhere = Client().post(FORM_URL, data, REMOTE_ADDR="198.51.100.23")
    assert elsewhere.status_code == 302
    assert SupportRequest.objects.count() == 3


def test_a_post_without_the_csrf_token_is_refused(agency):
    response = Client(enforce_csrf_checks=True).post(FORM_URL, form_data(agency))
    assert response.status_code == 403
    assert not SupportRequest.objects.exists()


# --- Privacy: caching, indexing, logs -----------------------------------------------------


def test_the_form_and_status_pages_are_never_stored_or_served_from_the_page_cache(client, agency):
    for _ in range(2):
        form = client.get(FORM_URL)
        assert "no-store" in form["Cache-Control"]
        assert "X-Page-Cache" not in form
    refused = post(client, form_data(agency, people_affected="0"))
    assert "no-store" in refused["Cache-Control"]
    sent = post(client, form_data(agency))
    assert "no-store" in sent["Cache-Control"]
    for _ in range(2):
        status = client.get(sent["Location"])
        assert "no-store" in status["Cache-Control"]
        assert "X-Page-Cache" not in status
        assert "noindex" in status["X-Robots-Tag"]
        assert status["Referrer-Policy"] == "no-referrer"


def test_the_status_token_is_in_no_audit_entry_and_no_log(client, agency, caplog):
    with caplog.at_level(logging.DEBUG):
        sent = post(client, form_data(agency))
        client.get(sent["Location"])
    token = sent["Location"].rstrip("/").rsplit("/", 1)[1]
    support_request = SupportRequest.objects.get()
    events = list(AuditEvent.objects.filter(object_id=str(support_request.pk)))
    assert {event.action for event in events} == {AuditAction.CREATE, AuditAction.VIEW}
    for event in AuditEvent.objects.all():
        assert token not in f"{event.path} {event.object_id} {event.detail}"
    for context in Context.objects.all():
        assert token not in str(context.metadata)
    assert token not in caplog.text
    assert token not in str(dict(client.session))
