"""Concurrent registrations and cancellations on real PostgreSQL never oversell an event.

Each thread has its own database connection (Django's connections are per thread), and
all of them start at the same moment from a barrier, so the service's row lock on the
event is what keeps the count right. Needs no Redis.

The emails' send tasks are recorded on commit instead of run: Celery's eager mode keeps a
global, not per-thread, "inside a task" flag, which threads running tasks at once leave
set, and which then breaks every later `result.get()` in the test process.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from core import tasks
from core.models import OutboxEmail
from tests.training.factories import EventFactory, registration_data
from training.models import Registration, RegistrationStatus
from training.services import registration_cancel, registration_create

PEOPLE = 40
SEATS = 5


@pytest.fixture
def queued_emails(monkeypatch) -> list[tuple[int, str]]:
    """The (registration id, kind) of each outbox email whose sending is queued on commit."""
    queued = []

    def record(row_id):  # the outbox queues core.outbox_send after commit
        key = OutboxEmail.objects.values_list("key", flat=True).get(pk=row_id)
        _, registration_id, kind = key.split(":")[:3]
        queued.append((int(registration_id), kind))

    monkeypatch.setattr(tasks.outbox_send, "delay", record)
    return queued


def run_at_once(jobs) -> list:
    """Run the callables in parallel threads released together; results or exceptions."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait(timeout=30)
            return job()
        except Exception as exc:  # returned so the test can show it
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def register_many(event, count: int) -> list:
    return run_at_once(
        [
            lambda n=n: registration_create(
                event_id=event.pk, data=registration_data(email=f"person{n}@example.org")
            )
            for n in range(count)
        ]
    )


def test_concurrent_registrations_fill_exactly_the_seats_and_queue_the_rest(
    transactional_db, queued_emails
):
    event = EventFactory(capacity=SEATS)
    results = register_many(event, PEOPLE)

    assert [r for r in results if isinstance(r, Exception)] == []
    rows = list(Registration.objects.filter(event=event))
    statuses = Counter(r.status for r in rows)
    assert statuses == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    positions = sorted(r.waitlist_position for r in rows if r.status == "waitlisted")
    assert positions == list(range(1, PEOPLE - SEATS + 1))
    assert len({r.email for r in rows}) == PEOPLE
    by_status = {r.pk: r.status for r in rows}
    expected = {"confirmed": "confirmation", "waitlisted": "waitlisted"}
    assert sorted(queued_emails) == sorted((pk, expected[s]) for pk, s in by_status.items())


def test_the_same_person_submitting_many_times_at_once_gets_one_registration(
    transactional_db, queued_emails
):
    event = EventFactory(capacity=SEATS)
    results = run_at_once(
        [
            lambda: registration_create(event_id=event.pk, data=registration_data())
            for _ in range(10)
        ]
    )
    refused = [r for r in results if not isinstance(r, Registration)]
    assert len(refused) == 9
    assert {getattr(r, "code", repr(r)) for r in refused} == {"duplicate"}
    assert Registration.objects.filter(event=event).count() == 1
    assert len(queued_emails) == 1


def test_concurrent_cancellations_promote_exactly_as_many_from_the_waitlist(
    transactional_db, queued_emails
):
    event = EventFactory(capacity=SEATS)
    register_many(event, 12)
    confirmed = list(Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED))
    queue = list(
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
        .order_by("waitlist_position")
        .values_list("pk", flat=True)
    )
    head, rest = queue[:2], queue[2:]
    leaving = confirmed[:2]
    queued_emails.clear()

    results = run_at_once(
        [lambda r=r: registration_cancel(registration_id=r.pk) for r in leaving]
        + [lambda r=r: registration_cancel(registration_id=r.pk) for r in leaving]  # twice each
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    rows = {r.pk: r for r in Registration.objects.filter(event=event)}
    statuses = Counter(r.status for r in rows.values())
    assert statuses == {"confirmed": SEATS, "cancelled": 2, "waitlisted": 12 - SEATS - 2}
    assert all(rows[pk].status == "confirmed" and rows[pk].promoted_at for pk in head)
    waiting = sorted((r.waitlist_position, r.pk) for r in rows.values() if r.status == "waitlisted")
    assert [pk for _, pk in waiting] == rest  # the others keep their order
    assert sorted(queued_emails) == sorted(
        [(r.pk, "cancelled") for r in leaving] + [(pk, "promoted") for pk in head]
    )
    assert len({position for position, _ in waiting}) == len(rest)
