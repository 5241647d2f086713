"""Queueing after commit: never before, never for a rollback, never an error for the caller."""

import pytest
from celery import shared_task
from django.db import transaction

from core.queueing import queue_after_commit, task_named

pytestmark = pytest.mark.django_db

RECEIVED: list = []


@shared_task(name="tests.core.record")
def record(*args, **kwargs) -> None:
    RECEIVED.append((args, kwargs))


@pytest.fixture(autouse=True)
def _received():
    RECEIVED.clear()
    yield
    RECEIVED.clear()


def test_a_task_is_queued_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue_after_commit("tests.core.record", 7, kind="confirmation")
    assert RECEIVED == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert RECEIVED == [((7,), {"kind": "confirmation"})]


def test_nothing_is_queued_for_a_transaction_that_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_after_commit(record, 7)
        raise RuntimeError("the change failed")
    assert RECEIVED == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_task_is_queued_at_once():
    queue_after_commit(record, 1)
    assert RECEIVED == [((1,), {})]


def test_a_broker_that_refuses_is_logged_and_the_caller_goes_on(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(record, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        queue_after_commit("tests.core.record", 7)
    assert RECEIVED == []
    assert "could not queue tests.core.record(7,)" in caplog.text
    assert "Connection refused" in caplog.text


def test_tasks_are_found_by_their_name():
    assert task_named("coresponder.import_run").name == "coresponder.import_run"
    with pytest.raises(KeyError):
        task_named("no.such.task")
