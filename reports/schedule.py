"""Catch-up: when beat starts, it queues the last month's runs and any unfinished ones, so
a run missed while beat was down is made as soon as beat is back."""

from celery.signals import beat_init

from core.queueing import queue_now


def _catch_up(sender=None, **kwargs) -> None:
    # If the broker is not up yet, this is logged; the next scheduled entry will do it.
    queue_now("reports.start_month")


def connect() -> None:
    beat_init.connect(_catch_up, dispatch_uid="reports-catch-up", weak=False)
