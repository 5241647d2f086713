"""Report tasks: thin, taking ids; correctness lives in the ReportRun row."""

import datetime as dt
import uuid

from celery import shared_task
from celery.exceptions import Retry
from django.utils import timezone

from reports import notifications, services

# Worth another attempt: storage or network trouble, or a lost database connection.
TRANSIENT = (OSError, ConnectionError, TimeoutError, *services.CONNECTION_LOST)


@shared_task(
    name="reports.build_run",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=4,
)
def build_run(self, run_id: int, abandoned_claim: str = "") -> str:
    # Unique per execution: two deliveries of one task never share a claim.
    worker = f"{self.request.hostname or services.worker_name()}:{uuid.uuid4().hex}"
    try:
        outcome = services.report_run_execute(
            run_id=run_id, worker=worker, abandoned_claim=abandoned_claim
        )
        wait = services.lease_remaining(run_id=run_id)
        if (
            outcome == "skipped"
            and wait is not None
            and self.request.delivery_info.get("redelivered")
        ):
            # A redelivery after a worker died while its claim still holds: come back
            # when the claim has run out instead of leaving the run to the resume task.
            raise self.retry(countdown=wait + 1)
        return outcome
    except Retry:
        raise
    except TRANSIENT as error:
        final = self.request.retries >= self.max_retries
        recorded = services.report_run_fail(
            run_id=run_id, worker=worker, error=repr(error), final=final
        )
        if final:
            raise
        # If the run could not be sent back to pending, the retry takes over this claim.
        raise self.retry(
            exc=error,
            countdown=30 * 2**self.request.retries,
            kwargs={**(self.request.kwargs or {}), "abandoned_claim": "" if recorded else worker},
        ) from error
    except Exception as error:
        services.report_run_fail(run_id=run_id, worker=worker, error=repr(error), final=True)
        raise


@shared_task(name="reports.start_month")
def start_month(period: str | None = None) -> int:
    """Create the previous month's runs (idempotent) and queue every run that waits."""
    month = (
        dt.date.fromisoformat(period) if period else services.previous_month(timezone.localdate())
    )
    services.month_runs_ensure(period=month)
    return resume()


@shared_task(name="reports.resume")
def resume() -> int:
    """Queue runs that wait for a worker or whose worker vanished."""
    pending = services.runs_to_resume()
    for run_id in pending:
        build_run.delay(run_id)
    return len(pending)


@shared_task(name="reports.notify_subscribers")
def notify_subscribers(run_id: int) -> int:
    """Put the ready notices of a run in the outbox (report_run_execute does it itself;
    this serves messages queued before the outbox existed)."""
    return notifications.subscribers_notify(run_id=run_id)
