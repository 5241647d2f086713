"""Peer-support notices: written with the request or the assignment, sent once, even when
the broker was down; each carries only a link to the secure page."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from core import tasks as core_tasks
from core.models import OutboxEmail, OutboxStatus
from core.outbox import outbox_sweep
from peersupport.notifications import coordinators_notify
from peersupport.services import request_assign
from tests.peersupport.factories import member_for, submitted_request

pytestmark = pytest.mark.django_db


def test_a_new_request_tells_each_active_coordinator_once_with_only_a_link(
    make_staff, django_capture_on_commit_callbacks
):
    first = make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR])
    second = make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR])
    make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR], is_active=False)
    make_staff(roles=[Role.PEER_TEAM_MEMBER])
    with django_capture_on_commit_callbacks(execute=True):
        support_request, _ = submitted_request(contact_name="Sam Supervisor")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    for message in mail.outbox:
        assert message.subject == "A new peer support request is waiting"
        assert "http://127.0.0.1:8000" + reverse("peersupport:coordinator:queue") in message.body
        for secret in (support_request.reference, "Sam Supervisor", "816-555-0100"):
            assert secret not in message.body + message.alternatives[0][0]
    assert coordinators_notify(support_request=support_request) == 0  # asked again
    assert outbox_sweep() == 0 and len(mail.outbox) == 2


def test_notices_saved_while_the_broker_is_down_are_sent_by_the_sweep(
    make_staff, monkeypatch, django_capture_on_commit_callbacks
):
    coordinator = make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR])
    member = member_for(make_staff(roles=[Role.PEER_TEAM_MEMBER]))

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(core_tasks.outbox_send, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        support_request, _ = submitted_request()
        request_assign(support_request=support_request, members=[member], by=coordinator)
    assert mail.outbox == []
    assert OutboxEmail.objects.filter(status=OutboxStatus.PENDING).count() == 2

    assert outbox_sweep() == 2
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (coordinator.email, "A new peer support request is waiting"),
            (member.user.email, "You have a new peer support assignment"),
        ]
    )
    assert outbox_sweep() == 0
