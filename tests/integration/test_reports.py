"""Monthly reports built by real Celery workers (and beat) on the real Redis and PostgreSQL.

1. Beat's start-up catch-up (reports.schedule) queues the previous month's runs and a
   worker builds every one of them: four files and a checksum each.
2. A worker SIGKILLed in the middle of a build: the broker redelivers the unacknowledged
   task after the visibility timeout, a new worker claims the run once the lease has run
   out, and the report ends done exactly once (no reports.resume is sent).
3. Two workers given the same run at the same time: one builds, the other skips.

Isolation: each test uses a Redis database of its own (10 to 14, picked at random; the
cache takes the next one) and a queue of its own, and its processes run with that queue as
their default queue, so the tasks they queue themselves (build_run from start_month,
core.outbox_send) stay in the test too. The kill test needs the separate database most:
its short visibility timeout makes a worker redeliver every unacknowledged message of its
database, and other test runs' long tasks must not be among them.

The processes are the ordinary `celery worker` and `celery beat` commands, started through
LAUNCHER only to apply three test-only overrides the settings cannot take from the
environment: the default queue, eager mode off (settings_test turns it on, and beat would
then build the reports itself) and MEDIA_ROOT (the test's own directory).
"""

import datetime as dt
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.utils import timezone

from reports.models import ReportKind, ReportRun, RunStatus
from reports.services import previous_month, scopes_for
from tests.coresponder.factories import encounter, ensure_directory
from tests.integration.conftest import ROOT, wait_for, worker_database_url

pytestmark = pytest.mark.django_db(transaction=True)

FILE_FIELDS = ("html_file", "pdf_file", "csv_file", "xlsx_file")  # the checksum's order

LAUNCHER = """
import os, sys
import django
from marc_safety.celery import app

app.conf.task_default_queue = os.environ["REPORTS_TEST_QUEUE"]
app.conf.task_always_eager = False
django.setup()
from django.conf import settings

settings.MEDIA_ROOT = os.environ["REPORTS_TEST_MEDIA_ROOT"]
sys.exit(app.start(sys.argv[1:]))
"""


class Cluster:
    """Worker and beat processes of one test, on its own Redis database and queue."""

    def __init__(self, broker_url: str, tmp_path: Path):
        self.broker_url = broker_url
        self.queue = f"reports-test-{uuid.uuid4().hex[:8]}"
        self.tmp_path = tmp_path
        self.media_root = Path(settings.MEDIA_ROOT)
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        # Not the current app: the test process keeps running shared tasks eagerly on its own.
        self.client = Celery(
            "reports-test", broker=broker_url, backend=broker_url, set_as_current=False
        )
        self.client.conf.broker_connection_retry_on_startup = True
        self.result_ids: list[str] = []

    def _start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, *argv],
            cwd=ROOT,
            env={
                **os.environ,
                "REDIS_URL": self.broker_url,
                "DATABASE_URL": worker_database_url(),
                "DJANGO_SETTINGS_MODULE": "marc_safety.settings_test",
                "REPORTS_TEST_QUEUE": self.queue,
                "REPORTS_TEST_MEDIA_ROOT": str(self.media_root),
                **{key: str(value) for key, value in env.items()},
            },
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append((process, log))
        return process

    def worker(self, name: str, **env) -> subprocess.Popen:
        """A solo-pool worker on the test's queue, once it is ready to take tasks."""
        argv = [
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            self.queue,
            "-n",
            f"{name}-{self.queue}@%h",
        ]
        process = self._start(name, argv, env)
        log = self.tmp_path / f"{name}.log"
        ready = wait_for(
            lambda: process.poll() is not None or " ready." in log.read_text(), timeout=60
        )
        assert ready and process.poll() is None, f"worker {name} did not start\n{self.logs()}"
        return process

    def beat(self) -> subprocess.Popen:
        schedule = self.tmp_path / "beat-schedule"
        return self._start("beat", ["beat", "--loglevel=INFO", "-s", str(schedule)], {})

    def send_build(self, run_id: int) -> str:
        result = self.client.send_task(
            "reports.build_run", args=[run_id], queue=self.queue, ignore_result=False
        )
        self.result_ids.append(result.id)
        return result.id

    def result(self, task_id: str, timeout: float):
        return self.client.AsyncResult(task_id).get(timeout=timeout)

    def log_text(self, name: str) -> str:
        path = self.tmp_path / f"{name}.log"
        return path.read_text() if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name} ---\n{log.read_text()[-4000:]}" for _, log in self.processes
        )

    def stop(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
        for process, _ in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        # Leave nothing of this test in Redis: its queue, binding and results (by name).
        connection = redis.Redis.from_url(self.broker_url)
        connection.delete(
            self.queue,
            f"_kombu.binding.{self.queue}",
            f"_kombu.binding_permanent.{self.queue}",
            *(f"celery-task-meta-{task_id}" for task_id in self.result_ids),
        )
        connection.close()
        self.client.close()


@pytest.fixture
def cluster(redis_url, tmp_path):
    ensure_directory()
    parts = urlsplit(redis_url)
    database = random.randint(10, 14)  # noqa: S311 - the cache takes database + 1
    broker_url = urlunsplit(parts._replace(path=f"/{database}"))
    the_cluster = Cluster(broker_url, tmp_path)
    yield the_cluster
    the_cluster.stop()


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "reports"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def assert_complete(run: ReportRun) -> None:
    """Done, with four files that exist and the checksum of their contents."""
    assert run.status == RunStatus.DONE, (run, run.status, run.error)
    digest = hashlib.sha256()
    for field in FILE_FIELDS:
        file = getattr(run, field)
        assert file.name, f"{run}: no {field}"
        with file.storage.open(file.name, "rb") as handle:
            content = handle.read()
        assert content, f"{run}: {field} is empty"
        digest.update(content)
    assert run.checksum == digest.hexdigest(), run
    assert run.finished_at and run.lease_until is None and not run.error


def test_beat_catch_up_builds_every_report_of_the_previous_month(cluster, capsys):
    month = previous_month(timezone.localdate())
    day = month + dt.timedelta(days=9)
    for n, (agency, provider) in enumerate(
        [("blue-springs", "rediscover"), ("independence", "rediscover"), ("raytown", "burrell")]
    ):
        encounter(encounter_id=f"R-{n}", agency=agency, provider=provider, date=day.isoformat())
    expected = sum(len(scopes_for(kind)) for kind in ReportKind.values)

    started = time.monotonic()
    cluster.worker("scheduled")
    cluster.beat()  # nothing but its start-up catch-up queues reports.start_month

    def all_done():
        runs = ReportRun.objects.filter(period=month)
        return runs.count() == expected and not runs.exclude(status=RunStatus.DONE).exists()

    finished = wait_for(all_done, timeout=120, interval=0.5)
    elapsed = time.monotonic() - started
    runs = list(ReportRun.objects.filter(period=month))
    assert finished, (
        f"{sum(r.status == RunStatus.DONE for r in runs)} of {expected} runs done: "
        f"{[(str(r), r.status, r.error[:200]) for r in runs if r.status != RunStatus.DONE]}\n"
        f"{cluster.logs()}"
    )
    with capsys.disabled():
        print(f"\nbeat catch-up: {expected} reports of {month:%Y-%m} built in {elapsed:.1f} s")
    assert ReportRun.objects.count() == expected  # only the previous month, version 1 each
    for run in runs:
        assert run.version == 1 and run.attempts == 1, run
        assert_complete(run)
    assert len(stored_files()) == 4 * expected


def test_a_run_killed_mid_build_is_redelivered_and_done_exactly_once(cluster, capsys):
    month = previous_month(timezone.localdate())
    encounter(encounter_id="K-1", date=(month + dt.timedelta(days=4)).isoformat())
    run = ReportRun.objects.create(kind=ReportKind.CORESPONDER, period=month, scope="")
    short = {"REPORT_LEASE_SECONDS": 5, "CELERY_VISIBILITY_TIMEOUT": 8}
    first = cluster.worker("doomed", REPORT_BUILD_PAUSE_SECONDS=20, **short)

    sent = time.monotonic()
    cluster.send_build(run.pk)
    claimed = wait_for(
        lambda: (
            ReportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING)
            .exclude(claimed_by="")
            .first()
        ),
        timeout=30,
    )
    assert claimed, f"the first worker never claimed the run\n{cluster.logs()}"
    assert "doomed-" in claimed.claimed_by
    time.sleep(0.5)  # inside the build's pause (the report itself takes well under 20 s)
    os.kill(first.pid, signal.SIGKILL)  # --pool=solo: the main process is the one building
    first.wait(timeout=10)
    killed = time.monotonic()
    assert stored_files() == []  # killed before storing anything

    # A worker restarted after a crash. kombu sweeps for unacknowledged messages older than
    # the visibility timeout when a worker starts, then only every ~100 s (its defaults:
    # unacked_restore_interval 10 s × unacked_restore_throttle 10); so the new worker is
    # started once the visibility timeout has passed, and its start-up sweep redelivers.
    time.sleep(max(0.0, sent + 8.5 - time.monotonic()))
    cluster.worker("rescuer", REPORT_BUILD_PAUSE_SECONDS=0, **short)

    done = wait_for(
        lambda: ReportRun.objects.filter(pk=run.pk, status=RunStatus.DONE).first(),
        timeout=45,
        interval=0.25,
    )
    redone = time.monotonic()
    assert done, f"the run never finished: {ReportRun.objects.get(pk=run.pk).__dict__}\n" + (
        cluster.logs()
    )
    with capsys.disabled():
        print(
            f"\nkilled mid-build: done {redone - killed:.1f} s after the SIGKILL "
            f"({redone - sent:.1f} s after queueing; visibility timeout 8 s, lease 5 s)"
        )
    time.sleep(1.0)  # nothing else arrives (a second build would add files)
    rows = ReportRun.objects.filter(kind=run.kind, period=run.period, scope=run.scope)
    assert rows.count() == 1
    done.refresh_from_db()
    assert done.attempts == 2, done.attempts
    assert "rescuer-" in done.claimed_by
    assert_complete(done)
    assert stored_files() == sorted(
        Path(settings.MEDIA_ROOT) / getattr(done, field).name for field in FILE_FIELDS
    )
    assert "reports.build_run" in cluster.log_text("rescuer")


def test_two_workers_given_the_same_run_build_it_once(cluster, capsys):
    month = previous_month(timezone.localdate())
    run = ReportRun.objects.create(kind=ReportKind.CORESPONDER, period=month, scope="")
    # A pause long enough that the second delivery arrives while the first is still building.
    cluster.worker("left", REPORT_BUILD_PAUSE_SECONDS=2)
    cluster.worker("right", REPORT_BUILD_PAUSE_SECONDS=2)

    started = time.monotonic()
    task_ids = [cluster.send_build(run.pk), cluster.send_build(run.pk)]
    outcomes = sorted(cluster.result(task_id, timeout=60) for task_id in task_ids)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\ntwo workers, one run: {outcomes} in {elapsed:.1f} s")

    assert outcomes == ["built", "skipped"], cluster.logs()
    # Each worker took one of the two tasks: the claim decided, not the queue.
    for name in ("left", "right"):
        assert "reports.build_run[" in cluster.log_text(name), cluster.logs()
    run.refresh_from_db()
    assert run.attempts == 1
    assert_complete(run)
    assert ReportRun.objects.filter(kind=run.kind, period=run.period, scope=run.scope).count() == 1
    assert stored_files() == sorted(
        Path(settings.MEDIA_ROOT) / getattr(run, field).name for field in FILE_FIELDS
    )
