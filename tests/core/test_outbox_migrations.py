"""The migrations that move each app's record of sent emails into the outbox, and back.

What was sent before the outbox (training's SentEmail keys, peer support's *_notified_at
stamps, reports' ReadyNotice rows) becomes sent outbox rows with the keys the new code
uses, so asking for one of those emails again sends nothing. Going back restores the
old records from the outbox.
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.roles import Role
from core.models import OutboxEmail, OutboxStatus
from peersupport.notifications import assignee_notify, coordinators_notify
from peersupport.services import request_assign
from reports.models import ReportKind, ReportRun
from reports.notifications import subscribers_notify
from tests.peersupport.factories import member_for, submitted_request
from tests.training.factories import RegistrationFactory
from training.emails import registration_email_queue

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("core", "0001_initial"),
    ("training", "0003_history_links"),
    ("peersupport", "0002_roles"),
    ("reports", "0001_initial"),
]
AFTER = "the latest migrations"
SENT_AT = dt.datetime(2026, 2, 3, 15, 30, tzinfo=dt.UTC)


def migrate(targets):
    """Migrate to `targets`; AFTER is every app's latest migration (the ones under test and
    all that came after them), since the code the tests call is today's."""
    executor = MigrationExecutor(connection)
    if targets is AFTER:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def history(make_staff, monkeypatch):
    """Rows made with today's models, and what the old models said was sent about them."""
    coordinator = make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR])
    member = member_for(make_staff(roles=[Role.PEER_TEAM_MEMBER]))
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    monkeypatch.setattr("core.outbox.queue_after_commit", lambda *args: None)
    support_request, _ = submitted_request()
    [assignment] = request_assign(support_request=support_request, members=[member], by=manager)
    registration = RegistrationFactory()
    run = ReportRun.objects.create(
        kind=ReportKind.TRAINING, period=dt.date(2025, 3, 1), status="done"
    )
    OutboxEmail.objects.all().delete()  # the new code's own rows: not part of the history

    old = migrate(BEFORE)
    try:
        SentEmail = old.get_model("training", "SentEmail")
        SentEmail.objects.bulk_create(
            [
                SentEmail(key=f"registration:{registration.pk}:confirmation"),
                SentEmail(key=f"registration:{registration.pk}:reminder:2026-02-05"),
                SentEmail(key="training-history-link:ab12:99"),
            ]
        )
        SentEmail.objects.update(sent_at=SENT_AT)
        old.get_model("peersupport", "SupportRequest").objects.filter(pk=support_request.pk).update(
            coordinators_notified_at=SENT_AT
        )
        old.get_model("peersupport", "Assignment").objects.filter(pk=assignment.pk).update(
            notified_at=SENT_AT
        )
        notice = old.get_model("reports", "ReadyNotice").objects.create(
            run_id=run.pk, user_id=manager.pk
        )
        old.get_model("reports", "ReadyNotice").objects.filter(pk=notice.pk).update(sent_at=SENT_AT)
        yield {
            "coordinator": coordinator,
            "manager": manager,
            "registration": registration,
            "support_request": support_request,
            "assignment": assignment,
            "run": run,
        }
    finally:
        migrate(AFTER)  # the database as the other tests expect it


def test_what_was_sent_before_the_outbox_is_in_it_as_sent_and_is_not_sent_again(history):
    migrate(AFTER)
    rows = {row.key: row for row in OutboxEmail.objects.all()}
    registration = history["registration"]
    expected = {
        f"registration:{registration.pk}:confirmation": registration.email,
        f"registration:{registration.pk}:reminder:2026-02-05": registration.email,
        "training-history-link:ab12:99": "",
        f"peersupport-request:{history['support_request'].pk}:coordinator:"
        f"{history['coordinator'].pk}": history["coordinator"].email,
        f"peersupport-assignment:{history['assignment'].pk}": history[
            "assignment"
        ].member.user.email,
        f"report-ready:{history['run'].pk}:{history['manager'].pk}": history["manager"].email,
    }
    assert {key: row.to for key, row in rows.items()} == expected
    for row in rows.values():
        assert (row.status, row.sent_at, row.created_at) == (OutboxStatus.SENT, SENT_AT, SENT_AT)

    # The new code asks for the same emails: nothing is added, so nothing is sent again.
    registration.refresh_from_db()
    assert registration_email_queue(registration=registration, kind="confirmation") is False
    assert coordinators_notify(support_request=history["support_request"]) == 0
    assert assignee_notify(assignment=history["assignment"]) is False
    assert subscribers_notify(run_id=history["run"].pk) == 0
    assert OutboxEmail.objects.count() == len(expected)


def test_going_back_restores_the_old_records(history):
    migrate(AFTER)
    old = migrate(BEFORE)
    keys = set(old.get_model("training", "SentEmail").objects.values_list("key", "sent_at"))
    registration = history["registration"]
    assert keys == {
        (f"registration:{registration.pk}:confirmation", SENT_AT),
        (f"registration:{registration.pk}:reminder:2026-02-05", SENT_AT),
        ("training-history-link:ab12:99", SENT_AT),
    }
    request = old.get_model("peersupport", "SupportRequest").objects.get(
        pk=history["support_request"].pk
    )
    assert request.coordinators_notified_at == SENT_AT
    assignment = old.get_model("peersupport", "Assignment").objects.get(pk=history["assignment"].pk)
    assert assignment.notified_at == SENT_AT
    notices = old.get_model("reports", "ReadyNotice").objects.values_list(
        "run_id", "user_id", "sent_at"
    )
    assert list(notices) == [(history["run"].pk, history["manager"].pk, SENT_AT)]
