"""Help on a phone: the call button, what happens next for the urgency chosen, the copy
button for the private link, and links that work when SITE_URL is unset in development."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from core.urls import DEVELOPMENT_SITE_URL
from peersupport.models import RequestStatus, Urgency
from peersupport.views.public import URGENCY_NEXT_STEP
from tests.peersupport.factories import OrganizationFactory, submitted_request
from tests.peersupport.test_public import FORM_URL, LINE, START, form_data, post, text_of

pytestmark = pytest.mark.django_db

CALL_BUTTON = re.compile(
    rf'<a class="[^"]*\bbtn\b[^"]*\bcall-line-button\b[^"]*" href="tel:{LINE}">'
    rf"Call the Peer Support Line: {LINE}</a>"
)


@pytest.fixture
def agency():
    return OrganizationFactory(name="Lee's Summit 911 Communications", kind="psap")


def status_page(client, token: str):
    return client.get(reverse("peersupport:status", kwargs={"token": token}))


def test_the_call_button_tops_the_start_page_the_form_and_the_status_page(client):
    _, token = submitted_request()
    for response in (client.get(START), client.get(FORM_URL), status_page(client, token)):
        html = response.content.decode()
        main = html[html.index("<h1") :]
        button = CALL_BUTTON.search(main)
        assert button, "no call button"
        # Right under the heading: nothing but the heading comes before it in the page.
        assert "<h2" not in main[: button.start()] and "<form" not in main[: button.start()]


def test_the_forms_first_field_comes_before_the_introduction(client):
    html = client.get(FORM_URL).content.decode()
    assert html.index('name="request_type"') < html.index("Who can ask")
    assert html.index('name="request_type"') < html.index("What stays confidential")


@pytest.mark.parametrize(
    ("urgency", "words"),
    [
        (Urgency.NOW, "You asked to hear back within hours."),
        (Urgency.TODAY, "You asked to hear back today or tomorrow."),
        (Urgency.THIS_WEEK, "You asked for support this week."),
    ],
)
def test_the_status_page_says_what_happens_next_for_the_urgency_chosen(client, urgency, words):
    _, token = submitted_request(urgency=urgency)
    response = status_page(client, token)
    html, text = response.content.decode(), text_of(response)
    assert words in text and URGENCY_NEXT_STEP[urgency] in text
    for other in set(URGENCY_NEXT_STEP) - {urgency}:
        assert URGENCY_NEXT_STEP[other] not in text
    assert 'href="tel:911"' in html and 'href="tel:988"' in html
    assert CALL_BUTTON.search(html)


def test_once_a_peer_is_assigned_the_urgency_words_give_way_to_the_status(client):
    support_request, token = submitted_request(urgency=Urgency.NOW)
    support_request.status = RequestStatus.ASSIGNED
    support_request.save(update_fields=["status"])
    text = text_of(status_page(client, token))
    assert "A peer team member has been assigned" in text
    assert URGENCY_NEXT_STEP[Urgency.NOW] not in text


def test_the_private_link_has_a_copy_button_that_waits_for_its_script(client, agency):
    response = post(client, form_data(agency), follow=True)
    html = response.content.decode()
    link = re.search(r'<a id="status-link" href="([^"]+)">([^<]+)</a>', html)
    assert link and link.group(1) == link.group(2), "the link is shown as text to select"
    button = re.search(r"<button[^>]*data-copy-link=\"status-link\"[^>]*>Copy link</button>", html)
    assert button and " hidden" in button.group(0), "without JavaScript there is no button"
    assert re.search(r'id="copy-link-status" role="status" aria-live="polite"', html)
    assert '<script src="/static/js/copy-link.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script"


def test_the_copy_button_is_offered_only_with_the_link(client):
    _, token = submitted_request()
    html = status_page(client, token).content.decode()
    assert "data-copy-link" not in html and "copy-link.js" not in html


# --- SITE_URL unset in development ------------------------------------------------------


def test_in_development_without_site_url_the_status_link_uses_the_pages_own_host(
    client, agency, settings
):
    settings.DEBUG, settings.SITE_URL = True, ""
    settings.ALLOWED_HOSTS = ["dev.example.org"]
    response = post(client, form_data(agency), follow=True, HTTP_HOST="dev.example.org:8080")
    token = response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[1]
    status_url = f"http://dev.example.org:8080/peer-support/status/{token}/"
    assert f'<a id="status-link" href="{status_url}">{status_url}</a>' in response.content.decode()


def test_in_production_the_status_link_always_uses_site_url(client, agency, settings):
    settings.DEBUG, settings.SITE_URL = False, "https://safety.example.org"
    settings.ALLOWED_HOSTS = ["dev.example.org"]
    response = post(client, form_data(agency), follow=True, HTTP_HOST="dev.example.org")
    assert 'href="https://safety.example.org/peer-support/status/' in response.content.decode()


def test_in_development_without_site_url_emails_link_to_the_development_server(
    settings, make_staff, django_capture_on_commit_callbacks
):
    """Emails are written without a request (by a service, sent by a worker)."""
    settings.DEBUG, settings.SITE_URL = True, ""
    make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR])
    with django_capture_on_commit_callbacks(execute=True):
        submitted_request()
    assert len(mail.outbox) == 1
    assert f"{DEVELOPMENT_SITE_URL}/staff/peer-support/" in mail.outbox[0].body
