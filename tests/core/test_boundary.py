"""The one input boundary, shared date parsing, log hygiene, static headers and /healthz."""

import datetime as dt
import io
import logging

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from accounts.models import AuditEvent, AuditOutcome
from accounts.roles import Role
from core import dates
from core.logs import PrivateLinkFilter, mask_path
from core.mail import MaskingConsoleEmailBackend
from tests.coresponder.test_dashboard import PERIOD, URL

pytestmark = pytest.mark.django_db


# --- NUL bytes and lone surrogates --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=%00",
        "/search/?q=fire%00drill",
        "/search/?q=%ED%A0%80",  # a lone surrogate, UTF-8 encoded: decoded as U+FFFD, accepted
        "/calendar/?kind=%00",
        "/calendar/feed.ics?area=%00",
        "/%00/",
        "/search/?%00=x",
    ],
)
def test_a_nul_byte_anywhere_in_the_address_is_refused_with_a_clear_400(client, path):
    response = client.get(path)
    if "%ED%A0%80" in path:
        assert response.status_code == 200  # nothing unusable reached the view
        return
    assert response.status_code == 400
    html = response.content.decode()
    assert "characters that cannot be used" in html
    assert response["Content-Security-Policy"]  # the site's headers on the refusal too
    assert response["X-Frame-Options"] == "DENY"


def test_a_nul_byte_in_a_form_field_is_refused_before_the_view(client):
    response = client.post("/peer-support/request/", {"contact_name": "Dana\x00"})
    assert response.status_code == 400


def test_a_lone_surrogate_is_refused():
    from core.boundary import clean_text, has_forbidden_characters

    assert has_forbidden_characters("abc\ud800")
    assert clean_text("a\x00b\udfff") == "a\ufffdb\ufffd"
    assert not has_forbidden_characters("Kansas City — café 🚒")


def test_a_refused_probe_by_a_signed_in_liaison_is_still_audited(lees_summit_liaison, staff_client):
    liaison = lees_summit_liaison
    client = staff_client(liaison)
    response = client.get(URL, {**PERIOD, "agency": "independence"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(actor_id=liaison.pk, outcome=AuditOutcome.DENIED).count() == 1
    response = client.get(URL, {**PERIOD, "agency": "independence\x00"})
    assert response.status_code == 400
    denied = AuditEvent.objects.filter(actor_id=liaison.pk, outcome=AuditOutcome.DENIED)
    assert denied.count() == 2
    assert denied.latest("at").detail == {"reason": "unusable characters in the request"}


def test_a_refused_staff_request_with_nul_as_another_role_is_audited_once(make_staff, staff_client):
    member = make_staff(roles=[Role.PEER_TEAM_MEMBER])
    response = staff_client(member).get("/staff/training/?q=%00")
    assert response.status_code == 400
    assert AuditEvent.objects.filter(actor_id=member.pk, outcome=AuditOutcome.DENIED).count() == 1


# --- Dates from addresses and forms ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/?end=9999-12-31",
        "/calendar/feed.ics?end=9999-12-31",
        "/calendar/?start=0000-01-01",
        "/calendar/feed.ics?start=0001-01-01&end=9999-12-31",
        "/highlights/99999999999/",
        "/calendar/month/9999/12/",
    ],
)
def test_dates_far_outside_any_calendar_do_not_break_public_pages(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)


def test_the_calendar_says_what_is_wrong_with_a_date_out_of_range(client):
    html = client.get("/calendar/", {"end": "9999-12-31"}).content.decode()
    assert "between 1900 and 2199" in html


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"month": "0000-01"}, 200),
        ({"month": "9999-12"}, 200),
        ({"month": "2025-13"}, 200),
    ],
)
def test_the_encounter_list_refuses_impossible_months_with_a_message(
    make_staff, staff_client, query, status
):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    response = staff_client(manager).get("/staff/coresponder/encounters/", query)
    assert response.status_code == status
    html = response.content.decode()
    assert "between 1900 and 2199" in html or "does not exist" in html


def test_closing_month_zero_is_refused_with_a_message(make_staff, staff_client):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    client = staff_client(manager)
    response = client.post("/staff/coresponder/months/close/", {"month": "0000-01"})
    assert response.status_code == 400
    assert "between 1900 and 2199" in response.content.decode()


def test_the_dashboard_refuses_a_year_before_1000(make_staff, staff_client):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    response = staff_client(manager).get(URL, {"start": "0999-01-01", "end": "2025-01-31"})
    assert response.status_code == 400
    assert "between 1900 and 2199" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-14", dt.date(2025, 3, 14)),
        ("2023-02-30", "does not exist"),
        ("9999-12-31", "between 1900 and 2199"),
        ("0015-11-10", "between 1900 and 2199"),
        ("14/03/2025", "YYYY-MM-DD"),
    ],
)
def test_one_parser_reads_dates_and_says_what_is_wrong(text, expected):
    if isinstance(expected, dt.date):
        assert dates.parse_date(text) == expected
        return
    with pytest.raises(dates.DateInputError, match=expected):
        dates.parse_date(text)


def test_months_are_parsed_to_their_first_day_within_the_range():
    assert dates.parse_month("2026-02") == dt.date(2026, 2, 1)
    for text in ("0000-01", "9999-12", "2025-00", "2025-13", "25-01"):
        assert dates.month_or_none(text) is None


# --- Logs never hold a private link ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/peer-support/status/abcDEF123secret/",
        "/calendar/cancel/eyJyIjoxfQ:secret/",
        "/calendar/registered/MTI:secret/",
        "/training/history/opaquesecret/certificates/4.pdf",
        "/drafts/Zr4secret_token/",
        "/account/password-reset/MQ/set-token-secret/",
    ],
)
def test_the_masking_function_hides_every_kind_of_private_link(path):
    assert "secret" not in mask_path(path)
    assert "[link]" in mask_path(path)


@pytest.mark.parametrize("method", ["options", "post", "get"])
def test_private_links_never_reach_djangos_request_log(client, method):
    """A 4xx on a private link (OPTIONS, a CSRF failure, a missing certificate) is logged
    by Django's request logger; the record that reaches a handler has the token masked."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PrivateLinkFilter())
    logger = logging.getLogger()  # the root: django.request and django.security.csrf alike
    logger.addHandler(handler)
    try:
        client.handler.enforce_csrf_checks = True
        paths = [
            "/calendar/cancel/TOKENsecret123/",
            "/training/history/TOKENsecret123/certificates/999.pdf",
            "/peer-support/status/TOKENsecret123/",
        ]
        for path in paths:
            getattr(client, method)(path)
    finally:
        logger.removeHandler(handler)
    logged = stream.getvalue()
    assert logged  # something was logged, so the check below means something
    assert "TOKENsecret123" not in logged


def test_the_logging_settings_mask_private_links_on_every_handler(settings):
    console = settings.LOGGING["handlers"]["console"]
    assert "private_links" in console["filters"]
    assert settings.LOGGING["filters"]["private_links"]["()"] == "core.logs.PrivateLinkFilter"


def test_printed_emails_mask_their_links(settings):
    settings.DEBUG = False
    stream = io.StringIO()
    backend = MaskingConsoleEmailBackend(stream=stream)
    message = EmailMessage(
        "Your registration",
        "Cancel here: https://safety.example.org/calendar/cancel/SECRET123/ if needed.",
        to=["dana@example.org"],
    )
    assert backend.send_messages([message]) == 1
    printed = stream.getvalue()
    assert "SECRET123" not in printed
    assert "/calendar/cancel/[link]/" in printed
    assert "dana@example.org" not in printed
    settings.DEBUG = True
    stream.truncate(0)
    backend.send_messages([message])
    assert "(development only) links in this email" in stream.getvalue()


def test_the_default_email_backend_is_the_masking_one():
    """Without EMAIL_URL the settings pick the masking console backend (a fresh process)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "marc_safety.settings", "DJANGO_DEBUG": "1"}
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "core.mail.MaskingConsoleEmailBackend"
    assert mail.outbox == []


# --- Static files, /healthz, the Server banner ------------------------------------------


def test_static_files_carry_the_security_headers_and_no_wildcard_cors(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in response


def test_healthz_tells_the_public_only_up_or_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 503
    assert response.json() == {"status": "fail"}
    through_proxy = client.get("/healthz", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert through_proxy.json() == {"status": "fail"}


def test_healthz_tells_monitoring_holding_the_token_which_part_failed(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.HEALTHZ_TOKEN = "monitor-token-123"
    wrong = client.get("/healthz", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.json() == {"status": "fail"}
    response = client.get(
        "/healthz", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer monitor-token-123"
    )
    assert response.json()["broker"] == "down: ConnectionError"
    assert response.json()["database"] == "ok"
