"""A real Celery worker imports a large encounters file taken from Redis.

The worker is pointed at the test database (the rows are committed: transactional_db) and
listens on a queue of its own, so a worker started by another test run on the same Redis
cannot take the task to a different database. Uploads are stored where the worker's
settings look for them (settings_test.MEDIA_ROOT).

The elapsed time is printed, not asserted. CORESPONDER_IMPORT_ROWS changes the number of
rows, for a bench-style run:
    CORESPONDER_IMPORT_ROWS=300000 REDIS_URL=… pytest tests/integration/test_coresponder_import.py
"""

import csv
import datetime as dt
import io
import os
import random
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from coresponder import dictionary as dd
from coresponder.csvio import jobs
from coresponder.models import Encounter, ImportJob
from coresponder.services import today
from marc_safety.celery import app
from marc_safety.settings_test import MEDIA_ROOT as WORKER_MEDIA_ROOT
from tests.coresponder.factories import ensure_directory

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = int(os.environ.get("CORESPONDER_IMPORT_ROWS", "100000"))


@pytest.fixture
def import_worker(queue_worker):
    """A real worker on the test database with a queue of its own (tests/integration)."""
    return queue_worker


def generated_file(rows: int) -> bytes:
    """A valid encounters file with varied values (a fixed seed: the same file every run)."""
    rng = random.Random(6)  # noqa: S311
    day = today()
    agencies, providers = list(dd.AGENCIES), list(dd.PROVIDERS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(dd.ENCOUNTER_COLUMNS)
    for n in range(rows):
        linked = rng.random() < 0.6
        concerns = rng.sample(dd.CONCERNS, rng.randint(1, 3))
        writer.writerow(
            [
                f"L-{n:06d}",
                agencies[n % len(agencies)],
                providers[n % len(providers)],
                (day - dt.timedelta(days=1 + n % 700)).isoformat(),
                f"{rng.randrange(24):02d}:{rng.randrange(60):02d}" if n % 7 else "",
                f"CAD-{n}" if n % 3 else "",
                rng.choice(dd.REFERRAL_SOURCES),
                rng.choice(dd.CONTACT_TYPES),
                ";".join(concerns),
                rng.choice(dd.YES_NO),
                rng.choice(dd.DISPOSITIONS),
                "yes" if linked else "no",
                rng.choice(dd.SERVICE_TYPES) if linked else "",
                rng.choice(("", *dd.AGE_GROUPS)),
                rng.choice(("", *dd.GENDERS)),
                rng.choice(("", *dd.YES_NO)),
                f"p{rng.randrange(rows // 3 + 1)}" if n % 2 else "",
                str(rng.randrange(0, 241)) if n % 5 else "",
                rng.choice(("", *dd.YES_NO)),
            ]
        )
    return out.getvalue().encode()


def test_a_real_worker_imports_a_large_file_with_progress(
    import_worker, make_staff, settings, monkeypatch, capsys
):
    ensure_directory()
    settings.MEDIA_ROOT = WORKER_MEDIA_ROOT  # where the worker's storage reads the upload
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    data = generated_file(ROWS)
    job = jobs.import_job_create(
        kind="encounters", upload=SimpleUploadedFile("large.csv", data), by=manager
    )
    assert job.total_rows == ROWS
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    # The worker is up once it answers; from then on the time is the import's alone.
    assert app.send_task("marc_safety.ping", queue=import_worker).get(timeout=60) == "pong"

    started = time.monotonic()
    app.send_task("coresponder.import_run", args=[job.pk], queue=import_worker)
    seen = []
    deadline = started + 300
    while time.monotonic() < deadline:
        status, processed = ImportJob.objects.values_list("status", "processed_rows").get(pk=job.pk)
        seen.append((status, processed, Encounter.objects.count()))
        if status not in jobs.RUNNING:
            break
        time.sleep(0.2)
    elapsed = time.monotonic() - started

    job.refresh_from_db()
    with capsys.disabled():
        phases = sorted({status for status, _, _ in seen})
        print(
            f"\nco-responder import: {ROWS:,} rows ({len(data) / 1e6:.1f} MB) by a real worker "
            f"in {elapsed:.1f} s; statuses seen while polling: {', '.join(phases)}"
        )
    assert job.status == "done", job.errors[:5]
    assert (job.created_rows, job.updated_rows, job.processed_rows) == (ROWS, 0, ROWS)
    assert Encounter.objects.count() == ROWS
    # Progress was visible while the import's own transaction was still open.
    assert any(
        status == "importing" and 0 < processed < ROWS and count == 0
        for status, processed, count in seen
    ), seen[:: max(1, len(seen) // 20)]
    assert not job.file  # the upload was deleted once imported
