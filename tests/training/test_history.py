import base64
import datetime as dt
import hashlib
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.training.factories import EventFactory, RegistrationFactory
from training import certificates, services
from training.certificates import (
    CODE_ALPHABET,
    NotAttended,
    certificate_document,
    certificate_for,
    certificate_html,
    certificate_pdf,
)
from training.models import Certificate, HistoryLink, RegistrationStatus
from training.services import history_token

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
SENT_TEXT = "If we have trainings for that address, a link to your training history is on its way"


@pytest.fixture
def today(monkeypatch):
    """Freeze the clock at noon on June 1, 2025 in Kansas City (the 2024-2026 cycle)."""
    now = dt.datetime(2025, 6, 1, 12, 0, tzinfo=CHICAGO)
    monkeypatch.setattr(timezone, "now", lambda: now.astimezone(dt.UTC))
    return now


def attended(email, *, on, minutes=100, category="technical", name="Dana Dispatcher", **fields):
    event = EventFactory(
        title=fields.pop("title", "Crisis intervention for call-takers"),
        starts_at=on,
        ends_at=on + dt.timedelta(minutes=minutes),
        ce_category=category,
    )
    fields.setdefault("status", RegistrationStatus.ATTENDED)
    return RegistrationFactory(event=event, email=email, name=name, **fields)


def yesterday():
    """A start a day ago: the event has ended, so its certificate can be issued."""
    return timezone.now() - dt.timedelta(days=1)


def history_url(email):
    return reverse("training:history:records", kwargs={"token": history_token(email)})


def download_url(email, registration):
    return reverse(
        "training:history:certificate",
        kwargs={"token": history_token(email), "registration_id": registration.pk},
    )


def expired_token(email):
    """A token made 25 hours ago (links last 24)."""
    with time_machine.travel(timezone.now() - dt.timedelta(hours=25)):
        return history_token(email)


# --- Asking for a link -----------------------------------------------------------------


def test_the_request_form_has_a_hidden_honeypot_and_is_never_stored(client):
    response = client.get("/training/history/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'class="hp-field"' in html
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    response = client.post("/training/history/", {"email": "nobody@example.org"}, follow=True)
    assert response.redirect_chain == [(reverse("training:history:sent"), 302)]
    assert SENT_TEXT in response.content.decode()
    assert mail.outbox == []


def test_a_known_address_gets_the_same_answer_and_one_email_with_a_working_link(
    client, django_capture_on_commit_callbacks
):
    attended("dana@example.org", on=timezone.now() - dt.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post("/training/history/", {"email": "Dana@Example.org"}, follow=True)
    assert response.redirect_chain == [(reverse("training:history:sent"), 302)]
    assert SENT_TEXT in response.content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@example.org"]
    link = re.search(r"http://\S+/training/history/\S+/", message.body).group(0)
    assert link in message.alternatives[0][0]
    page = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    assert "Crisis intervention for call-takers" in page.content.decode()


def test_known_and_unknown_addresses_cannot_be_told_apart_from_the_answer(client):
    attended("dana@example.org", on=timezone.now() - dt.timedelta(days=30))
    known = client.post("/training/history/", {"email": "dana@example.org"})
    unknown = client.post("/training/history/", {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_registrations_not_yet_attended_still_get_a_link(
    client, django_capture_on_commit_callbacks
):
    RegistrationFactory(email="new@example.org", status=RegistrationStatus.CONFIRMED)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/training/history/", {"email": "new@example.org"})
    assert len(mail.outbox) == 1


def test_asking_twice_within_a_few_minutes_sends_one_email(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "HISTORY_LINK_WINDOW_SECONDS", 10**9)  # one window for the test
    attended("dana@example.org", on=timezone.now() - dt.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            response = client.post("/training/history/", {"email": "dana@example.org"})
            assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_a_filled_honeypot_sends_nothing_and_keeps_the_email(client):
    attended("dana@example.org", on=timezone.now() - dt.timedelta(days=30))
    response = client.post(
        "/training/history/", {"email": "dana@example.org", "website": "http://spam.example"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "filled in by an automated tool" in html
    assert 'value="dana@example.org"' in html
    assert mail.outbox == []


def test_the_third_request_from_one_address_is_refused(client, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    for n in range(2):
        response = client.post(
            "/training/history/", {"email": f"p{n}@example.org"}, REMOTE_ADDR="203.0.113.7"
        )
        assert response.status_code == 302
    third = client.post(
        "/training/history/", {"email": "p3@example.org"}, REMOTE_ADDR="203.0.113.7"
    )
    assert third.status_code == 429
    assert "Too many forms were sent from your network" in third.content.decode()
    assert 'value="p3@example.org"' in third.content.decode()
    other = Client().post(
        "/training/history/", {"email": "p3@example.org"}, REMOTE_ADDR="198.51.100.23"
    )
    assert other.status_code == 302


# --- The history page ------------------------------------------------------------------


def test_the_history_page_shows_hours_per_category_and_progress_toward_24(client, today):
    email = "dana@example.org"
    attended(email, on=dt.datetime(2025, 3, 4, 9, tzinfo=CHICAGO), minutes=150, category="legal")
    attended(
        email,
        on=dt.datetime(2024, 9, 9, 9, tzinfo=CHICAGO),
        minutes=100,
        category="skill",
        is_instructor=True,
        title="Active shooter response",
    )
    attended(
        email,
        on=dt.datetime(2023, 5, 5, 9, tzinfo=CHICAGO),
        minutes=500,
        category="legal",
        title="Old cycle course",
    )
    attended(
        email,
        on=dt.datetime(2025, 2, 2, 9, tzinfo=CHICAGO),
        minutes=500,
        title="Missed course",
        status=RegistrationStatus.NO_SHOW,
    )

    response = client.get(history_url(email))

    assert response.status_code == 200
    html = response.content.decode()
    assert "2024–2026 cycle" in html
    assert re.search(r"<th[^>]*>Legal</th><td[^>]*>3</td>", html)
    assert re.search(r"<th[^>]*>Skill development</th><td[^>]*>4</td>", html)
    progress = re.search(r"<progress [^>]*>", html).group(0)
    assert 'max="24"' in progress and 'value="7"' in progress
    assert "aria-describedby" in progress
    assert "7 of 24 hours" in html
    assert "17 hours to go" in html
    assert "Active shooter response" in html and "Old cycle course" in html
    assert "4 credit hours as instructor" in html
    assert "May 5, 2023 (earlier cycle)" in html
    assert "Missed course" not in html
    assert html.count("Download certificate") == 3


def test_history_pages_are_never_stored_by_browsers_or_the_page_cache(client, today):
    email = "dana@example.org"
    attended(email, on=dt.datetime(2025, 3, 4, 9, tzinfo=CHICAGO))
    url = history_url(email)
    first = client.get(url)
    second = client.get(url)
    for response in (first, second):
        assert "no-store" in response["Cache-Control"]
        assert "X-Page-Cache" not in response
    assert first["X-Robots-Tag"].startswith("noindex")


def test_an_expired_link_explains_and_offers_a_new_one(client):
    attended("dana@example.org", on=timezone.now() - dt.timedelta(days=30))
    response = client.get(
        reverse("training:history:records", kwargs={"token": expired_token("dana@example.org")})
    )
    assert response.status_code == 410
    html = response.content.decode()
    assert "This link has expired" in html
    assert 'href="/training/history/"' in html
    assert "Crisis intervention" not in html


def test_a_link_just_under_24_hours_old_still_works(client):
    email = "dana@example.org"
    with time_machine.travel(timezone.now() - dt.timedelta(hours=23)):
        token = history_token(email)
    assert (
        client.get(reverse("training:history:records", kwargs={"token": token})).status_code == 200
    )


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        # A signed value (the old link format, or a cancel link) is not a history link.
        "ImRhbmFAZXhhbXBsZS5vcmci:1xjVRp:xrmJ-ZIOcHaE4NUSD0bmqq4GJA3o0RuW_wodiA_os7U",
        "x" * 500,
    ],
)
def test_a_broken_link_explains_and_offers_a_new_one(client, token):
    response = client.get(reverse("training:history:records", kwargs={"token": token}))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link does not work" in html
    assert 'href="/training/history/"' in html


def test_a_link_holds_no_personal_data_and_only_its_hash_is_stored(client):
    email = "victim@example.org"
    attended(email, on=timezone.now() - dt.timedelta(days=30))
    token = history_token(email)
    padded = token + "=" * (-len(token) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    assert b"victim" not in decoded and "victim" not in token
    stored = HistoryLink.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(HistoryLink.objects.values_list())
    # Two requests give two different links; each works on its own.
    other = history_token(email)
    assert other != token
    for each in (token, other):
        response = client.get(reverse("training:history:records", kwargs={"token": each}))
        assert response.status_code == 200


# --- Certificates ----------------------------------------------------------------------


def test_a_certificate_is_issued_once_with_a_readable_code():
    registration = attended("dana@example.org", on=timezone.now() - dt.timedelta(days=3))
    first = certificate_for(registration)
    again = certificate_for(registration)
    assert first.pk == again.pk and first.code == again.code
    assert re.fullmatch(rf"MARC-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}", first.code)
    assert not set("01ILOUV") & set(CODE_ALPHABET)
    assert first.hours == Decimal(2)
    assert Certificate.objects.count() == 1


def test_a_taken_code_is_drawn_again(monkeypatch):
    taken = certificate_for(attended("a@example.org", on=timezone.now() - dt.timedelta(days=3)))
    codes = iter([taken.code, "MARC-2345-6789"])
    monkeypatch.setattr(certificates, "new_code", lambda: next(codes))
    second = certificate_for(attended("b@example.org", on=timezone.now() - dt.timedelta(days=3)))
    assert second.code == "MARC-2345-6789"


def test_a_certificate_follows_a_corrected_attendance_record():
    registration = attended("dana@example.org", on=timezone.now() - dt.timedelta(days=3))
    code = certificate_for(registration).code
    registration.minutes_attended = 50
    registration.save(update_fields=["minutes_attended"])
    corrected = certificate_for(registration)
    assert (corrected.code, corrected.hours) == (code, Decimal(1))


@pytest.mark.parametrize(
    "status",
    [RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW, RegistrationStatus.CANCELLED],
)
def test_no_certificate_without_attendance(status):
    registration = attended("dana@example.org", on=timezone.now(), status=status)
    with pytest.raises(NotAttended):
        certificate_for(registration)


def test_the_certificate_shows_name_event_date_hours_category_code_and_where_to_verify(settings):
    settings.SITE_URL = "https://safety.example.org"
    registration = attended(
        "dana@example.org",
        on=dt.datetime(2025, 3, 4, 9, tzinfo=CHICAGO),
        minutes=150,
        category="interpersonal",
        name="Dana Dispatcher",
        title="Crisis intervention for call-takers",
    )
    certificate = certificate_for(registration)
    html = certificate_html(certificate)
    assert "Dana Dispatcher" in html
    assert "Crisis intervention for call-takers" in html
    assert "March 4, 2025" in html
    assert re.search(r"Credit hours</th><td>3\b", html)
    assert "Interpersonal" in html
    assert certificate.code in html
    assert f"https://safety.example.org/training/verify/?code={certificate.code}" in html


def test_the_certificate_prints_as_a_pdf():
    certificate = certificate_for(attended("dana@example.org", on=yesterday()))
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


def test_a_long_title_and_name_still_fit_one_landscape_letter_page():
    registration = attended(
        "dana@example.org",
        on=yesterday(),
        name="Maria-Fernanda Castellanos-Whitaker de la Vega",
        title="Next Generation 911 readiness: location-based routing, GIS address accuracy, "
        "mapping and aerial imagery for dispatch, part two of three",
        is_instructor=True,
    )
    document = certificate_document(certificate_for(registration))
    assert len(document.pages) == 1
    page = document.pages[0]
    assert (page.width, page.height) == (11 * 96, 8.5 * 96)  # CSS pixels, 96 per inch


def test_a_person_downloads_the_certificate_of_their_attended_event(client):
    registration = attended("dana@example.org", on=timezone.now() - dt.timedelta(days=3))
    response = client.get(download_url("dana@example.org", registration))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    code = registration.certificate.code
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{code}.pdf"'
    assert "no-store" in response["Cache-Control"]

    client.get(download_url("dana@example.org", registration))
    assert Certificate.objects.filter(registration=registration).count() == 1


def test_a_link_for_one_address_cannot_download_another_persons_certificate(client):
    theirs = attended("victim@example.org", on=timezone.now() - dt.timedelta(days=3))
    attended("me@example.org", on=timezone.now() - dt.timedelta(days=3))
    response = client.get(download_url("me@example.org", theirs))
    assert response.status_code == 404
    assert not Certificate.objects.filter(registration=theirs).exists()


@pytest.mark.parametrize("status", [RegistrationStatus.NO_SHOW, RegistrationStatus.CONFIRMED])
def test_no_certificate_download_for_an_event_not_attended(client, status):
    registration = attended("dana@example.org", on=timezone.now(), status=status)
    assert client.get(download_url("dana@example.org", registration)).status_code == 404


def test_an_expired_link_cannot_download_a_certificate(client):
    registration = attended("dana@example.org", on=timezone.now() - dt.timedelta(days=3))
    url = reverse(
        "training:history:certificate",
        kwargs={"token": expired_token("dana@example.org"), "registration_id": registration.pk},
    )
    response = client.get(url)
    assert response.status_code == 410
    assert not response.content.startswith(b"%PDF")


# --- Public verification ---------------------------------------------------------------


def test_a_valid_code_shows_first_name_last_initial_event_date_and_hours(client):
    registration = attended(
        "dana@example.org",
        on=dt.datetime(2025, 3, 4, 9, tzinfo=CHICAGO),
        minutes=150,
        name="Dana Quinn Whitaker",
    )
    code = certificate_for(registration).code
    response = client.get("/training/verify/", {"code": code})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Certificate {code} is genuine" in html
    assert "Dana W." in html
    assert "Whitaker" not in html
    assert "dana@example.org" not in html
    assert "Crisis intervention for call-takers" in html
    assert "March 4, 2025" in html
    assert re.search(r"Credit hours</dt><dd[^>]*>3</dd>", html)


def test_a_code_typed_in_lower_case_without_dashes_is_found(client):
    code = certificate_for(attended("dana@example.org", on=yesterday())).code
    typed = code.lower().replace("-", " ")
    html = client.get("/training/verify/", {"code": typed}).content.decode()
    assert f"Certificate {code} is genuine" in html


def test_an_unknown_code_says_so_clearly(client):
    certificate_for(attended("dana@example.org", on=yesterday()))
    response = client.get("/training/verify/", {"code": "MARC-2345-6789"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No certificate has this code" in html
    assert "Issued to" not in html


def test_a_withdrawn_attendance_makes_the_certificate_no_longer_valid(client):
    registration = attended("dana@example.org", on=yesterday())
    code = certificate_for(registration).code
    registration.status = RegistrationStatus.NO_SHOW
    registration.save(update_fields=["status"])
    html = client.get("/training/verify/", {"code": code}).content.decode()
    assert "no longer valid" in html
    assert "Dana D." not in html


def test_the_verification_form_alone_shows_no_result(client):
    response = client.get("/training/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html
    assert "No certificate has this code" not in html
