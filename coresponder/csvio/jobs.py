"""An import job from upload to "done": who may import, starting, running and resuming.

`import_start` stores the upload as a queued job: small files are imported at once, in the
request; large ones by the Celery task (coresponder.import_run), which calls
`import_job_run`. A run holds the job's lock (coresponder.csvio.lock), checks the whole file
(coresponder.csvio.parse) and upserts its rows (coresponder.csvio.upsert) in one
transaction, so an error anywhere leaves nothing behind; the job reads "done" exactly when
the rows are in.

The sweep (`import_jobs_resume`, every 30 s by beat) queues again the jobs left "checking"
or "importing" with no live runner, and jobs still queued after STALE_AFTER; a killed import
is thus resumed and finished within about IMPORT_LEASE_SECONDS plus the sweep interval
(a minute by default), exactly once.
"""

import datetime as dt
import logging
from collections import Counter

from django.db import DatabaseError, connection, connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.audit import AuditAction, audit_record
from core.queueing import queue_after_commit
from coresponder.access import clinician_of, is_program_manager
from coresponder.csvio import lock, parse, upsert
from coresponder.models import ImportJob, ImportStatus
from coresponder.services import today

log = logging.getLogger(__name__)

ASYNC_THRESHOLD = 5_000  # files with more data rows than this run as a Celery task
PROGRESS_EVERY = 5_000  # rows between progress updates of the job row
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
STALE_AFTER = dt.timedelta(minutes=5)  # a job queued this long is queued again by the sweep

RUNNING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING)


# --- Starting a job ----------------------------------------------------------------------


def may_import(user, kind: str) -> bool:
    """Program managers import both files (any provider); clinicians their own encounters."""
    if is_program_manager(user):
        return True
    return kind == parse.ENCOUNTERS and clinician_of(user) is not None


def import_job_create(*, kind: str, upload, by) -> ImportJob:
    """Store the upload (Django storage) as a queued job, its data rows counted."""
    if kind not in parse.FILES or not may_import(by, kind):
        raise PermissionError(f"{by} may not import {kind}")
    clinician = None if is_program_manager(by) else clinician_of(by)
    upload.seek(0)
    total = parse.count_data_rows(upload)
    upload.seek(0)
    job = ImportJob(
        kind=kind,
        original_name=(upload.name or "upload.csv")[:200],
        created_by=by,
        provider=clinician.provider if clinician is not None else None,
        total_rows=total,
    )
    job.file.save(f"{kind}.csv", upload, save=False)
    job.save()
    return job


def import_start(*, kind: str, upload, by) -> ImportJob:
    """Create the job; small files are imported at once, large ones by the Celery task."""
    job = import_job_create(kind=kind, upload=upload, by=by)
    if job.total_rows > ASYNC_THRESHOLD:
        _enqueue(job.pk)
    else:
        import_job_run(job_id=job.pk)
        job.refresh_from_db()
    return job


def _enqueue(job_id: int) -> None:
    # After commit; if the broker is down, the sweep (import_jobs_resume) queues it later.
    queue_after_commit("coresponder.import_run", job_id)


def import_jobs_resume() -> list[int]:
    """Queue again the jobs whose runner stopped, and those still queued after a while.

    A job "checking" or "importing" whose lock is free, or held by a session without sign
    of life for IMPORT_LEASE_SECONDS, has lost its runner. Queueing a job that is in fact
    running is harmless: the task finds its lock taken by a live runner."""
    stale = timezone.now() - STALE_AFTER
    waiting = Q(status=ImportStatus.QUEUED, created_at__lt=stale)
    started = Q(status__in=(ImportStatus.CHECKING, ImportStatus.IMPORTING))
    candidates = list(ImportJob.objects.filter(waiting | started).values_list("pk", flat=True))
    alive = {job_id for job_id, _, live in lock.lock_holders(candidates) if live}
    ids = [job_id for job_id in candidates if job_id not in alive]
    for job_id in ids:
        _enqueue(job_id)
    return ids


# --- Running a job -----------------------------------------------------------------------


def import_job_run(*, job_id: int) -> bool:
    """Run a job once: False if it is done, failed, or running elsewhere right now."""
    with lock.job_lock(job_id) as pid:
        if pid is None:
            return False
        claimed = ImportJob.objects.filter(pk=job_id, status__in=RUNNING).update(
            status=ImportStatus.CHECKING, processed_rows=0, errors=[]
        )
        if not claimed:
            return False
        job = ImportJob.objects.select_related("created_by", "provider").get(pk=job_id)
        try:
            _run(job)
        except Exception:
            log.exception("import job %s stopped", job_id)
            if not lock.holds_lock(job_id, pid=pid):
                # The session was lost (the database restarted, or another runner ended
                # it as stale): the job may be running elsewhere now; the sweep resumes
                # it otherwise. Nothing was imported by this run.
                return True
            reason = (
                "An unexpected error stopped the import and nothing was imported. "
                f"Try again later, or tell the portal team (import {job_id})."
            )
            try:
                ImportJob.objects.filter(pk=job_id).update(
                    status=ImportStatus.ERROR,
                    finished_at=timezone.now(),
                    errors=[parse.error(None, "", reason)],
                )
            except DatabaseError:  # the database is away: the sweep runs the job again later
                return True
            _delete_upload(job)
    return True


class _Progress:
    """Progress written through a connection of its own, so that the job page sees it while
    the import's transaction is still open. Only for files large enough to be watched, and
    best effort: a failure is only logged."""

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self.enabled = job.total_rows > PROGRESS_EVERY
        self.wrapper = None

    def __call__(self, rows: int, *, status: str = "") -> None:
        if not self.enabled:
            return
        try:
            if self.wrapper is None:
                self.wrapper = connections.create_connection(connection.alias)
                with self.wrapper.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '1s'")
            with self.wrapper.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s, "  # noqa: S608
                    "status = coalesce(nullif(%s, ''), status) WHERE id = %s",
                    [rows, status, self.job_id],
                )
        except DatabaseError:
            log.warning("import job %s: progress not recorded", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.wrapper is not None:
            self.wrapper.close()


class _Refused(Exception):
    def __init__(self, errors: list[dict], rows: int):
        super().__init__(f"{len(errors)} errors")
        self.errors, self.rows = errors, rows


def _run(job: ImportJob) -> None:
    """Check every row while staging the good ones (COPY into a temporary table), then
    upsert them in batches; one transaction, so an error anywhere leaves nothing behind."""
    handler = parse.job_handler(job, day=today())
    progress = _Progress(job)
    history = {"import_job": job.pk, "user": job.created_by_id}
    try:
        with upsert.staging_transaction(handler, history) as staging:
            errors, rows = parse.file_check(job, handler, staging, progress, every=PROGRESS_EVERY)
            if errors:
                raise _Refused(errors, rows)
            progress(0, status=ImportStatus.IMPORTING)
            counts = upsert.staging_upsert(job.created_by_id, handler, staging, progress)
            late = handler.late_errors(staging)  # another provider's, created meanwhile
            if late:
                raise _Refused([parse.error(*e) for e in late], rows)
            audit_record(
                actor=job.created_by,
                action=AuditAction.CREATE,
                object_type="coresponder.importjob",
                object_id=job.pk,
                detail={
                    "import": job.kind,
                    "rows": rows,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                },
            )
            # Last in the transaction: the job reads "done" exactly when the rows are in.
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE,
                warnings=handler.warnings(),  # coresponder.quality, of the months touched
                total_rows=rows,
                processed_rows=rows,
                created_rows=counts.created,
                updated_rows=counts.updated,
                unchanged_rows=counts.unchanged,
                changed_columns=counts.changed_columns,
                finished_at=timezone.now(),
            )
    except _Refused as refused:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            total_rows=refused.rows,
            processed_rows=refused.rows,
            errors=refused.errors,
            finished_at=timezone.now(),
        )
    finally:
        progress.close()
    _delete_upload(job)


def _delete_upload(job: ImportJob) -> None:
    """The uploaded file is health information: once imported or refused it is not kept."""
    if not job.file:
        return
    try:
        job.file.delete(save=False)
    except OSError:
        log.warning("import job %s: upload not deleted", job.pk, exc_info=True)
        return
    ImportJob.objects.filter(pk=job.pk).update(file="")


# --- Reading jobs ------------------------------------------------------------------------


def import_jobs_visible_to(*, user) -> QuerySet[ImportJob]:
    """Program managers see every import; others only their own."""
    jobs = ImportJob.objects.select_related("created_by", "provider")
    return jobs if is_program_manager(user) else jobs.filter(created_by=user)


def errors_by_column(job: ImportJob) -> list[tuple[str, int]]:
    counts = Counter(error["column"] or "(whole row)" for error in job.errors)
    return counts.most_common()
