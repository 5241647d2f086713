"""The admin in the portal's words and colours: its name and logo, sections named for
what they hold, labelled date and time boxes, and what needs attention on its index page."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.models import OutboxEmail, OutboxStatus
from core.outbox import outbox_enqueue
from peersupport.models import RequestStatus, SupportRequest
from reports.models import ReportKind, ReportRun, RunStatus
from tests.peersupport.factories import submitted_request

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def test_the_admin_wears_the_portals_name_and_logo(superuser_client):
    html = superuser_client.get(INDEX).content.decode()
    assert "<title>Site administration | MARC Safety Portal admin</title>" in html
    assert "MARC Safety Portal administration" in html
    assert "/static/img/logo.svg" in html
    assert "/static/css/admin.css" in html
    assert "Django administration" not in html


def test_other_projects_sections_are_named_for_what_they_hold(superuser_client):
    html = superuser_client.get(INDEX).content.decode()
    for name in ("Sign-in lockouts", "Two-factor devices", "Two-factor backup codes"):
        assert name in html
    for raw in (">Axes<", ">Otp_Totp<", ">Otp_Static<", "OTP_TOTP"):
        assert raw not in html
    section = superuser_client.get("/admin/axes/").content.decode()
    assert "Sign-in lockouts administration" in section
    assert "Lockout counters" in section


def test_each_date_and_time_box_has_a_label(superuser_client, make_staff):
    user = make_staff()
    html = superuser_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert '<label for="id_date_joined_0">Date:</label>' in html
    assert '<label for="id_date_joined_1">Time:</label>' in html


def test_nothing_to_do_says_so(superuser_client):
    html = superuser_client.get(INDEX).content.decode()
    assert "Needs attention" in html
    assert "Nothing needs your attention." in html


def test_the_index_counts_and_links_what_needs_attention(superuser_client):
    for _ in range(2):
        support_request, _token = submitted_request()
        SupportRequest.objects.filter(pk=support_request.pk).update(
            status=RequestStatus.AWAITING_APPROVAL
        )
    outbox_enqueue(key="note:1", template="testapp/plain", to="a@example.org", subject="Hi")
    OutboxEmail.objects.update(status=OutboxStatus.FAILED)

    html = superuser_client.get(INDEX).content.decode()

    requests = reverse("admin:peersupport_supportrequest_changelist")
    assert f'href="{requests}?status__exact=awaiting_approval"' in html
    assert "2 peer support requests await approval (outside the region)" in html
    emails = reverse("admin:core_outboxemail_changelist")
    assert f'href="{emails}?status__exact=failed"' in html
    assert "1 email could not be sent" in html
    assert "Nothing needs your attention." not in html


def test_a_program_manager_is_told_of_failed_reports(make_staff, staff_client):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    ReportRun.objects.create(
        kind=ReportKind.TRAINING, period=dt.date(2026, 3, 1), status=RunStatus.FAILED
    )
    html = staff_client(manager).get(INDEX).content.decode()
    assert f'href="{reverse("reports:list")}"' in html
    assert "1 failed report" in html
    # Not the figures of rows a program manager may not see in the admin.
    assert "could not be sent" not in html
    assert "await approval" not in html
