"""The email outbox: every email once, claimed by one worker, retried with backoff, swept."""

import datetime as dt
import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connections, transaction

from core import outbox, tasks
from core.models import OutboxEmail, OutboxStatus
from core.outbox import outbox_claim, outbox_enqueue, outbox_retry, outbox_send, outbox_sweep

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def enqueue(key="note:1", *, to="pat@example.org", **fields) -> bool:
    values = {
        "template": "testapp/note",
        "subject": "A note",
        "context": {"name": "Pat O'Neil", "line": "The drill moved to Tuesday."},
        **fields,
    }
    return outbox_enqueue(key=key, to=to, **values)


def row(key="note:1") -> OutboxEmail:
    return OutboxEmail.objects.get(key=key)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def smtp_down(monkeypatch):
    """The mail server drops every connection until the test calls .recover()."""

    class Server:
        calls = 0

        def recover(self):
            monkeypatch.undo()

    server = Server()

    def refuse(self, fail_silently=False):
        server.calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    return server


# --- Enqueue: one row per key, in the caller's transaction ---------------------------------


def test_enqueuing_the_same_key_twice_adds_one_row_and_says_so():
    assert enqueue() is True
    assert enqueue(subject="A different subject") is False
    assert OutboxEmail.objects.count() == 1
    assert row().subject == "A note"


def test_an_email_enqueued_in_a_transaction_that_rolls_back_is_never_there(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue()
        raise RuntimeError("the change failed")
    assert not OutboxEmail.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_the_email_is_sent_after_commit_and_not_before(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue()
    assert mail.outbox == [] and row().status == OutboxStatus.PENDING
    for callback in callbacks:  # the commit: core.outbox_send is queued (eager in tests)
        callback()
    [email] = mail.outbox
    assert email.to == ["pat@example.org"] and email.subject == "A note"
    assert row().status == OutboxStatus.SENT


def test_an_unknown_template_or_a_missing_recipient_fails_in_the_callers_code():
    from django.template import TemplateDoesNotExist

    with pytest.raises(TemplateDoesNotExist):
        enqueue(template="testapp/no-such-email")
    with pytest.raises(ValueError):
        enqueue(to="")
    assert not OutboxEmail.objects.exists()


# --- Rendering ----------------------------------------------------------------------------


def test_the_email_is_rendered_from_the_text_and_html_templates_with_its_attachments(settings):
    settings.SITE_URL = "https://portal.example.org"
    enqueue(attachments=[("drill.ics", b"BEGIN:VCALENDAR\r\n", "text/calendar; charset=utf-8")])
    assert outbox_send(row_id=row().pk) == "sent"
    [email] = mail.outbox
    assert email.body.startswith("Hello Pat O'Neil,")  # the text part is not HTML-escaped
    assert "Portal: https://portal.example.org" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and "Pat O&#x27;Neil" in html
    [(filename, content, mimetype)] = email.attachments
    assert (filename, mimetype) == ("drill.ics", "text/calendar; charset=utf-8")
    assert content in (b"BEGIN:VCALENDAR\r\n", "BEGIN:VCALENDAR\r\n")
    assert email.extra_headers["Message-ID"] == outbox.message_id(row())


def test_a_text_only_email_has_no_html_part():
    enqueue(template="testapp/plain")
    outbox_send(row_id=row().pk)
    [email] = mail.outbox
    assert email.body == "Just text for Pat O'Neil.\n" and email.alternatives == []


def test_a_sent_row_keeps_its_record_but_not_its_context_or_attachments():
    enqueue(attachments=[("a.txt", b"x", "text/plain")])
    outbox_send(row_id=row().pk)
    sent = row()
    assert (sent.status, sent.attempts, sent.to, sent.subject) == (
        OutboxStatus.SENT,
        1,
        "pat@example.org",
        "A note",
    )
    assert sent.sent_at and sent.claimed_until is None
    assert sent.context == {} and sent.attachments == []


# --- Claims: one worker sends ---------------------------------------------------------------


def test_sending_a_row_twice_sends_one_email():
    enqueue()
    assert outbox_send(row_id=row().pk) == "sent"
    assert tasks.outbox_send.apply(args=[row().pk]).get() == "skipped"  # a redelivered task
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_a_live_worker_is_left_to_it(clock):
    enqueue()
    claimed = outbox_claim(row_id=row().pk)  # another worker, still within its claim
    assert claimed.status == OutboxStatus.SENDING
    clock.shift(dt.timedelta(seconds=60))
    assert outbox_send(row_id=row().pk) == "skipped"
    assert outbox_sweep() == 0
    assert mail.outbox == []
    assert row().attempts == 1


@pytest.mark.django_db(transaction=True)
def test_workers_sending_the_same_row_at_the_same_moment_send_it_once(monkeypatch):
    monkeypatch.setattr(tasks.outbox_send, "delay", lambda row_id: None)  # not at commit
    enqueue()
    row_id = row().pk
    barrier = threading.Barrier(4)

    def send():
        try:
            barrier.wait(timeout=10)
            return outbox_send(row_id=row_id)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(lambda _: send(), range(4)))
    assert outcomes == ["sent", "skipped", "skipped", "skipped"]
    assert len(mail.outbox) == 1
    assert row().attempts == 1


# --- Errors: backoff, then failed; the admin's retry ------------------------------------------


def test_a_mail_server_error_backs_off_doubling_then_fails_after_the_limit(
    clock, smtp_down, settings
):
    settings.OUTBOX_RETRY_SECONDS = 60
    settings.OUTBOX_MAX_ATTEMPTS = 4
    enqueue()
    assert outbox_send(row_id=row().pk) == "retrying"
    waits = []
    for _ in range(2):
        pending = row()
        assert pending.status == OutboxStatus.PENDING and pending.claimed_until is None
        assert "SMTPServerDisconnected" in pending.last_error
        wait = pending.next_attempt_at - dt.datetime.now(dt.UTC)
        waits.append(wait.total_seconds())
        clock.shift(wait - dt.timedelta(seconds=1))
        assert outbox_sweep() == 0 and row().attempts == len(waits)  # not due yet
        clock.shift(dt.timedelta(seconds=1))
        outbox_sweep()
    assert waits == [60, 120]
    assert row().attempts == 3
    clock.shift(row().next_attempt_at - dt.datetime.now(dt.UTC))
    outbox_sweep()
    failed = row()
    assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 4)
    assert smtp_down.calls == 4
    clock.shift(dt.timedelta(days=1))
    assert outbox_sweep() == 0 and smtp_down.calls == 4  # failed rows wait for a person


def test_retrying_a_failed_row_starts_its_attempts_over_and_sends_it(
    smtp_down, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    enqueue()
    enqueue("note:2")
    for key in ("note:1", "note:2"):
        outbox_send(row_id=row(key).pk)
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.FAILED}
    smtp_down.recover()

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_retry(ids=[row().pk]) == 1
    assert (row().status, row().attempts) == (OutboxStatus.SENT, 1)
    assert row("note:2").status == OutboxStatus.FAILED
    assert [m.to for m in mail.outbox] == [["pat@example.org"]]
    assert outbox_retry(ids=[row().pk]) == 0  # only failed rows are retried


def test_a_permanent_refusal_fails_at_once(monkeypatch):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({"pat@example.org": (550, b"No such user")})

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    enqueue()
    assert outbox_send(row_id=row().pk) == "failed"
    assert row().status == OutboxStatus.FAILED and "No such user" in row().last_error


# --- The sweep ------------------------------------------------------------------------------


def test_the_sweep_sends_what_the_broker_could_not_take(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.outbox_send, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue() is True  # the caller's request goes on
    assert mail.outbox == [] and row().status == OutboxStatus.PENDING
    assert "could not queue core.outbox_send" in caplog.text

    assert tasks.outbox_sweep.apply().get() == 1
    assert tasks.outbox_sweep.apply().get() == 0
    assert len(mail.outbox) == 1 and row().status == OutboxStatus.SENT


def test_the_sweep_takes_over_a_row_whose_worker_died(clock, settings):
    settings.OUTBOX_LEASE_SECONDS = 120
    enqueue()
    outbox_claim(row_id=row().pk)  # the worker was killed after its claim
    clock.shift(dt.timedelta(seconds=119))
    assert outbox_sweep() == 0
    clock.shift(dt.timedelta(seconds=2))
    assert outbox_sweep() == 1
    assert len(mail.outbox) == 1
    assert (row().status, row().attempts) == (OutboxStatus.SENT, 2)


def test_the_sweep_sends_oldest_first_and_a_full_batch_queues_the_next_sweep(monkeypatch):
    for n in range(3):
        enqueue(f"note:{n}", to=f"p{n}@example.org")
    queued = []
    monkeypatch.setattr(tasks.outbox_sweep, "delay", lambda: queued.append("sweep"))
    assert outbox_sweep(limit=2) == 2
    assert [m.to[0] for m in mail.outbox] == ["p0@example.org", "p1@example.org"]
    assert queued == ["sweep"]
    assert outbox_sweep(limit=2) == 1 and queued == ["sweep"]


def test_beat_sweeps_the_outbox_every_minute_with_an_expiry(settings):
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.outbox_sweep"
    ]
    assert entry["schedule"] == 60
    assert 0 < entry["options"]["expires"] < 60
