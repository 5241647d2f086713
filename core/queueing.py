"""Queue a Celery task once the current transaction commits, and never fail the caller.

    queue_after_commit("reports.build_run", run.pk)

The one way the portal queues work from a service or a view:
- after commit (at once outside a transaction), so a worker never looks for a row that is
  not committed yet, and nothing is queued for a change that was rolled back;
- by task name, so a service need not import its app's tasks module (which imports the
  services): no import cycle to dodge;
- when the broker refuses (Redis down or unreachable), the error is logged and swallowed.
  The user's request goes on, and the work is not lost, because it is a row that a beat
  sweep finds: an email is an outbox row (core.outbox_sweep), an import its ImportJob
  (coresponder.import_resume), a report its ReportRun (reports.resume). Only queue work
  that has such a row.
"""

import functools
import logging

from celery import Task, current_app
from django.db import transaction

log = logging.getLogger(__name__)


@functools.cache
def _tasks_loaded() -> None:
    # A web process has imported only the tasks modules its code touched; the worker and
    # beat import them all at start-up. This loads the rest (Django apps' tasks.py) once.
    current_app.loader.import_default_modules()


def task_named(name: str) -> Task:
    tasks = current_app.tasks
    if name not in tasks:
        _tasks_loaded()
    return tasks[name]


def queue_now(task: Task | str, *args, **kwargs) -> bool:
    """Queue the task; False (logged) if the broker refused it."""
    name = task if isinstance(task, str) else task.name
    try:
        task_named(name).delay(*args, **kwargs)
    except Exception:  # the broker is down; under eager mode, the task itself failed
        log.warning(
            "could not queue %s%s; its sweep will pick the work up", name, args, exc_info=True
        )
        return False
    return True


def queue_after_commit(task: Task | str, *args, **kwargs) -> None:
    """Queue the task when the current transaction commits; see the module's docstring."""
    transaction.on_commit(lambda: queue_now(task, *args, **kwargs))
