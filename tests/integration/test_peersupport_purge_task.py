"""The nightly purge of contact details run by a real Celery worker from Redis.

The worker is pointed at the test database (the rows are committed: transactional_db) and
listens on a queue of its own, so a worker started by another test run on the same Redis
cannot take the task to a different database.
"""

import datetime as dt
import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from marc_safety.celery import app
from peersupport.models import CONTACT_FIELDS, SupportRequest
from tests.integration.conftest import ROOT, wait_for
from tests.peersupport.factories import submitted_request

pytestmark = pytest.mark.django_db(transaction=True)


def worker_database_url() -> str:
    """The test database (pytest-django's), for the worker process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


@pytest.fixture
def purge_worker(redis_url, tmp_path):
    """A real worker on the test database, consuming only its own queue."""
    queue = f"purge-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": worker_database_url(),
        "DJANGO_SETTINGS_MODULE": "marc_safety.settings_test",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marc_safety",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


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
