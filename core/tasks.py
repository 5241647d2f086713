"""The outbox's tasks: thin, taking ids; the row decides what happens (core.outbox)."""

from celery import shared_task

from core import outbox


@shared_task(name="core.outbox_send")
def outbox_send(row_id: int) -> str:
    """Send one outbox email unless it is sent, failed, or held by a live worker."""
    return outbox.outbox_send(row_id=row_id)


@shared_task(name="core.outbox_sweep")
def outbox_sweep() -> int:
    """Send every email that is due (beat, every OUTBOX_SWEEP_SECONDS)."""
    return outbox.outbox_sweep()
