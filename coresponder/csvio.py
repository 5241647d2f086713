"""CSV import and export of co-responder records, in exactly the data dictionary's format.

Import (`import_start`, then `import_job_run` in the request or in the Celery task):
- the whole file is checked before anything is written, and every error is listed with its
  row, column and reason; header problems first. Any error imports nothing;
- rows are numbered as a spreadsheet shows them: the header is row 1, so the first data row
  is row 2;
- a row updates the record with the same (agency, encounter_id), or (agency, month) for call
  volume. One pass reads and checks the file, streaming the good rows with COPY into a
  temporary table; then INSERT … SELECT … ON CONFLICT DO UPDATE upserts them in batches,
  all in one transaction. (bulk_create(update_conflicts=True) does the same upsert, but a
  100,000-row file took it 146 s, mostly building and binding 2 million SQL parameters in
  Python; this way takes about 9 s.)
- free-text values may not start with = + - or @, so the export can stay byte-exact and still
  never hands a spreadsheet a formula.

A job is claimed with an UPDATE on its status while holding a Postgres advisory lock for its
id, taken by the runner's own database session: the import commits (and the job reads
"done") only while that session lives, so a job is never imported twice. A worker that is
SIGKILLed, or whose host vanishes, can leave that session behind, though: PostgreSQL only
notices a client that is gone for good after its TCP keepalives give up (minutes), and
until then the session keeps the lock and the import's open transaction, whose
uncommitted rows would block another import of the same records. So:
- while it runs, the runner keeps a second connection, named after the job and the
  session holding the lock ("marc-import:<job>:<pid>"), that runs a query every
  IMPORT_LEASE_SECONDS / 5: a heartbeat PostgreSQL itself records (pg_stat_activity);
- a runner that finds the lock taken, by a session that has done nothing for
  IMPORT_LEASE_SECONDS and whose heartbeat has been silent as long, ends that session
  and its heartbeat (pg_terminate_backend: same database role), which rolls the dead
  import back and frees the lock, and takes the job;
- the sweep (import_jobs_resume, every 30 s by beat) queues again the jobs left
  "checking" or "importing" with no live runner, and jobs still queued after STALE_AFTER;
  a killed import is thus resumed and finished within about IMPORT_LEASE_SECONDS plus the
  sweep interval (a minute by default), exactly once;
- a runner whose session was ended that way (it was only stalled) finds it no longer
  holds the lock and leaves the job alone: it records no error over the other's run.

Export (`encounter_export_rows`, `volume_export_rows`, `csv_chunks`): the dictionary's
columns in order, its codes, yes/no/blank, concerns joined by ";" in dictionary order,
dates YYYY-MM-DD, times HH:MM, months YYYY-MM; streamed in chunks.
"""

import contextlib
import csv
import datetime as dt
import io
import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

import pghistory
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.audit import AuditAction, audit_record
from core.queueing import queue_after_commit
from coresponder import dictionary as dd
from coresponder.access import clinician_of, encounters_visible_to, is_program_manager
from coresponder.models import ClosedMonth, Encounter, ImportJob, ImportStatus, MonthlyCallVolume
from coresponder.services import encounter_values, month_of, organizations_by_code, today

log = logging.getLogger(__name__)

ENCOUNTERS = "encounters"
VOLUME = "volume"

ASYNC_THRESHOLD = 5_000  # files with more data rows than this run as a Celery task
BATCH_SIZE = 5_000  # rows per INSERT … ON CONFLICT statement
PROGRESS_EVERY = 5_000  # rows between progress updates of the job row
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
STALE_AFTER = dt.timedelta(minutes=5)  # a job queued this long is queued again by the sweep

FORMULA_PREFIXES = ("=", "+", "-", "@")
FREE_TEXT_COLUMNS = ("encounter_id", "cad_incident", "person_key")
FORMULA_REASON = "may not start with =, +, - or @"

RUNNING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING)
_LOCK_NAMESPACE = 6_060_601  # first key of the advisory lock pg_try_advisory_lock(ns, job id)
RUNNER_NAME = "marc-import:"  # application_name of a heartbeat: marc-import:<job>:<lock pid>


def starts_like_formula(value: str) -> bool:
    """True for text a spreadsheet would read as a formula (for any form taking free text)."""
    return value.strip().startswith(FORMULA_PREFIXES)


def _error(row: int | None, column: str, reason: str) -> dict:
    return {"row": row, "column": column, "reason": reason}


class _Unreadable(Exception):
    def __init__(self, row: int, reason: str):
        super().__init__(reason)
        self.row, self.reason = row, reason


def _records(binary) -> Iterator[tuple[int, list[str]]]:
    """(row number, values) for every row of a CSV file; the header is row 1."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    number = 0
    try:
        for number, record in enumerate(csv.reader(text), start=1):  # noqa: B007
            yield number, record
    except UnicodeDecodeError:
        raise _Unreadable(number + 1, "is not UTF-8 text: save the file as “CSV UTF-8”") from None
    except csv.Error as exc:
        raise _Unreadable(number + 1, f"cannot be read as CSV ({exc})") from None
    finally:
        text.detach()  # leave the file open for its owner (an upload is saved after counting)


def _blank(record: list[str]) -> bool:
    return not any(value.strip() for value in record)


def count_data_rows(binary) -> int:
    """Data rows of a CSV file (blank rows not counted); stops quietly at unreadable text."""
    rows = 0
    with contextlib.suppress(_Unreadable):
        for number, record in _records(binary):
            if number > 1 and not _blank(record):
                rows += 1
    return rows


def _header(record: list[str], columns: list[str]) -> tuple[dict[str, int], list[dict]]:
    """Where each dictionary column is, and the header's problems (missing, unknown, twice)."""
    index: dict[str, int] = {}
    missing, unknown, twice = [], [], []
    for position, raw in enumerate(record):
        name = raw.strip()
        if name in columns:
            if name in index:
                twice.append(
                    _error(1, name, f"appears twice (columns {index[name] + 1} and {position + 1})")
                )
            else:
                index[name] = position
        elif not name:
            unknown.append(_error(1, "", f"column {position + 1} has no name"))
        else:
            guess = name.lower().replace(" ", "_").replace("-", "_")
            hint = f"; did you mean “{guess}”?" if guess in columns and guess != name else ""
            unknown.append(_error(1, name, f"is not a column of the data dictionary{hint}"))
    for name in columns:
        if name not in index:
            missing.append(_error(1, name, "is missing from the header row"))
    return index, missing + unknown + twice


# --- The two files -----------------------------------------------------------------------


class _EncounterFile:
    columns = dd.ENCOUNTER_COLUMNS
    key_column = "encounter_id"
    model = Encounter
    fields = ["encounter_id", "agency", "provider", *dd.ENCOUNTER_COLUMNS[3:]]  # staged, in order
    unique_fields = ["agency", "encounter_id"]
    update_fields = fields[2:]
    by_field, by_on_update = "created_by", False

    def __init__(self, job: ImportJob, *, day: dt.date):
        self.today = day
        self.orgs = organizations_by_code()
        self.own_provider = job.provider
        manager = is_program_manager(job.created_by)
        self.closed = set() if manager else set(ClosedMonth.objects.values_list("month", flat=True))
        self.check_existing = not manager

    def clean(self, values: dict) -> tuple[dict, list[tuple[str, str]]]:
        cleaned, errors = dd.check_encounter_row(values, today=self.today)
        for column in FREE_TEXT_COLUMNS:
            if cleaned[column].startswith(FORMULA_PREFIXES):
                errors.append((column, FORMULA_REASON))
        for column in ("agency", "provider"):
            if cleaned[column] and cleaned[column] not in self.orgs:
                errors.append((column, f"“{cleaned[column]}” is not in the portal's directory"))
        own = self.own_provider
        if own is not None and cleaned["provider"] and cleaned["provider"] != own.dictionary_code:
            errors.append(
                (
                    "provider",
                    f"“{cleaned['provider']}” is another provider: you may import only "
                    f"{own.dictionary_code} records",
                )
            )
        if cleaned["date"] and month_of(cleaned["date"]) in self.closed:
            errors.append(("date", _closed(cleaned["date"])))
        return cleaned, errors

    def key(self, cleaned: dict) -> tuple | None:
        if cleaned["agency"] and cleaned["encounter_id"]:
            return (cleaned["agency"], cleaned["encounter_id"])
        return None

    def duplicate(self, key: tuple, first_row: int) -> str:
        return f"“{key[1]}” of {key[0]} is also on row {first_row}: one row per encounter"

    def values(self, cleaned: dict) -> tuple:
        values = encounter_values(cleaned, self.orgs)
        values["agency"], values["provider"] = values["agency"].pk, values["provider"].pk
        return tuple(values[name] for name in self.fields)

    def existing_errors(self, keys: dict[tuple, int]) -> list[dict]:
        """Rows that would change a record this importer may not: another provider's, or
        one dated in a closed month (program managers may change any)."""
        if not self.check_existing:
            return []
        errors = []
        own_id = self.own_provider.pk if self.own_provider is not None else None
        by_agency = defaultdict(list)
        for agency, encounter_id in keys:
            if agency in self.orgs:
                by_agency[agency].append(encounter_id)
        for agency, ids in by_agency.items():
            for start in range(0, len(ids), 5_000):
                rows = Encounter.objects.filter(
                    agency=self.orgs[agency], encounter_id__in=ids[start : start + 5_000]
                ).values_list("encounter_id", "provider_id", "date")
                for encounter_id, provider_id, day in rows:
                    row = keys[(agency, encounter_id)]
                    if own_id is not None and provider_id != own_id:
                        reason = f"“{encounter_id}” of {agency} is a record of another provider"
                        errors.append(_error(row, "encounter_id", reason))
                    if month_of(day) in self.closed:
                        reason = (
                            f"“{encounter_id}” of {agency} is a record dated {day:%Y-%m}, "
                            "a closed month: only a program manager can change it"
                        )
                        errors.append(_error(row, "encounter_id", reason))
        return errors


class _VolumeFile:
    columns = dd.VOLUME_COLUMNS
    key_column = "month"
    model = MonthlyCallVolume
    fields = ["agency", "month", "mh_calls", "total_calls"]
    unique_fields = ["agency", "month"]
    update_fields = ["mh_calls", "total_calls"]
    by_field, by_on_update = "updated_by", True

    def __init__(self, job: ImportJob, *, day: dt.date):
        self.orgs = organizations_by_code()
        manager = is_program_manager(job.created_by)
        self.closed = set() if manager else set(ClosedMonth.objects.values_list("month", flat=True))

    def clean(self, values: dict) -> tuple[dict, list[tuple[str, str]]]:
        cleaned, errors = dd.check_volume_row(values)
        if cleaned["agency"] and cleaned["agency"] not in self.orgs:
            errors.append(("agency", f"“{cleaned['agency']}” is not in the portal's directory"))
        if cleaned["month"] and cleaned["month"] in self.closed:
            errors.append(("month", _closed(cleaned["month"])))
        return cleaned, errors

    def key(self, cleaned: dict) -> tuple | None:
        if cleaned["agency"] and cleaned["month"]:
            return (cleaned["agency"], cleaned["month"])
        return None

    def duplicate(self, key: tuple, first_row: int) -> str:
        return (
            f"{key[1]:%Y-%m} of {key[0]} is also on row {first_row}: one row per agency and month"
        )

    def values(self, cleaned: dict) -> tuple:
        agency = self.orgs[cleaned["agency"]].pk
        return (agency, cleaned["month"], cleaned["mh_calls"], cleaned["total_calls"])

    def existing_errors(self, keys: dict[tuple, int]) -> list[dict]:
        return []


def _closed(day: dt.date) -> str:
    return f"{day:%Y-%m} is a closed month: only a program manager can change its records"


_FILES = {ENCOUNTERS: _EncounterFile, VOLUME: _VolumeFile}


# --- Starting and running a job ----------------------------------------------------------


def may_import(user, kind: str) -> bool:
    """Program managers import both files (any provider); clinicians their own encounters."""
    if is_program_manager(user):
        return True
    return kind == ENCOUNTERS and clinician_of(user) is not None


def import_job_create(*, kind: str, upload, by) -> ImportJob:
    """Store the upload (Django storage) as a queued job, its data rows counted."""
    if kind not in _FILES or not may_import(by, kind):
        raise PermissionError(f"{by} may not import {kind}")
    clinician = None if is_program_manager(by) else clinician_of(by)
    upload.seek(0)
    total = count_data_rows(upload)
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
    alive = {job_id for job_id, _, live in _lock_holders(candidates) if live}
    ids = [job_id for job_id in candidates if job_id not in alive]
    for job_id in ids:
        _enqueue(job_id)
    return ids


def _lease_seconds() -> float:
    return float(settings.IMPORT_LEASE_SECONDS)


def _lock_holders(job_ids: list[int]) -> list[tuple[int, int, bool]]:
    """(job id, backend pid, alive) for each of these jobs whose lock is held in this
    database. Alive: the session, or the heartbeat named after it, did something within
    IMPORT_LEASE_SECONDS (by PostgreSQL's clock)."""
    if not job_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT l.objid::bigint, l.pid, coalesce(
                a.state_change > clock_timestamp() - make_interval(secs => %(lease)s)
                OR EXISTS (
                    SELECT 1 FROM pg_stat_activity h
                    WHERE h.datid = l.database
                      AND h.application_name = %(prefix)s || l.objid::text || ':' || l.pid::text
                      AND (h.state = 'active' OR h.state_change
                           > clock_timestamp() - make_interval(secs => %(lease)s))
                ), false)
            FROM pg_locks l
            LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
              AND l.classid = %(namespace)s::oid AND l.objid::bigint = ANY(%(ids)s)
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            {
                "lease": _lease_seconds(),
                "prefix": RUNNER_NAME,
                "namespace": _LOCK_NAMESPACE,
                "ids": list(job_ids),
            },
        )
        return [(job_id, pid, alive) for job_id, pid, alive in cursor.fetchall()]


def _try_lock(job_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::int, %s::int)", [_LOCK_NAMESPACE, job_id])
        return cursor.fetchone()[0]


def _stale_runner_end(job_id: int) -> bool:
    """End the session holding the job's lock if its runner shows no sign of life (and that
    runner's heartbeat); True if there was such a session."""
    stale = [pid for _, pid, alive in _lock_holders([job_id]) if not alive]
    if not stale:
        return False
    (pid,) = stale
    log.warning(
        "import job %s: its lock is held by session %s, silent for %s s; ending it",
        job_id,
        pid,
        _lease_seconds(),
    )
    with connection.cursor() as cursor:
        # Waits (up to 5 s each) until the sessions are gone, so their locks are free.
        cursor.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = current_database() AND (pid = %s OR application_name = %s)",
            [pid, f"{RUNNER_NAME}{job_id}:{pid}"],
        )
    return True


def _holds_lock(job_id: int, *, pid: int) -> bool:
    """Whether this runner's session (backend pid) is still alive and holds the job's lock.
    After its session was ended (see above), Django would connect again: not the same."""
    raw = connection.connection
    if raw is None or raw.closed:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_backend_pid() = %s AND EXISTS (SELECT 1 FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() "
                "AND classid = %s::oid AND objid = %s::oid AND objsubid = 2)",
                [pid, _LOCK_NAMESPACE, job_id],
            )
            return cursor.fetchone()[0]
    except DatabaseError:
        return False


class _Heartbeat:
    """A connection of the runner's own, named after the job and the session holding its
    lock, that runs a query every IMPORT_LEASE_SECONDS / 5 from a thread while the import
    runs: the sign of life other runners and the sweep look for (pg_stat_activity).
    Best effort: a failure is logged and the connection made again."""

    def __init__(self, *, job_id: int, holder_pid: int):
        self.name = f"{RUNNER_NAME}{job_id}:{holder_pid}"
        self.interval = max(_lease_seconds() / 5, 0.1)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=self.name, daemon=True)

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def _beat(self) -> None:
        wrapper = None
        try:
            while True:
                try:
                    if wrapper is None:
                        wrapper = connections.create_connection(connection.alias)
                        with wrapper.cursor() as cursor:
                            cursor.execute(
                                "SELECT set_config('application_name', %s, false)", [self.name]
                            )
                    with wrapper.cursor() as cursor:
                        cursor.execute("SELECT 1")
                except DatabaseError:
                    log.warning("%s: heartbeat failed", self.name, exc_info=True)
                    if wrapper is not None:
                        with contextlib.suppress(DatabaseError):
                            wrapper.close()
                        wrapper = None
                if self.stopping.wait(self.interval):
                    return
        finally:
            if wrapper is not None:
                with contextlib.suppress(DatabaseError):
                    wrapper.close()


@contextlib.contextmanager
def _job_lock(job_id: int) -> Iterator[int | None]:
    """Hold the job's advisory lock (taking it over from a dead runner if need be) with a
    heartbeat running; yields this session's backend pid, or None if it is taken."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    # The heartbeat starts first, so a session holding the lock always has one.
    with _Heartbeat(job_id=job_id, holder_pid=pid):
        locked = _try_lock(job_id)
        if not locked and _stale_runner_end(job_id):
            for _ in range(20):  # the ended session's locks go with it, in a moment
                locked = _try_lock(job_id)
                if locked:
                    break
                time.sleep(0.1)
        try:
            yield pid if locked else None
        finally:
            if locked and _holds_lock(job_id, pid=pid):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s::int, %s::int)", [_LOCK_NAMESPACE, job_id]
                    )


def import_job_run(*, job_id: int) -> bool:
    """Run a job once: False if it is done, failed, or running elsewhere right now."""
    with _job_lock(job_id) as pid:
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
            if not _holds_lock(job_id, pid=pid):
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
                    errors=[_error(None, "", reason)],
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
    handler = _FILES[job.kind](job, day=today())
    progress = _Progress(job)
    try:
        with transaction.atomic(), pghistory.context(import_job=job.pk, user=job.created_by_id):
            with connection.cursor() as cursor:
                # The history triggers look this setting up for every row, and a setting never
                # set costs them a caught exception each: set it (to ignore nothing) once.
                cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
            staging = _staging_create(handler)
            errors, rows = _check(job, handler, staging, progress)
            if errors:
                raise _Refused(errors, rows)
            progress(0, status=ImportStatus.IMPORTING)
            created, updated = _upsert(job, handler, staging, progress)
            audit_record(
                actor=job.created_by,
                action=AuditAction.CREATE,
                object_type="coresponder.importjob",
                object_id=job.pk,
                detail={"import": job.kind, "rows": rows, "created": created, "updated": updated},
            )
            # Last in the transaction: the job reads "done" exactly when the rows are in.
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE,
                total_rows=rows,
                processed_rows=rows,
                created_rows=created,
                updated_rows=updated,
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


def _columns(handler, names: list[str]) -> list[str]:
    meta = handler.model._meta
    return [connection.ops.quote_name(meta.get_field(name).column) for name in names]


def _staging_create(handler) -> str:
    """A temporary table for the file's rows, with the model's column types."""
    table = handler.model._meta.db_table
    staging = connection.ops.quote_name(f"import_{table}")
    columns = ", ".join(_columns(handler, handler.fields))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT 0 AS row_number, {columns} FROM {table} WITH NO DATA"
        )
    return staging


def _check(job, handler, staging: str, report) -> tuple[list[dict], int]:
    """Every error of the file (header first, then by row and column) and its number of data
    rows; the rows are staged as long as no error has been found."""
    header_errors: list[dict] = []
    row_errors: list[dict] = []
    keys: dict[tuple, int] = {}
    rows = 0
    copy_sql = (
        f"COPY {staging} (row_number, {', '.join(_columns(handler, handler.fields))}) FROM STDIN"
    )
    with job.file.open("rb") as binary, connection.cursor() as cursor:
        records = _records(binary)
        try:
            first = next(records, None)
        except _Unreadable as exc:
            return [_error(exc.row, "", exc.reason)], 0
        if first is None:
            reason = f"the file is empty: row 1 must be the header ({', '.join(handler.columns)})"
            return [_error(1, "", reason)], 0
        index, header_errors = _header(first[1], handler.columns)
        width = len(first[1])
        with cursor.copy(copy_sql) as copy:
            try:
                for number, record in records:
                    if _blank(record):
                        continue
                    rows += 1
                    if rows % PROGRESS_EVERY == 0:
                        report(rows)
                    if len(record) != width:
                        reason = f"has {len(record)} values but the header has {width} columns"
                        row_errors.append(_error(number, "", reason))
                        continue
                    cleaned, problems = handler.clean({c: record[i] for c, i in index.items()})
                    # A missing column is reported once, in the header, not on every row.
                    row_errors.extend(_error(number, c, r) for c, r in problems if c in index)
                    key = handler.key(cleaned)
                    if key is not None:
                        if key in keys:
                            reason = handler.duplicate(key, keys[key])
                            row_errors.append(_error(number, handler.key_column, reason))
                        else:
                            keys[key] = number
                    if not header_errors and not row_errors:
                        copy.write_row((number, *handler.values(cleaned)))
            except _Unreadable as exc:
                row_errors.append(_error(exc.row, "", exc.reason))
    if not header_errors and not row_errors and rows == 0:
        row_errors.append(_error(2, "", "the file has a header but no data rows"))
    row_errors.extend(handler.existing_errors(keys))
    order = {name: position for position, name in enumerate(handler.columns)}
    row_errors.sort(key=lambda e: (e["row"], order.get(e["column"], -1)))
    return header_errors + row_errors, rows


def _upsert(job, handler, staging: str, report) -> tuple[int, int]:
    """INSERT … ON CONFLICT DO UPDATE from the staging table, BATCH_SIZE rows at a time:
    (records created, records updated)."""
    table = connection.ops.quote_name(handler.model._meta.db_table)
    columns = ", ".join(_columns(handler, handler.fields))
    (by,) = _columns(handler, [handler.by_field])
    unique = ", ".join(_columns(handler, handler.unique_fields))
    updates = _columns(handler, [*handler.update_fields, "updated_at"])
    if handler.by_on_update:
        updates.append(by)
    assignments = ", ".join(f"{column} = EXCLUDED.{column}" for column in updates)
    sql = (
        f"WITH upserted AS (INSERT INTO {table} ({columns}, created_at, updated_at, {by}) "  # noqa: S608
        f"SELECT {columns}, now(), now(), %s FROM {staging} "
        "WHERE row_number >= %s AND row_number < %s "
        f"ON CONFLICT ({unique}) DO UPDATE SET {assignments} RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FROM upserted"
    )
    created = written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(row_number), 0) FROM {staging}")  # noqa: S608
        last = cursor.fetchone()[0]
        for start in range(2, last + 1, BATCH_SIZE):
            cursor.execute(sql, [job.created_by_id, start, start + BATCH_SIZE])
            inserted, total = cursor.fetchone()
            created += inserted
            written += total
            report(written)
    return created, written - created


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


def error_rows(job: ImportJob) -> Iterator[list]:
    """The error list as CSV rows; text neutralized, since it quotes what the file held."""
    yield ["row", "column", "reason"]
    for error in job.errors:
        row = "" if error["row"] is None else error["row"]
        yield [row, _safe(error["column"]), _safe(error["reason"])]


def _safe(value: str) -> str:
    return "'" + value if value.startswith((*FORMULA_PREFIXES, "\t", "\r")) else value


# --- Export ------------------------------------------------------------------------------

_EXPORT_FIELDS = [
    "encounter_id",
    "agency__dictionary_code",
    "provider__dictionary_code",
    *dd.ENCOUNTER_COLUMNS[3:],
]
_CONCERN_ORDER = {code: position for position, code in enumerate(dd.CONCERNS)}
_YES_NO = {True: "yes", False: "no", None: ""}


def encounters_for_export(
    *, user, date_from=None, date_to=None, agency: str = "", provider: str = ""
) -> QuerySet[Encounter]:
    """The records a user may export (clinicians: their provider's), filtered."""
    records = encounters_visible_to(user=user)
    if date_from:
        records = records.filter(date__gte=date_from)
    if date_to:
        records = records.filter(date__lte=date_to)
    if agency:
        records = records.filter(agency__dictionary_code=agency)
    if provider:
        records = records.filter(provider__dictionary_code=provider)
    return records


def volume_for_export(*, date_from=None, date_to=None, agency: str = "") -> QuerySet:
    """Monthly call volume of the months overlapping the date range."""
    rows = MonthlyCallVolume.objects.all()
    if date_from:
        rows = rows.filter(month__gte=month_of(date_from))
    if date_to:
        rows = rows.filter(month__lte=date_to)
    if agency:
        rows = rows.filter(agency__dictionary_code=agency)
    return rows


def _text(value: str) -> str:
    # Import refuses such values; one stored by another path is still never a formula.
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def encounter_export_rows(records: QuerySet[Encounter]) -> Iterator[list[str]]:
    yield list(dd.ENCOUNTER_COLUMNS)
    values = records.order_by("date", "time", "pk").values(*_EXPORT_FIELDS)
    for r in values.iterator(chunk_size=BATCH_SIZE):
        yield [
            _text(r["encounter_id"]),
            r["agency__dictionary_code"],
            r["provider__dictionary_code"],
            r["date"].isoformat(),
            r["time"].strftime("%H:%M") if r["time"] else "",
            _text(r["cad_incident"]),
            r["referral_source"],
            r["contact_type"],
            ";".join(sorted(r["concerns"], key=lambda code: _CONCERN_ORDER.get(code, 99))),
            _YES_NO[r["assessment"]],
            r["disposition"],
            _YES_NO[r["linked_to_services"]],
            r["service_type"],
            r["age_group"],
            r["gender"],
            _YES_NO[r["veteran"]],
            _text(r["person_key"]),
            "" if r["minutes"] is None else str(r["minutes"]),
            _YES_NO[r["use_of_force"]],
        ]


def volume_export_rows(rows: QuerySet) -> Iterator[list[str]]:
    yield list(dd.VOLUME_COLUMNS)
    values = rows.order_by("month", "agency__dictionary_code").values_list(
        "agency__dictionary_code", "month", "mh_calls", "total_calls"
    )
    for agency, month, mh_calls, total_calls in values.iterator(chunk_size=BATCH_SIZE):
        yield [
            agency,
            f"{month:%Y-%m}",
            str(mh_calls),
            "" if total_calls is None else str(total_calls),
        ]


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list], *, rows_per_chunk: int = 500) -> Iterator[str]:
    """CSV text in chunks of rows, for a StreamingHttpResponse."""
    writer = csv.writer(_Line())
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow(row))
        if len(chunk) == rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
