"""Report runs: built once however often they are run, claimed by one worker, rebuilt as
new versions; ready notices sent once, to those who may read the report, without figures."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from core.models import OutboxEmail, OutboxStatus
from core.outbox import outbox_sweep
from coresponder.dictionary import AGENCIES, PROVIDERS
from coresponder.models import MonthlyCallVolume
from reports import builders, services, tasks
from reports.builders import BuiltReport
from reports.models import ReportKind, ReportRun, RunStatus, Subscription
from reports.notifications import subscribers_notify
from tests.coresponder.factories import encounter, org

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
FILES = ("html_file", "pdf_file", "csv_file", "xlsx_file")


@pytest.fixture
def fake_build(monkeypatch):
    """builders.build replaced by a fast one that counts its calls."""
    calls = []

    def build(run):
        calls.append(run.pk)
        n = len(calls)
        return BuiltReport(
            html=f"<p>report {n}</p>",
            pdf=b"%PDF-1.7 fake " + bytes([n]),
            csv=b"a,b\r\n",
            xlsx=b"PK",
        )

    monkeypatch.setattr(builders, "build", build)
    return calls


def run_for(kind=ReportKind.TRAINING, scope="", period=MARCH) -> ReportRun:
    return ReportRun.objects.create(kind=kind, period=period, scope=scope)


def stored_bytes(run: ReportRun) -> list[bytes]:
    contents = []
    for name in FILES:
        with getattr(run, name).open("rb") as handle:
            contents.append(handle.read())
    return contents


# --- Execute ---------------------------------------------------------------------------


def test_a_run_is_built_once_into_four_files_with_a_matching_checksum(monkeypatch):
    calls = []
    real_build = builders.build

    def counting(run):
        calls.append(run.pk)
        return real_build(run)

    monkeypatch.setattr(builders, "build", counting)
    run = run_for()

    assert services.report_run_execute(run_id=run.pk, worker="w1") == "built"

    run.refresh_from_db()
    assert calls == [run.pk]
    assert run.status == RunStatus.DONE
    assert run.attempts == 1 and run.lease_until is None and run.finished_at is not None
    contents = stored_bytes(run)
    assert contents[1].startswith(b"%PDF")
    assert run.checksum == hashlib.sha256(b"".join(contents)).hexdigest()
    assert run.pdf_file.name.endswith("training-program-2025-03-v1.pdf")


def test_running_a_finished_run_again_is_skipped_and_changes_nothing(fake_build):
    run = run_for()
    services.report_run_execute(run_id=run.pk, worker="w1")
    run.refresh_from_db()
    before = (run.checksum, run.finished_at, run.attempts, [getattr(run, f).name for f in FILES])

    assert services.report_run_execute(run_id=run.pk, worker="w2") == "skipped"

    run.refresh_from_db()
    assert (run.checksum, run.finished_at, run.attempts, [getattr(run, f).name for f in FILES]) == (
        before
    )
    assert len(fake_build) == 1


def test_a_run_with_a_live_lease_is_not_claimed_by_another_worker(fake_build):
    run = run_for()
    assert services.report_run_claim(run_id=run.pk, worker="w1")

    assert not services.report_run_claim(run_id=run.pk, worker="w2")
    assert services.report_run_execute(run_id=run.pk, worker="w2") == "skipped"

    run.refresh_from_db()
    assert (run.status, run.claimed_by, run.attempts) == (RunStatus.RUNNING, "w1", 1)
    assert fake_build == []


def test_a_run_whose_lease_expired_is_taken_over_and_built(fake_build, settings):
    run = run_for()
    long_ago = timezone.now() - dt.timedelta(seconds=2 * settings.REPORT_LEASE_SECONDS)
    assert services.report_run_claim(run_id=run.pk, worker="killed", now=long_ago)

    assert services.report_run_execute(run_id=run.pk, worker="w2") == "built"

    run.refresh_from_db()
    assert (run.status, run.claimed_by, run.attempts) == (RunStatus.DONE, "w2", 2)


def test_a_late_finisher_whose_run_was_taken_over_keeps_nothing(monkeypatch):
    run = run_for()

    def build_while_taken_over(run):
        ReportRun.objects.filter(pk=run.pk).update(claimed_by="other worker")
        return BuiltReport(html="<p>late</p>", pdf=b"%PDF late", csv=b"", xlsx=b"PK")

    monkeypatch.setattr(builders, "build", build_while_taken_over)

    assert services.report_run_execute(run_id=run.pk, worker="w1") == "skipped"

    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.checksum == "" and not run.pdf_file


# --- Month runs and rebuilds -----------------------------------------------------------


def test_month_runs_are_created_for_every_kind_and_coresponder_scope_once():
    created = services.month_runs_ensure(period=MARCH)

    expected = {(kind, "") for kind in ReportKind.values}
    expected |= {("coresponder", f"agency:{code}") for code in AGENCIES}
    expected |= {("coresponder", f"provider:{code}") for code in PROVIDERS}
    assert {(r.kind, r.scope) for r in created} == expected
    assert services.month_runs_ensure(period=MARCH) == []
    assert ReportRun.objects.filter(period=MARCH).count() == len(expected)


def test_a_rebuild_adds_version_two_and_keeps_version_one(fake_build, make_staff):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    first = run_for()
    services.report_run_execute(run_id=first.pk, worker="w1")
    first.refresh_from_db()
    first_files = stored_bytes(first)

    second = services.report_rebuild(run=first, by=manager)
    assert services.report_rebuild(run=first, by=manager) == second  # one waiting build is enough
    services.report_run_execute(run_id=second.pk, worker="w1")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.version, second.status) == (2, RunStatus.DONE)
    assert first.status == RunStatus.DONE and stored_bytes(first) == first_files
    assert second.pdf_file.name != first.pdf_file.name
    assert stored_bytes(second)[0] == b"<p>report 2</p>"


def test_a_rebuild_is_queued_after_commit_and_audited_with_who_asked_and_from_where(
    make_staff, monkeypatch, django_capture_on_commit_callbacks
):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    queued = []
    monkeypatch.setattr(tasks.build_run, "delay", queued.append)
    first = run_for()
    ReportRun.objects.filter(pk=first.pk).update(status=RunStatus.DONE)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = services.report_rebuild(run=first, by=manager, ip="198.51.100.7")
    assert queued == []  # nothing is queued before the transaction commits
    for callback in callbacks:
        callback()

    assert queued == [new.pk]
    assert (new.version, new.requested_by) == (2, manager)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="reports.reportrun")
    assert (event.object_id, event.actor_id, event.ip_address) == (
        str(new.pk),
        manager.pk,
        "198.51.100.7",
    )


def test_subscriptions_are_kept_only_for_kinds_the_user_may_see(make_staff):
    coordinator = make_staff(roles=[Role.TRAINING_COORDINATOR])

    wanted = ["training", "summary", "coresponder", "no-such-kind"]
    assert services.subscriptions_set(user=coordinator, kinds=wanted) == ["training"]
    assert list(Subscription.objects.values_list("user_id", "kind")) == [
        (coordinator.pk, "training")
    ]

    assert services.subscriptions_set(user=coordinator, kinds=[]) == []
    assert not Subscription.objects.exists()


# --- Failures --------------------------------------------------------------------------


def test_a_retryable_failure_goes_back_to_pending_and_a_final_one_shows_failed(fake_build):
    run = run_for()
    services.report_run_claim(run_id=run.pk, worker="w1")
    services.report_run_fail(run_id=run.pk, worker="w1", error="OSError('disk')", final=False)
    run.refresh_from_db()
    assert (run.status, run.error, run.lease_until) == (RunStatus.PENDING, "OSError('disk')", None)

    services.report_run_claim(run_id=run.pk, worker="w2")
    services.report_run_fail(run_id=run.pk, worker="someone else", error="late", final=True)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # only the worker holding the claim records

    services.report_run_fail(run_id=run.pk, worker="w2", error="OSError('again')", final=True)
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "OSError('again')")
    assert run.finished_at is not None and run.attempts == 2


def test_a_build_error_marks_the_run_failed_with_the_error(monkeypatch):
    def broken(run):
        raise ValueError("Unknown co-responder scope 'agency:atlantis'.")

    monkeypatch.setattr(builders, "build", broken)
    run = run_for()

    with pytest.raises(ValueError):
        tasks.build_run.delay(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "Unknown co-responder scope 'agency:atlantis'." in run.error
    assert not run.pdf_file and run.checksum == ""


# --- Ready notices ---------------------------------------------------------------------


def subscribe(user, kind) -> None:
    Subscription.objects.create(user=user, kind=kind)


def done_run(kind=ReportKind.CORESPONDER, scope="") -> ReportRun:
    return ReportRun.objects.create(
        kind=kind, period=MARCH, scope=scope, status=RunStatus.DONE, checksum="x"
    )


def test_a_finished_build_emails_each_subscriber_once_with_a_link(
    fake_build, make_staff, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.org"
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    subscribe(manager, ReportKind.TRAINING)
    run = run_for()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_run_execute(run_id=run.pk, worker="w1")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager.email]
    assert f"https://portal.example.org/staff/reports/{run.pk}/" in message.body
    assert f"https://portal.example.org/staff/reports/{run.pk}/" in message.alternatives[0][0]
    assert message.subject == "Report ready: Training calendar, March 2025"

    assert subscribers_notify(run_id=run.pk) == 0  # asked again: already in the outbox
    assert outbox_sweep() == 0
    assert len(mail.outbox) == 1
    notice = OutboxEmail.objects.get(key=f"report-ready:{run.pk}:{manager.pk}")
    assert notice.status == OutboxStatus.SENT


def test_the_email_never_carries_the_report_figures(make_staff):
    for day in ("2025-03-03", "2025-03-04", "2025-03-05"):
        encounter(date=day)
    MonthlyCallVolume.objects.create(agency=org("blue-springs"), month=MARCH, mh_calls=4321)
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    subscribe(manager, ReportKind.CORESPONDER)
    run = run_for(kind=ReportKind.CORESPONDER)
    services.report_run_execute(run_id=run.pk, worker="w1")  # adds the notice to the outbox
    run.refresh_from_db()
    html = run.html_file.open("rb").read().decode()
    assert "4,321" in html and "0.1%" in html  # the figures the email must not carry

    assert subscribers_notify(run_id=run.pk) == 0  # there already
    assert outbox_sweep() == 1

    message = mail.outbox[0]
    for text in (message.subject, message.body, message.alternatives[0][0]):
        for figure in ("4321", "4,321", "0.1%"):
            assert figure not in text


def test_agency_reports_go_to_that_agency_liaison_and_program_managers_only(make_staff):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    blue_springs = make_staff(roles=[Role.AGENCY_LIAISON], organization=org("blue-springs"))
    grandview = make_staff(roles=[Role.AGENCY_LIAISON], organization=org("grandview"))
    other_staff = make_staff(roles=[Role.TRAINING_COORDINATOR])
    for user in (manager, blue_springs, grandview, other_staff):
        subscribe(user, ReportKind.CORESPONDER)

    def told(run) -> set:
        mail.outbox.clear()
        subscribers_notify(run_id=run.pk)
        outbox_sweep()
        return {m.to[0] for m in mail.outbox}

    assert told(done_run(scope="agency:blue-springs")) == {manager.email, blue_springs.email}
    assert told(done_run(scope="provider:burrell")) == {manager.email}
    # Program-wide reports carry substance-use figures: program managers only.
    assert told(done_run(scope="")) == {manager.email}


def test_peer_support_summary_and_training_reports_go_to_their_readers_only(make_staff):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    coordinator = make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR])
    trainer = make_staff(roles=[Role.TRAINING_COORDINATOR])
    for user in (manager, coordinator, trainer):
        subscribe(user, ReportKind.PEERSUPPORT)
        subscribe(user, ReportKind.SUMMARY)
        subscribe(user, ReportKind.TRAINING)

    def told(run) -> set:
        mail.outbox.clear()
        subscribers_notify(run_id=run.pk)
        outbox_sweep()
        return {m.to[0] for m in mail.outbox}

    assert told(done_run(kind=ReportKind.PEERSUPPORT)) == {manager.email, coordinator.email}
    assert told(done_run(kind=ReportKind.SUMMARY)) == {manager.email}
    assert told(done_run(kind=ReportKind.TRAINING)) == {manager.email, trainer.email}


def test_a_failed_send_is_sent_again_by_the_outbox_later(make_staff, monkeypatch):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    subscribe(manager, ReportKind.TRAINING)
    run = done_run(kind=ReportKind.TRAINING)

    def refuse(self, fail_silently=False):
        raise OSError("mail server down")

    assert subscribers_notify(run_id=run.pk) == 1
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with monkeypatch.context() as patch:
            patch.setattr(EmailMultiAlternatives, "send", refuse)
            assert outbox_sweep() == 0
        notice = OutboxEmail.objects.get(key=f"report-ready:{run.pk}:{manager.pk}")
        assert notice.status == OutboxStatus.PENDING and "mail server down" in notice.last_error

        clock.shift(dt.timedelta(minutes=2))
        assert outbox_sweep() == 1
    assert subscribers_notify(run_id=run.pk) == 0
    assert len(mail.outbox) == 1


def test_unfinished_runs_send_no_notice(make_staff):
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    subscribe(manager, ReportKind.TRAINING)
    assert subscribers_notify(run_id=run_for().pk) == 0
    assert mail.outbox == [] and not OutboxEmail.objects.exists()


def test_lease_remaining_tells_a_redelivered_task_when_to_come_back():
    import datetime as dt

    from django.utils import timezone

    from reports.models import ReportRun
    from reports.services import lease_remaining, report_run_claim

    run = ReportRun.objects.create(kind="training", period=dt.date(2026, 10, 1))
    now = timezone.now()
    assert lease_remaining(run_id=run.pk, now=now) is None  # not running
    assert report_run_claim(run_id=run.pk, worker="w1", now=now)
    remaining = lease_remaining(run_id=run.pk, now=now)
    assert 0 < remaining <= 300
    assert not report_run_claim(run_id=run.pk, worker="w2", now=now)
    later = now + dt.timedelta(seconds=remaining + 1)
    assert report_run_claim(run_id=run.pk, worker="w2", now=later)
