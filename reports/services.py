"""Report runs: create, claim atomically, build, store, fail, rebuild.

Exactly one finished report per run, however the task is delivered:
- a run row is claimed by one UPDATE … WHERE (pending, or running with an expired lease),
  so two workers racing cannot both build it and a second delivery finds nothing to do;
- a worker killed with SIGKILL leaves the run "running" with a lease; the broker
  redelivers the task (late acknowledgement, reject on worker lost) and the next worker
  claims it once the lease has run out;
- the files are written first and the row is marked done last, in one UPDATE that still
  requires this worker's claim, so a late finisher whose lease was taken over cannot
  overwrite the other's result.
"""

import datetime as dt
import hashlib
import logging
import os
import socket
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from reports.models import ReportKind, ReportRun, RunStatus

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def scopes_for(kind: str) -> list[str]:
    """Program-wide, plus one per agency and per provider for co-responder reports."""
    if kind != ReportKind.CORESPONDER:
        return [""]
    from coresponder.dictionary import AGENCIES, PROVIDERS

    return ["", *(f"agency:{code}" for code in AGENCIES), *(f"provider:{c}" for c in PROVIDERS)]


def report_run_ensure(*, kind: str, period: dt.date, scope: str = "") -> ReportRun | None:
    """The month's run for a kind and scope: created once; None if one already exists."""
    if ReportRun.objects.filter(kind=kind, period=period, scope=scope).exists():
        return None
    try:
        with transaction.atomic():
            return ReportRun.objects.create(kind=kind, period=period, scope=scope)
    except IntegrityError:
        return None  # another beat or worker created it just now


def month_runs_ensure(*, period: dt.date) -> list[ReportRun]:
    created = []
    for kind in ReportKind.values:
        for scope in scopes_for(kind):
            run = report_run_ensure(kind=kind, period=period, scope=scope)
            if run is not None:
                created.append(run)
    return created


def report_rebuild(*, run: ReportRun, by=None) -> ReportRun:
    """A new version of a finished or failed report; the earlier versions stay."""
    with transaction.atomic():
        latest = ReportRun.objects.filter(
            kind=run.kind, period=run.period, scope=run.scope
        ).aggregate(top=Max("version"))["top"]
        try:
            with transaction.atomic():
                return ReportRun.objects.create(
                    kind=run.kind,
                    period=run.period,
                    scope=run.scope,
                    version=(latest or 0) + 1,
                    requested_by=by,
                )
        except IntegrityError:
            # A build of this report is already waiting or running: that one will do.
            return ReportRun.objects.get(
                kind=run.kind,
                period=run.period,
                scope=run.scope,
                status__in=[RunStatus.PENDING, RunStatus.RUNNING],
            )


def report_run_claim(*, run_id: int, worker: str, now: dt.datetime | None = None) -> bool:
    """Claim a run for this worker with one atomic UPDATE; False if someone else has it."""
    now = now or timezone.now()
    lease = now + dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    claimable = Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING, lease_until__lt=now)
    claimed = ReportRun.objects.filter(claimable, pk=run_id).update(
        status=RunStatus.RUNNING,
        claimed_by=worker,
        lease_until=lease,
        started_at=now,
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def report_run_execute(*, run_id: int, worker: str | None = None) -> str:
    """Claim, build and store one run. Returns what happened: built, skipped."""
    from reports import builders

    worker = worker or worker_name()
    if not report_run_claim(run_id=run_id, worker=worker):
        return "skipped"
    run = ReportRun.objects.get(pk=run_id)
    built = builders.build(run)
    if settings.REPORT_BUILD_PAUSE_SECONDS:  # integration tests kill a worker here
        time.sleep(settings.REPORT_BUILD_PAUSE_SECONDS)
    names = {
        "html_file": ("html", built.html.encode()),
        "pdf_file": ("pdf", built.pdf),
        "csv_file": ("csv", built.csv),
        "xlsx_file": ("xlsx", built.xlsx),
    }
    digest = hashlib.sha256()
    stored = {}
    base = (
        f"{run.kind}-{run.scope.replace(':', '-') or 'program'}-{run.period:%Y-%m}-v{run.version}"
    )
    for field, (extension, content) in names.items():
        digest.update(content)
        file_field = getattr(run, field)
        stored[field] = file_field.storage.save(
            file_field.field.generate_filename(run, f"{base}.{extension}"), ContentFile(content)
        )
    finished = ReportRun.objects.filter(
        pk=run_id, status=RunStatus.RUNNING, claimed_by=worker
    ).update(
        status=RunStatus.DONE,
        finished_at=timezone.now(),
        checksum=digest.hexdigest(),
        error="",
        lease_until=None,
        **stored,
    )
    if not finished:  # our lease ran out and another worker took over: leave it to them
        for name in stored.values():
            run.pdf_file.storage.delete(name)
        return "skipped"
    _notify_ready(run_id)
    return "built"


def lease_remaining(*, run_id: int, now: dt.datetime | None = None) -> int | None:
    """Seconds until a running run's claim expires (None if it is not running)."""
    now = now or timezone.now()
    run = ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).first()
    if run is None or run.lease_until is None:
        return None
    return max(int((run.lease_until - now).total_seconds()), 0)


def report_run_fail(*, run_id: int, worker: str, error: str, final: bool) -> None:
    """Record an error. Final failures show on the staff pages; others go back to pending."""
    ReportRun.objects.filter(pk=run_id, claimed_by=worker, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED if final else RunStatus.PENDING,
        error=error[:4000],
        lease_until=None,
        finished_at=timezone.now() if final else None,
    )


def runs_to_resume(*, now: dt.datetime | None = None) -> list[int]:
    """Runs waiting for a worker, or whose worker vanished (lease expired)."""
    now = now or timezone.now()
    return list(
        ReportRun.objects.filter(
            Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING, lease_until__lt=now)
        ).values_list("pk", flat=True)
    )


def _notify_ready(run_id: int) -> None:
    from reports import tasks

    def enqueue() -> None:
        try:
            tasks.notify_subscribers.delay(run_id)
        except Exception:
            log.warning("could not queue the ready notice of run %s", run_id, exc_info=True)

    transaction.on_commit(enqueue)
