"""A request marked most urgent ("as soon as possible"): the coordinators' email says
"Urgent" in its subject and nothing more, and the queue lists it first with a visible
"Urgent" badge."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from peersupport.models import RequestStatus, SupportRequest, Urgency
from tests.peersupport.factories import submitted_request

pytestmark = pytest.mark.django_db


def test_the_coordinators_email_of_an_urgent_request_says_urgent_and_nothing_more(
    make_staff, django_capture_on_commit_callbacks
):
    coordinator = make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR])
    with django_capture_on_commit_callbacks(execute=True):
        urgent, _ = submitted_request(urgency=Urgency.NOW, contact_name="Sam Supervisor")
        submitted_request(urgency=Urgency.TODAY)

    subjects = sorted(m.subject for m in mail.outbox if m.to == [coordinator.email])
    assert subjects == [
        "A new peer support request is waiting",
        "Urgent: a new peer support request is waiting",
    ]
    urgent_mail = next(m for m in mail.outbox if m.subject.startswith("Urgent"))
    plain = next(m for m in mail.outbox if not m.subject.startswith("Urgent"))
    assert urgent_mail.body == plain.body  # the same short note with a link, no details
    for secret in (urgent.reference, "Sam Supervisor", "816-555-0100", "soon as possible"):
        assert secret not in urgent_mail.subject + urgent_mail.body
        assert secret not in urgent_mail.alternatives[0][0]


def test_the_queue_marks_urgent_open_requests_and_lists_them_first(peer_coordinator_client):
    week, _ = submitted_request(urgency=Urgency.THIS_WEEK)
    urgent, _ = submitted_request(urgency=Urgency.NOW)
    done, _ = submitted_request(urgency=Urgency.NOW)
    SupportRequest.objects.filter(pk=done.pk).update(status=RequestStatus.CLOSED)

    page = peer_coordinator_client.get(reverse("peersupport:coordinator:queue")).content.decode()

    rows = page.split('<tr id="request-')[1:]
    assert [row.split('"')[0] for row in rows] == [str(urgent.pk), str(week.pk)]
    assert '<span class="badge text-bg-danger">Urgent</span>' in rows[0]
    assert "Urgent" not in rows[1]
    assert done.reference not in page

    finished = peer_coordinator_client.get(reverse("peersupport:coordinator:queue_finished"))
    assert "badge text-bg-danger" not in finished.content.decode()
