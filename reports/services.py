"""Report runs: create, claim atomically, build, store, fail, rebuild; who gets an email
when a report is ready.

Exactly one finished report per run, however the task is delivered:
- a run row is claimed by one UPDATE … WHERE (pending, or running with an expired lease),
  so two workers racing cannot both build it and a second delivery finds nothing to do;
- a worker killed with SIGKILL leaves the run "running" with a lease; the broker
  redelivers the task (late acknowledgement, reject on worker lost) and the next worker
  claims it once the lease has run out;
- the files are written first and the row is marked done last, in one UPDATE that still
  requires this worker's claim, so a late finisher whose lease was taken over cannot
  overwrite the other's result;
- a build that stops with an error removes the files it had written (nothing refers to
  them), and the task records the error at once: a lost database connection or another
  transient error sends the run back to pending (error kept, attempts counted) for the
  task's retry or the resume sweep; any other error marks it failed. If even that cannot
  be written (the database is still away), the retry may take over the claim it abandoned
  instead of waiting for the lease to run out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from accounts.audit import AuditAction, audit_record
from core.dates import add_months, month_start, months_spanned
from core.queueing import queue_after_commit
from reports import access
from reports.models import ReportKind, ReportRun, RunStatus, Subscription
from reports.notifications import subscribers_notify

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)

BUILD_TASK = "reports.build_run"

# The database connection was lost (PostgreSQL restarting, network): worth another attempt.
CONNECTION_LOST = (OperationalError, InterfaceError)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def previous_month(today: dt.date) -> dt.date:
    return add_months(today, -1)


def scopes_for(kind: str) -> list[str]:
    """Program-wide, plus one per agency and per provider for co-responder reports."""
    if kind != ReportKind.CORESPONDER:
        return [""]
    from coresponder.selectors import agency_names, provider_names

    return [
        "",
        *(f"agency:{code}" for code in agency_names()),
        *(f"provider:{code}" for code in provider_names()),
    ]


def report_run_ensure(*, kind: str, period: dt.date, scope: str = "") -> ReportRun | None:
    """The month's run for a kind and scope: created once; None if one already exists."""
    if ReportRun.objects.filter(kind=kind, period=period, scope=scope).exists():
        return None
    return _first_version(kind=kind, period=period, scope=scope)


def _first_version(
    *, kind: str, period: dt.date, scope: str, by: User | None = None
) -> ReportRun | None:
    """Version 1 of a report, or None if it exists already (made just now by another beat,
    worker or person: the unique constraint decides)."""
    try:
        with transaction.atomic():
            return ReportRun.objects.create(kind=kind, period=period, scope=scope, requested_by=by)
    except IntegrityError:
        return None


def month_runs_ensure(*, period: dt.date) -> list[ReportRun]:
    created = []
    for kind in ReportKind.values:
        for scope in scopes_for(kind):
            run = report_run_ensure(kind=kind, period=period, scope=scope)
            if run is not None:
                created.append(run)
    return created


# --- Reports for past months, on request ----------------------------------------------------

MAX_MONTHS_PER_REQUEST = 36


class BuildRefused(ValueError):
    """A request to build reports that the rules refuse. The message is written for the
    person who asked; field names the form field it is about ("kind", "start" or "end")."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def months_refusal(*, start: dt.date, end: dt.date, today: dt.date) -> BuildRefused | None:
    """Why reports for the months start..end (first days) cannot be built now, or None.

    Only months that are over: a month's own reports are built on the 1st of the next
    month (reports.start_month), and a report of a month still running would be missing
    its last days, and would keep the 1st's build from being made. At most
    MAX_MONTHS_PER_REQUEST months at a time."""
    current = month_start(today)
    if start >= current:
        return _not_over(start, current=current, field="start")
    if end < start:
        return BuildRefused(
            f"“To” ({end:%B %Y}) comes before “From” ({start:%B %Y}). "
            "Put the earlier month in “From”.",
            field="end",
        )
    if end >= current:
        return _not_over(end, current=current, field="end")
    count = months_spanned(start, end)
    if count > MAX_MONTHS_PER_REQUEST:
        last = add_months(start, MAX_MONTHS_PER_REQUEST - 1)
        return BuildRefused(
            f"That is {count} months. Build at most {MAX_MONTHS_PER_REQUEST} months at a "
            f"time, for example {start:%Y-%m} to {last:%Y-%m}, then the rest.",
            field="end",
        )
    return None


def _not_over(month: dt.date, *, current: dt.date, field: str) -> BuildRefused:
    if month == current:
        return BuildRefused(
            f"{month:%B %Y} is not over yet. Its reports are built by themselves on "
            f"{add_months(month, 1):%B %-d, %Y}.",
            field=field,
        )
    return BuildRefused(
        f"{month:%B %Y} has not come yet. Reports can be built only for months that are over.",
        field=field,
    )


@dataclass(frozen=True)
class MonthsBuild:
    """What a request for past months' reports did, counted in reports (kind, month and
    scope): queued now, or left alone because a build already waits or runs, because the
    report is built already, or because its latest build failed (Rebuild retries it)."""

    queued: list[ReportRun]
    building: int = 0
    ready: int = 0
    failed: int = 0


# The state of an existing report, from its versions' statuses: a build that waits or runs
# first, then a finished version, then a failed one.
_STATE_OF = {
    RunStatus.PENDING: "building",
    RunStatus.RUNNING: "building",
    RunStatus.DONE: "ready",
    RunStatus.FAILED: "failed",
}
_PRECEDENCE = ("building", "ready", "failed")


def report_months_build(
    *,
    kinds: Iterable[str],
    start: dt.date,
    end: dt.date,
    by: User,
    ip: str = "",
    path: str = "",
    today: dt.date | None = None,
) -> MonthsBuild:
    """Queue the reports of these kinds for the months start..end that do not exist yet,
    one per kind, month and scope (scopes_for), each built by a worker once committed.

    A report that exists is never touched here: one waiting for or held by a worker is
    not queued twice, and a finished or failed one keeps its versions (report_rebuild
    makes a new one). Raises BuildRefused when the months are refused (months_refusal)
    or a kind is unknown. Each new run is audited like a rebuild; by, ip and path: who
    asked, from where."""
    wanted = set(kinds)
    if not wanted or not wanted <= set(ReportKind.values):
        raise BuildRefused("Choose which reports to build from the list.", field="kind")
    refusal = months_refusal(start=start, end=end, today=today or timezone.localdate())
    if refusal is not None:
        raise refusal
    scopes = {kind: scopes_for(kind) for kind in ReportKind.values if kind in wanted}
    months = [add_months(start, n) for n in range(months_spanned(start, end))]
    queued: list[ReportRun] = []
    left: Counter[str] = Counter()
    with transaction.atomic():
        states = _report_states(kinds=list(scopes), start=start, end=end)
        for period in months:
            for kind, kind_scopes in scopes.items():
                for scope in kind_scopes:
                    state = states.get((kind, period, scope))
                    if state is None:
                        run = _first_version(kind=kind, period=period, scope=scope, by=by)
                        if run is not None:
                            audit_record(
                                actor=by, ip=ip, path=path, action=AuditAction.CREATE, obj=run
                            )
                            queue_after_commit(BUILD_TASK, run.pk)
                            queued.append(run)
                            continue
                        state = "building"  # someone queued it a moment ago
                    left[state] += 1
    return MonthsBuild(
        queued=queued, building=left["building"], ready=left["ready"], failed=left["failed"]
    )


def _report_states(
    *, kinds: list[str], start: dt.date, end: dt.date
) -> dict[tuple[str, dt.date, str], str]:
    """{(kind, period, scope): building, ready or failed} for the reports that exist."""
    states: dict[tuple[str, dt.date, str], str] = {}
    rows = ReportRun.objects.filter(kind__in=kinds, period__gte=start, period__lte=end)
    for kind, period, scope, status in rows.order_by().values_list(
        "kind", "period", "scope", "status"
    ):
        state, key = _STATE_OF[status], (kind, period, scope)
        if key not in states or _PRECEDENCE.index(state) < _PRECEDENCE.index(states[key]):
            states[key] = state
    return states


def report_rebuild(*, run: ReportRun, by: User, ip: str = "", path: str = "") -> ReportRun:
    """A new version of a finished or failed report, queued for a worker once committed;
    the earlier versions stay. If a build of this report already waits or runs, that one
    is returned and no second version is made.

    If the broker is down, the new run still waits in the database as pending, and the
    resume task of the beat schedule picks it up. by, ip and path: who asked, from where,
    for the audit log."""
    with transaction.atomic():
        new = _next_version(run=run, by=by)
        audit_record(actor=by, ip=ip, path=path, action=AuditAction.CREATE, obj=new)
        queue_after_commit(BUILD_TASK, new.pk)
    return new


def _next_version(*, run: ReportRun, by: User) -> ReportRun:
    latest = ReportRun.objects.filter(kind=run.kind, period=run.period, scope=run.scope).aggregate(
        top=Max("version")
    )["top"]
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


def report_run_claim(
    *, run_id: int, worker: str, now: dt.datetime | None = None, abandoned_claim: str = ""
) -> bool:
    """Claim a run for this worker with one atomic UPDATE; False if someone else has it.

    abandoned_claim: the claim of an earlier attempt of the same task, which stopped
    without being able to release it (the database was away); that run may be taken over
    at once rather than when the lease runs out."""
    now = now or timezone.now()
    lease = now + dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)
    claimable = Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING, lease_until__lt=now)
    if abandoned_claim:
        claimable |= Q(status=RunStatus.RUNNING, claimed_by=abandoned_claim)
    claimed = ReportRun.objects.filter(claimable, pk=run_id).update(
        status=RunStatus.RUNNING,
        claimed_by=worker,
        lease_until=lease,
        started_at=now,
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def report_run_execute(*, run_id: int, worker: str | None = None, abandoned_claim: str = "") -> str:
    """Claim, build and store one run. Returns what happened: built, skipped.

    An error is raised to the caller (the task records it) once the files this attempt
    wrote are removed again."""
    from reports import builders

    worker = worker or worker_name()
    if not report_run_claim(run_id=run_id, worker=worker, abandoned_claim=abandoned_claim):
        return "skipped"
    stored: dict[str, str] = {}
    finishing = False
    try:
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
        base = (
            f"{run.kind}-{run.scope.replace(':', '-') or 'program'}-{run.period:%Y-%m}"
            f"-v{run.version}"
        )
        for field, (extension, content) in names.items():
            digest.update(content)
            file_field = getattr(run, field)
            stored[field] = file_field.storage.save(
                file_field.field.generate_filename(run, f"{base}.{extension}"),
                ContentFile(content),
            )
        finishing = True
        # Done and its ready notices (outbox rows) commit together: a worker that dies in
        # between leaves neither, and the run is built again by the next claim.
        with transaction.atomic():
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
            if finished:
                _notify_ready(run_id)
    except BaseException:
        _files_discard(run_id=run_id, names=list(stored.values()), maybe_referenced=finishing)
        raise
    if not finished:  # our lease ran out and another worker took over: leave it to them
        _files_discard(run_id=run_id, names=list(stored.values()), maybe_referenced=False)
        return "skipped"
    return "built"


def _files_discard(*, run_id: int, names: list[str], maybe_referenced: bool) -> None:
    """Delete files an unfinished attempt wrote, so none is left that no run refers to.

    maybe_referenced: the UPDATE naming them was sent and failed, so it may have been
    committed all the same (the connection dropped before the answer came back). Then
    only files the row does not name are deleted; if the row cannot be read, they are
    kept (a stray file is better than a report whose files are gone) and logged."""
    if not names:
        return
    storage = ReportRun._meta.get_field("pdf_file").storage
    if maybe_referenced:
        try:
            connection_reset_if_broken()
            referenced = set(
                ReportRun.objects.filter(pk=run_id)
                .values_list("html_file", "pdf_file", "csv_file", "xlsx_file")
                .first()
                or ()
            )
        except CONNECTION_LOST:
            log.warning("report run %s: cannot tell whether %s are in use; kept", run_id, names)
            return
        names = [name for name in names if name not in referenced]
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            log.warning("report run %s: could not delete %s", run_id, name, exc_info=True)


def connection_reset_if_broken() -> None:
    """After a lost connection Django keeps the broken one until the task ends: drop it,
    so that the next query connects again (and works if the database is back)."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


def lease_remaining(*, run_id: int, now: dt.datetime | None = None) -> int | None:
    """Seconds until a running run's claim expires (None if it is not running)."""
    now = now or timezone.now()
    run = ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).first()
    if run is None or run.lease_until is None:
        return None
    return max(int((run.lease_until - now).total_seconds()), 0)


def report_run_fail(*, run_id: int, worker: str, error: str, final: bool) -> bool:
    """Record an error. Final failures show on the staff pages; others go back to pending
    (the error kept, the attempt counted) for the task's retry or the resume sweep.

    Works after a lost connection (it connects again). Returns False if the database
    still cannot be reached: the run then stays claimed until its lease runs out, or
    until this task's retry takes over the abandoned claim."""
    try:
        connection_reset_if_broken()
        ReportRun.objects.filter(pk=run_id, claimed_by=worker, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED if final else RunStatus.PENDING,
            error=error[:4000],
            lease_until=None,
            finished_at=timezone.now() if final else None,
        )
    except CONNECTION_LOST:
        log.warning("report run %s: could not record the error %s", run_id, error[:200])
        return False
    return True


def subscriptions_set(*, user: User, kinds: Iterable[str]) -> list[str]:
    """Email the user when reports of these kinds are ready, and for no other kind. Kinds
    the user may not see (reports.access) are ignored. Returns the kinds subscribed to
    now, in the order of kinds_visible_to."""
    visible = access.kinds_visible_to(user)
    wanted = set(kinds) & set(visible)
    with transaction.atomic():
        Subscription.objects.filter(user=user, kind__in=visible).exclude(kind__in=wanted).delete()
        for kind in wanted:
            Subscription.objects.get_or_create(user=user, kind=kind)
    return [kind for kind in visible if kind in wanted]


def runs_to_resume(*, now: dt.datetime | None = None) -> list[int]:
    """Runs waiting for a worker, or whose worker vanished (lease expired)."""
    now = now or timezone.now()
    return list(
        ReportRun.objects.filter(
            Q(status=RunStatus.PENDING) | Q(status=RunStatus.RUNNING, lease_until__lt=now)
        ).values_list("pk", flat=True)
    )


def _notify_ready(run_id: int) -> None:
    """The ready notices go into the outbox (reports.notifications), which sends them even
    if the broker is down now."""
    subscribers_notify(run_id=run_id)
