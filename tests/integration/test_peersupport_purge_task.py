"""The nightly purge of contact details run by a real Celery worker from Redis.

The worker is pointed at the test database (the rows are committed: transactional_db) and
listens on a queue of its own, so a worker started by another test run on the same Redis
cannot take the task to a different database.
"""

import datetime as dt

import pytest
from django.utils import timezone

from marc_safety.celery import app
from peersupport.models import CONTACT_FIELDS, SupportRequest
from tests.integration.conftest import wait_for
from tests.peersupport.factories import submitted_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def purge_worker(queue_worker):
    """A real worker on the test database with a queue of its own (tests/integration)."""
    return queue_worker


def test_a_real_worker_purges_contact_details_of_requests_closed_over_30_days_ago(
    purge_worker, monkeypatch
):
    due, _ = submitted_request(contact_name="Dana Due", contact_phone="816-555-0110")
    recent, _ = submitted_request(contact_name="Riley Recent", contact_phone="816-555-0111")
    now = timezone.now()
    SupportRequest.objects.filter(pk=due.pk).update(
        status="closed", closed_at=now - dt.timedelta(days=31)
    )
    SupportRequest.objects.filter(pk=recent.pk).update(
        status="closed", closed_at=now - dt.timedelta(days=29)
    )
    # Only now leave eager mode: the submissions' notifications ran in this process, so
    # nothing but the purge goes to the shared Redis.
    monkeypatch.setitem(app.conf, "task_always_eager", False)

    app.send_task("peersupport.purge_contact_details", queue=purge_worker)

    purged = wait_for(
        lambda: SupportRequest.objects.filter(pk=due.pk, contact_purged_at__isnull=False).first(),
        timeout=60,
    )
    assert purged, "the worker never purged the request closed 31 days ago"
    assert all(getattr(purged, field) == "" for field in CONTACT_FIELDS)
    recent.refresh_from_db()
    assert recent.contact_name == "Riley Recent"
    assert recent.contact_purged_at is None
