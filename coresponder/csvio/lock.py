"""The lock that makes an import run once, and taking it over from a runner that died.

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
- the sweep (coresponder.csvio.jobs.import_jobs_resume) asks `lock_holders` which jobs
  still have a live runner;
- a runner whose session was ended that way (it was only stalled) finds it no longer
  holds the lock (`holds_lock`) and leaves the job alone: it records no error over the
  other's run.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError, connection, connections

log = logging.getLogger(__name__)

LOCK_NAMESPACE = 6_060_601  # first key of the advisory lock pg_try_advisory_lock(ns, job id)
RUNNER_NAME = "marc-import:"  # application_name of a heartbeat: marc-import:<job>:<lock pid>


def _lease_seconds() -> float:
    return float(settings.IMPORT_LEASE_SECONDS)


def lock_holders(job_ids: list[int]) -> list[tuple[int, int, bool]]:
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
                "namespace": LOCK_NAMESPACE,
                "ids": list(job_ids),
            },
        )
        return [(job_id, pid, alive) for job_id, pid, alive in cursor.fetchall()]


def _try_lock(job_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::int, %s::int)", [LOCK_NAMESPACE, job_id])
        return cursor.fetchone()[0]


def _stale_runner_end(job_id: int) -> bool:
    """End the session holding the job's lock if its runner shows no sign of life (and that
    runner's heartbeat); True if there was such a session."""
    stale = [pid for _, pid, alive in lock_holders([job_id]) if not alive]
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


def holds_lock(job_id: int, *, pid: int) -> bool:
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
                [pid, LOCK_NAMESPACE, job_id],
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
def job_lock(job_id: int) -> Iterator[int | None]:
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
            if locked and holds_lock(job_id, pid=pid):
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_unlock(%s::int, %s::int)", [LOCK_NAMESPACE, job_id]
                    )
