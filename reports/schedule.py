"""Catch-up: when beat starts, it queues the last month's runs and any unfinished ones, so
a run missed while beat was down is made as soon as beat is back."""

from celery.signals import beat_init


def _catch_up(sender=None, **kwargs) -> None:
    from reports import tasks

    try:
        tasks.start_month.delay()
    except Exception:  # the broker is not up yet: the next scheduled entry will do it
        import logging

        logging.getLogger(__name__).warning("report catch-up could not be queued", exc_info=True)


def connect() -> None:
    beat_init.connect(_catch_up, dispatch_uid="reports-catch-up", weak=False)
