"""A CSV import whose worker is killed mid-import is resumed and finished exactly once.

The fault: a worker SIGKILLed (or whose host vanished) leaves its database session behind
until PostgreSQL's TCP keepalives give up, minutes later; that session holds the job's
advisory lock and the import's open transaction. On one machine the kernel closes a killed
process's sockets at once, so the test puts the doomed worker behind a relay that, like a
vanished host, never tells PostgreSQL its client is gone (VanishingRelay).

Then the sweep (coresponder.import_resume, run by beat every 30 s; here by the test every
second) finds the job "importing" with a runner silent for IMPORT_LEASE_SECONDS (2 s here),
and queues it; a second worker ends the stale session, which rolls the dead import back,
and imports the file: every row once.

The other tests here check the takeover rules themselves, in this process.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, connections

from accounts.roles import Role
from coresponder import tasks
from coresponder.csvio import jobs, lock
from coresponder.models import Encounter, ImportJob
from marc_safety.celery import app
from marc_safety.settings_test import MEDIA_ROOT as WORKER_MEDIA_ROOT
from tests.coresponder.factories import ensure_directory
from tests.integration.conftest import ROOT, wait_for, worker_database_url
from tests.integration.test_coresponder_import import generated_file

ROWS = 60_000
LEASE = 2  # seconds: IMPORT_LEASE_SECONDS of the test's workers and sweep


class VanishingRelay:
    """A TCP relay to PostgreSQL. When a client disappears, the relay keeps its server side
    open and silent, as a host that lost power would: PostgreSQL goes on waiting."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]
        self.client_ports: list[int] = []  # as PostgreSQL sees the relayed sessions
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            self.client_ports.append(server.getsockname()[1])
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        # Either side gone: stop relaying, close nothing (no FIN reaches PostgreSQL).
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)

    def close(self) -> None:
        """Close every socket, and wait until PostgreSQL has ended the relayed sessions."""
        self.closed.set()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE client_port = ANY(%s) AND client_addr = '127.0.0.1'",
                [self.client_ports],
            )


def via(url: str, port: int) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{port}"))


class Workers:
    """Celery workers on the test database and a queue of their own."""

    def __init__(self, redis_url: str, tmp_path):
        self.redis_url = redis_url
        self.queue = f"import-resume-{uuid.uuid4().hex[:8]}"
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, *, database_url: str) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "REDIS_URL": self.redis_url,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "marc_safety.settings_test",
            "IMPORT_LEASE_SECONDS": str(LEASE),
        }
        argv = ["worker", "--pool=solo", "--loglevel=INFO", "--without-gossip"]
        argv += ["--without-mingle", "--without-heartbeat", "-Q", self.queue]
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "marc_safety", *argv, "-n", f"{name}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        ready = wait_for(
            lambda: process.poll() is not None or " ready." in log.read_text(), timeout=60
        )
        assert ready and process.poll() is None, f"worker {name} did not start\n{self.logs()}"
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name} ---\n{path.read_text()[-3000:]}"
            for path in sorted(self.tmp_path.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        # The killed worker's message stays unacknowledged in Redis: remove it and the queue.
        client = redis.Redis.from_url(self.redis_url)
        for tag, value in client.hgetall("unacked").items():
            if self.queue.encode() in value:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
        client.delete(self.queue, f"_kombu.binding.{self.queue}")
        client.close()


@pytest.fixture
def workers(redis_url, tmp_path):
    the_workers = Workers(redis_url, tmp_path)
    yield the_workers
    the_workers.stop()


def lock_holder(job_id: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = %s::oid AND objid = %s::oid AND objsubid = 2 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [lock.LOCK_NAMESPACE, job_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_is_resumed_by_another_worker_exactly_once(
    workers, make_staff, settings, monkeypatch, capsys
):
    ensure_directory()
    settings.MEDIA_ROOT = WORKER_MEDIA_ROOT  # where the workers' storage reads the upload
    settings.IMPORT_LEASE_SECONDS = LEASE  # for the sweep run here
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    job = jobs.import_job_create(
        kind="encounters", upload=SimpleUploadedFile("big.csv", generated_file(ROWS)), by=manager
    )
    db = connection.settings_dict
    relay = VanishingRelay(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    try:
        doomed = workers.start("doomed", database_url=via(worker_database_url(), relay.port))
        monkeypatch.setitem(app.conf, "task_always_eager", False)
        app.send_task("coresponder.import_run", args=[job.pk], queue=workers.queue)

        writing = wait_for(
            lambda: ImportJob.objects.filter(
                pk=job.pk, status="importing", processed_rows__gt=0
            ).exists(),
            timeout=120,
            interval=0.05,
        )
        assert writing, f"the import never reached its writing phase\n{workers.logs()}"
        os.kill(doomed.pid, signal.SIGKILL)  # --pool=solo: the main process is importing
        doomed.wait(timeout=10)
        killed = time.monotonic()
        held_by = lock_holder(job.pk)
        assert held_by is not None  # the dead worker's session still holds the job

        workers.start("rescuer", database_url=worker_database_url())
        # Beat's part, every second instead of every 30 s; queued to the test's queue.
        monkeypatch.setattr(
            tasks.import_run,
            "delay",
            lambda job_id: app.send_task(
                "coresponder.import_run", args=[job_id], queue=workers.queue
            ),
        )
        resumed = wait_for(lambda: jobs.import_jobs_resume(), timeout=30, interval=1.0)
        assert resumed == [job.pk], workers.logs()
        done = wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk).exclude(status__in=jobs.RUNNING).first(),
            timeout=60,
            interval=0.25,
        )
        finished = time.monotonic()
        assert done, f"the import was not finished\n{workers.logs()}"
    finally:
        relay.close()

    with capsys.disabled():
        print(
            f"\nkilled mid-import: resumed by another worker and done {finished - killed:.1f} s "
            f"after the SIGKILL ({ROWS:,} rows; lease {LEASE} s, sweep every 1 s)"
        )
    assert done.status == "done", done.errors[:3]
    assert (done.created_rows, done.updated_rows, done.processed_rows) == (ROWS, 0, ROWS)
    assert Encounter.objects.count() == ROWS
    assert not done.file
    assert "ending it" in (workers.tmp_path / "rescuer.log").read_text()
    with connection.cursor() as cursor:  # the stale session was ended, not left waiting
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [held_by])
        assert cursor.fetchone()[0] == 0


# --- The takeover rules, in this process ------------------------------------------------


@pytest.fixture
def queued(make_staff):
    ensure_directory()
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])

    def make(rows: int = 6) -> ImportJob:
        upload = SimpleUploadedFile("small.csv", generated_file(rows))
        return jobs.import_job_create(kind="encounters", upload=upload, by=manager)

    return make


@contextlib.contextmanager
def another_session():
    other = connections.create_connection("default")
    try:
        yield other
    finally:
        with contextlib.suppress(OperationalError):
            other.close()


def run_sql(session, sql: str, params=()) -> list:
    with session.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.mark.django_db(transaction=True)
def test_a_lock_held_by_a_session_without_sign_of_life_is_taken_over(queued, settings):
    settings.IMPORT_LEASE_SECONDS = 0.5
    job = queued()
    ImportJob.objects.filter(pk=job.pk).update(status="importing")  # its runner vanished
    with another_session() as dead_runner:
        run_sql(dead_runner, "SELECT pg_advisory_lock(%s, %s)", [lock.LOCK_NAMESPACE, job.pk])
        time.sleep(0.6)  # silent for longer than the (shortened) lease

        assert tasks.import_run(job.pk) is True

        with pytest.raises(OperationalError):  # its session was ended
            run_sql(dead_runner, "SELECT 1")
    job.refresh_from_db()
    assert (job.status, job.created_rows) == ("done", 6)
    assert lock_holder(job.pk) is None


@pytest.mark.django_db(transaction=True)
def test_a_runner_with_a_live_heartbeat_is_left_alone_though_its_session_is_busy(queued, settings):
    settings.IMPORT_LEASE_SECONDS = 0.5
    job = queued()
    ImportJob.objects.filter(pk=job.pk).update(status="importing")
    with another_session() as runner, another_session() as heartbeat:
        (pid,) = run_sql(runner, "SELECT pg_backend_pid()")[0]
        run_sql(runner, "SELECT pg_advisory_lock(%s, %s)", [lock.LOCK_NAMESPACE, job.pk])
        run_sql(heartbeat, "SET application_name = %s", [f"{lock.RUNNER_NAME}{job.pk}:{pid}"])
        time.sleep(0.6)  # the lock holder is silent (a long COPY), its heartbeat is not:
        run_sql(heartbeat, "SELECT 1")

        assert tasks.import_run(job.pk) is False
        assert jobs.import_jobs_resume() == []  # the sweep leaves it alone too
        assert run_sql(runner, "SELECT 1") == [(1,)]
    assert ImportJob.objects.get(pk=job.pk).status == "importing"
    assert not Encounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_queues_started_jobs_without_a_runner_at_once(queued, settings, monkeypatch):
    settings.IMPORT_LEASE_SECONDS = 60
    orphan, running, fresh = queued(), queued(), queued()
    ImportJob.objects.filter(pk__in=[orphan.pk, running.pk]).update(status="checking")
    queued_ids = []
    monkeypatch.setattr(jobs, "_enqueue", queued_ids.append)
    with another_session() as runner:  # a live runner, active just now
        run_sql(runner, "SELECT pg_advisory_lock(%s, %s)", [lock.LOCK_NAMESPACE, running.pk])

        assert jobs.import_jobs_resume() == [orphan.pk]

    assert queued_ids == [orphan.pk]  # fresh: queued a moment ago, its task is on its way
    assert ImportJob.objects.get(pk=fresh.pk).status == "queued"
