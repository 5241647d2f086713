"""The outbox in the admin: read only, filtered and searched; failed emails shown and retried."""

import pytest
from django.core import mail

from accounts.roles import Role
from core.models import OutboxEmail, OutboxStatus
from core.outbox import outbox_enqueue

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/core/outboxemail/"


def email(key: str, to: str, status: str, **context) -> OutboxEmail:
    outbox_enqueue(key=key, template="testapp/plain", to=to, subject=key, context=context)
    OutboxEmail.objects.filter(key=key).update(status=status, attempts=8, last_error="550 gone")
    return OutboxEmail.objects.get(key=key)


@pytest.fixture
def emails():
    return {
        "failed": email("note:failed", "failed@example.org", OutboxStatus.FAILED, name="F"),
        "pending": email("note:pending", "pending@example.org", OutboxStatus.PENDING),
    }


def test_the_admin_index_tells_an_administrator_about_failed_emails(insider, staff_client, emails):
    html = staff_client(insider).get("/admin/").content.decode()
    assert "1 email could not be sent" in html
    assert f"{CHANGELIST}?status__exact=failed" in html


def test_an_admin_user_who_may_not_see_the_outbox_is_not_told_and_not_let_in(
    make_staff, staff_client, emails
):
    editor = staff_client(make_staff(roles=[Role.SITE_EDITOR]))
    assert "could not be sent" not in editor.get("/admin/").content.decode()
    assert editor.get(CHANGELIST).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, emails):
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "failed@example.org" not in client.get(CHANGELIST, follow=True).content.decode()


def test_the_list_filters_by_status_and_searches_recipients_and_keys(insider, staff_client, emails):
    admin = staff_client(insider)
    failed_only = admin.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    assert "failed@example.org" in failed_only and "pending@example.org" not in failed_only
    by_address = admin.get(CHANGELIST, {"q": "pending@"}).content.decode()
    assert "pending@example.org" in by_address and "failed@example.org" not in by_address
    by_key = admin.get(CHANGELIST, {"q": "note:failed"}).content.decode()
    assert "failed@example.org" in by_key and "pending@example.org" not in by_key


def test_an_email_is_shown_read_only_with_private_links_masked(insider, staff_client):
    outbox_enqueue(
        key="registration:1:confirmation",
        template="testapp/plain",
        to="pat@example.org",
        subject="You are registered",
        context={"name": "Pat", "cancel_url": "https://portal.example.org/calendar/cancel/s3cr3t/"},
    )
    pk = OutboxEmail.objects.get().pk
    page = staff_client(insider).get(f"{CHANGELIST}{pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/calendar/cancel/[link]/" in html and "s3cr3t" not in html
    assert 'name="to"' not in html  # no form fields: nothing to edit
    assert staff_client(insider).post(f"{CHANGELIST}{pk}/delete/").status_code == 403


def test_the_retry_action_sends_failed_emails_again_and_leaves_the_others(
    insider, staff_client, emails, django_capture_on_commit_callbacks
):
    admin = staff_client(insider)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            CHANGELIST,
            {
                "action": "retry",
                "_selected_action": [emails["failed"].pk, emails["pending"].pk],
            },
            follow=True,
        )
    assert "1 email(s) will be sent again (1 not failed, left as they are)." in (
        response.content.decode()
    )
    assert [m.to for m in mail.outbox] == [["failed@example.org"]]
    assert OutboxEmail.objects.get(key="note:failed").status == OutboxStatus.SENT
    assert OutboxEmail.objects.get(key="note:pending").status == OutboxStatus.PENDING
    assert "could not be sent" not in admin.get("/admin/").content.decode()
