"""A build that loses its database connection half-way: recorded at once, no stray files.

The run goes back to pending with the error (the attempt counted) for the task's retry or
the resume sweep, instead of staying "running" until its lease runs out; the files the
failed attempt wrote are removed from storage; the next attempt builds it.
"""

import datetime as dt
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, connections
from django.utils import timezone

from reports import builders, services, tasks
from reports.builders import BuiltReport
from reports.models import ReportKind, ReportRun, RunStatus

MARCH = dt.date(2025, 3, 1)
FILES = ("html_file", "pdf_file", "csv_file", "xlsx_file")


def files_in_storage() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def builds(monkeypatch):
    """builders.build replaced by a fast one that notes what each attempt found."""
    seen = []

    def build(run):
        run_now = ReportRun.objects.get(pk=run.pk)
        seen.append(
            {
                "status": run_now.status,
                "error": run_now.error,
                "attempts": run_now.attempts,
                "files": files_in_storage(),
            }
        )
        return BuiltReport(html="<p>report</p>", pdf=b"%PDF-1.7 fake", csv=b"a\r\n", xlsx=b"PK")

    monkeypatch.setattr(builders, "build", build)
    return seen


@pytest.fixture
def storage_saves(monkeypatch):
    """Calls `after_first` once the first file of a build has been written (before the
    second is), and counts the files written."""
    storage_class = default_storage.__class__  # the lazy object reports the real class
    save = storage_class.save
    state = {"after_first": None, "saved": 0}

    def counted(self, name, content, *args, **kwargs):
        if state["saved"] == 1 and state["after_first"] is not None:
            state["after_first"]()
        stored = save(self, name, content, *args, **kwargs)
        state["saved"] += 1
        return stored

    monkeypatch.setattr(storage_class, "save", counted)
    return state


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid: int) -> None:
    """What a PostgreSQL restart or a dropped network does to one connection."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_build_that_loses_its_connection_is_retried_at_once_and_leaves_no_files(
    builds, storage_saves
):
    run = ReportRun.objects.create(kind=ReportKind.TRAINING, period=MARCH)
    pid = backend_pid()
    storage_saves["after_first"] = lambda: terminate(pid)  # the connection dies mid-way

    with pytest.raises(Retry):  # eager in tests: the retry (in 30 s) is raised, not run
        tasks.build_run.delay(run.pk)

    # Recorded at once: back to pending with the error, the attempt counted, and none of
    # the files it wrote left behind (three more were written after the first).
    assert storage_saves["saved"] == 4
    run.refresh_from_db()
    assert (run.status, run.attempts, run.lease_until) == (RunStatus.PENDING, 1, None)
    assert "OperationalError" in run.error or "InterfaceError" in run.error
    assert not run.pdf_file and files_in_storage() == []
    assert run.pk in services.runs_to_resume()  # the sweep would take it too

    storage_saves["after_first"] = None
    assert tasks.build_run.delay(run.pk).get() == "built"  # the retry

    first, second = builds
    assert (first["status"], first["attempts"]) == (RunStatus.RUNNING, 1)
    assert second["attempts"] == 2 and second["files"] == []
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error, run.lease_until) == (
        RunStatus.DONE,
        2,
        "",
        None,
    )
    assert files_in_storage() == sorted(
        Path(settings.MEDIA_ROOT) / getattr(run, field).name for field in FILES
    )


@pytest.mark.django_db
def test_an_operational_error_mid_build_goes_back_to_pending_for_the_sweep(
    builds, storage_saves, monkeypatch
):
    run = ReportRun.objects.create(kind=ReportKind.TRAINING, period=MARCH)

    def database_gone():
        raise OperationalError("server closed the connection unexpectedly")

    storage_saves["after_first"] = database_gone
    with pytest.raises(OperationalError):
        services.report_run_execute(run_id=run.pk, worker="w1")
    assert files_in_storage() == []  # the file written before the error is gone

    assert services.report_run_fail(
        run_id=run.pk, worker="w1", error="OperationalError()", final=False
    )
    run.refresh_from_db()
    assert (run.status, run.attempts, run.lease_until) == (RunStatus.PENDING, 1, None)
    assert run.error == "OperationalError()"
    assert run.pk in services.runs_to_resume()  # not "running" for the lease's 5 minutes

    storage_saves["after_first"] = None
    assert services.report_run_execute(run_id=run.pk, worker="w2") == "built"
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == (RunStatus.DONE, 2, "")
    assert len(files_in_storage()) == 4


@pytest.mark.django_db
def test_a_claim_left_behind_by_an_attempt_that_could_not_record_its_error_is_taken_over():
    run = ReportRun.objects.create(kind=ReportKind.TRAINING, period=MARCH)
    now = timezone.now()
    assert services.report_run_claim(run_id=run.pk, worker="w1", now=now)
    # w1 failed and could not write that down (the database was still away): its retry
    # names the claim it abandoned and takes the run over although the lease holds.
    assert not services.report_run_claim(run_id=run.pk, worker="w2", now=now)
    assert not services.report_run_claim(
        run_id=run.pk, worker="w2", now=now, abandoned_claim="someone else"
    )
    assert services.report_run_claim(run_id=run.pk, worker="w2", now=now, abandoned_claim="w1")
    run.refresh_from_db()
    assert (run.claimed_by, run.attempts) == ("w2", 2)


@pytest.mark.django_db
def test_recording_an_error_while_the_database_is_away_says_so(monkeypatch):
    run = ReportRun.objects.create(kind=ReportKind.TRAINING, period=MARCH)
    services.report_run_claim(run_id=run.pk, worker="w1")

    def away(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(ReportRun.objects.none().__class__, "update", away)
    assert services.report_run_fail(run_id=run.pk, worker="w1", error="x", final=False) is False


@pytest.mark.django_db
def test_files_a_failed_final_update_may_have_committed_are_kept_if_the_row_names_them():
    run = ReportRun.objects.create(kind=ReportKind.TRAINING, period=MARCH)
    kept = default_storage.save("reports/kept.pdf", _content(b"a"))
    stray = default_storage.save("reports/stray.csv", _content(b"b"))
    ReportRun.objects.filter(pk=run.pk).update(pdf_file=kept)

    services._files_discard(run_id=run.pk, names=[kept, stray], maybe_referenced=True)

    assert default_storage.exists(kept) and not default_storage.exists(stray)


def _content(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)
