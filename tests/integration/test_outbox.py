"""The email outbox with a real worker, a real beat, a real Redis and a real SMTP server.

1. A broker outage: with Redis stopped, a peer-support request, a training registration,
   an assignment and a finished report are saved (their services called here); their
   emails cannot be queued. Redis starts again on the same port; the worker and beat,
   never restarted, reconnect, beat's sweep (every second here) finds the four outbox
   rows and each email reaches the SMTP server exactly once.
2. A worker killed with SIGKILL at each step of sending an email: after claiming the row,
   after the SMTP server accepted the email but before the row is marked sent, and after
   it is marked sent. A second worker and beat's sweep finish the work. The SMTP server
   gets the email once, except in the one window the outbox allows to duplicate: the
   worker died after the server accepted it and before it could mark the row sent, so
   once the claim runs out the email is sent again (with the same Message-ID).

Isolation: each test starts its own redis-server on a free port (the machine's Redis is
never touched) and its own SMTP server (aiosmtpd) on another; the worker and beat use
pytest's test database. The processes are the ordinary `celery worker` and `celery beat`,
started through LAUNCHER to apply test-only overrides the settings cannot take from the
environment: eager mode off (settings_test turns it on), the SMTP backend (settings_test
uses locmem), a beat that runs the outbox sweep only (no report catch-up), and, for the
kill test, a pause at the step where the worker is to be killed.
"""

import datetime as dt
import email
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import redis

from accounts.roles import Role
from core.models import OutboxEmail, OutboxStatus
from core.outbox import outbox_enqueue
from marc_safety.celery import app
from peersupport.services import request_assign
from reports import builders
from reports.builders import BuiltReport
from reports.models import ReportKind, ReportRun, Subscription
from reports.services import report_run_execute
from tests.conftest import require
from tests.integration.conftest import ROOT, wait_for, worker_database_url
from tests.peersupport.factories import member_for, submitted_request
from tests.training.factories import EventFactory, registration_data
from training.services import registration_create

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 3  # OUTBOX_LEASE_SECONDS of the test's workers
SWEEP_SECONDS = 1  # OUTBOX_SWEEP_SECONDS of the test's beat

LAUNCHER = """
import os, sys, time
import django
from marc_safety.celery import app

app.conf.task_always_eager = False
django.setup()
from celery.signals import beat_init
from django.conf import settings

settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(os.environ["OUTBOX_TEST_SMTP_PORT"])
settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
beat_init.disconnect(dispatch_uid="reports-catch-up")
app.conf.beat_schedule = {"sweep": settings.CELERY_BEAT_SCHEDULE["core-outbox-sweep"]}

from core import outbox


def pause(step, function, *, before):
    def paused(*args, **kwargs):
        if before:
            print(f"outbox test: paused {step}", flush=True)
            time.sleep(600)
        result = function(*args, **kwargs)
        if not before:
            print(f"outbox test: paused {step}", flush=True)
            time.sleep(600)
        return result

    return paused


step = os.environ.get("OUTBOX_TEST_PAUSE", "")
if step == "after-claim":
    outbox._deliver = pause(step, outbox._deliver, before=True)
elif step == "after-smtp":
    outbox._mark_sent = pause(step, outbox._mark_sent, before=True)
elif step == "after-mark-sent":
    outbox._mark_sent = pause(step, outbox._mark_sent, before=False)
sys.exit(app.start(sys.argv[1:]))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, which the test stops and starts on one port."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.tmp_path = tmp_path
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.tmp_path)]
        log = (self.tmp_path / "redis.log").open("a")
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return client.ping()
            except redis.RedisError:
                return False

        assert wait_for(answers, timeout=10, interval=0.05), "redis-server did not start"
        client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class SmtpSink:
    """A real SMTP server (aiosmtpd) on localhost that keeps what it accepts."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command
        self.received: list[tuple[str, str, str]] = []  # recipient, subject, Message-ID
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, message["Subject"], message["Message-ID"]))
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def by_email(self) -> Counter:
        with self.lock:
            return Counter((recipient, subject) for recipient, subject, _ in self.received)


class Cluster:
    """The test's worker and beat processes, on its own Redis and SMTP server."""

    def __init__(self, tmp_path: Path, redis_server: RedisServer, sink: SmtpSink):
        self.tmp_path = tmp_path
        self.redis = redis_server
        self.sink = sink
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, *argv],
            cwd=ROOT,
            env={
                **os.environ,
                "REDIS_URL": self.redis.url,
                "DATABASE_URL": worker_database_url(),
                "DJANGO_SETTINGS_MODULE": "marc_safety.settings_test",
                "OUTBOX_TEST_SMTP_PORT": str(self.sink.port),
                "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
                "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
                **env,
            },
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def worker(self, name: str, **env) -> subprocess.Popen:
        argv = ["worker", "--pool=solo", "--loglevel=INFO", "--without-gossip"]
        argv += ["--without-mingle", "--without-heartbeat", "-n", f"{name}-{self.redis.port}@%h"]
        process = self._start(name, argv, env)
        log = self.tmp_path / f"{name}.log"
        ready = wait_for(
            lambda: process.poll() is not None or " ready." in log.read_text(), timeout=60
        )
        assert ready and process.poll() is None, f"worker {name} did not start\n{self.logs()}"
        return process

    def beat(self) -> subprocess.Popen:
        schedule = str(self.tmp_path / "beat-schedule")
        return self._start("beat", ["beat", "--loglevel=INFO", "-s", schedule], {})

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
                process.wait(timeout=5)


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    require(bool(shutil.which("redis-server")), "redis-server is not installed")
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    sink = SmtpSink()
    sink.controller.start()
    # This process queues tasks as a web process does: to the test's Redis, not eagerly.
    monkeypatch.setitem(app.conf, "broker_url", redis_server.url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    # The connection pools made earlier in this process go to another broker: new ones
    # for the test (as after a fork), the old ones back afterwards.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    the_cluster = Cluster(tmp_path, redis_server, sink)
    yield the_cluster
    the_cluster.stop()
    redis_server.stop()
    sink.controller.stop()


def test_emails_saved_while_the_broker_is_down_are_sent_once_it_is_back(
    cluster, make_staff, monkeypatch, capsys
):
    coordinator = make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR])
    member = member_for(make_staff(roles=[Role.PEER_TEAM_MEMBER]))
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    Subscription.objects.create(user=manager, kind=ReportKind.TRAINING)
    run = ReportRun.objects.create(kind=ReportKind.TRAINING, period=dt.date(2025, 3, 1))
    monkeypatch.setattr(
        builders,
        "build",
        lambda run: BuiltReport(html="<p>report</p>", pdf=b"%PDF", csv=b"a\r\n", xlsx=b"PK"),
    )
    event = EventFactory(capacity=5)
    worker = cluster.worker("worker")
    beat = cluster.beat()
    pids = (worker.pid, beat.pid)

    cluster.redis.stop()
    stopped = time.monotonic()
    support_request, _ = submitted_request()
    registration = registration_create(event_id=event.pk, data=registration_data())
    request_assign(support_request=support_request, members=[member], by=coordinator)
    assert report_run_execute(run_id=run.pk, worker="test") == "built"
    saved = time.monotonic()
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    assert cluster.sink.count() == 0

    cluster.redis.start()  # on the same port
    expected = {
        (coordinator.email, "A new peer support request is waiting"),
        (registration.email, f"You are registered: {event.title}"),
        (member.user.email, "You have a new peer support assignment"),
        (manager.email, "Report ready: Training calendar, March 2025"),
    }
    arrived = wait_for(lambda: cluster.sink.count() >= len(expected), timeout=45, interval=0.2)
    back = time.monotonic()
    assert arrived, f"{cluster.sink.by_email()}\n{cluster.logs()}"
    time.sleep(3 * SWEEP_SECONDS)  # later sweeps send nothing more
    with capsys.disabled():
        print(
            f"\nbroker outage: 4 services saved in {saved - stopped:.1f} s with Redis down; "
            f"every email sent {back - saved:.1f} s after Redis was started again"
        )
    assert cluster.sink.by_email() == Counter(expected)
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert (worker.poll(), beat.poll()) == (None, None)
    assert pids == (worker.pid, beat.pid)  # nothing was restarted


@pytest.mark.parametrize(
    "step,copies",
    [("after-claim", 1), ("after-smtp", 2), ("after-mark-sent", 1)],
)
def test_a_worker_killed_while_sending_leaves_the_email_to_the_sweep(cluster, step, copies, capsys):
    doomed = cluster.worker("doomed", OUTBOX_TEST_PAUSE=step)
    outbox_enqueue(
        key="test:kill",
        template="testapp/note",
        to="pat@example.org",
        subject="Drill moved",
        context={"name": "Pat", "line": "The drill moved to Tuesday."},
    )  # outside a transaction: queued at once, to the doomed worker
    log = cluster.tmp_path / "doomed.log"
    paused = wait_for(lambda: f"paused {step}" in log.read_text(), timeout=30, interval=0.1)
    assert paused, cluster.logs()
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    killed = time.monotonic()
    row = OutboxEmail.objects.get(key="test:kill")
    expected_status = OutboxStatus.SENT if step == "after-mark-sent" else OutboxStatus.SENDING
    assert row.status == expected_status
    assert cluster.sink.count() == (0 if step == "after-claim" else 1)

    cluster.worker("rescuer")
    cluster.beat()
    done = wait_for(
        lambda: (
            cluster.sink.count() >= copies
            and OutboxEmail.objects.filter(key="test:kill", status=OutboxStatus.SENT).exists()
        ),
        timeout=30,
        interval=0.2,
    )
    finished = time.monotonic()
    assert done, f"{cluster.sink.received}\n{cluster.logs()}"
    time.sleep(LEASE_SECONDS + 2 * SWEEP_SECONDS)  # nothing more arrives
    with capsys.disabled():
        print(
            f"\nkilled {step}: {cluster.sink.count()} cop{'y' if copies == 1 else 'ies'} "
            f"received, the row sent {finished - killed:.1f} s after the SIGKILL "
            f"(lease {LEASE_SECONDS} s, sweep every {SWEEP_SECONDS} s)"
        )
    assert cluster.sink.by_email() == Counter({("pat@example.org", "Drill moved"): copies})
    assert len({message_id for _, _, message_id in cluster.sink.received}) == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == (1 if step == "after-mark-sent" else 2)
