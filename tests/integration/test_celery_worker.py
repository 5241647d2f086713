from marc_safety.celery import app
from tests.integration.conftest import wait_for


def test_a_real_worker_takes_a_task_from_redis_and_answers(celery_worker_process, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)  # unit-test settings run eagerly
    replies = wait_for(lambda: app.control.ping(timeout=1.0), timeout=30)
    assert replies, "the worker never answered a broadcast ping"
    result = app.send_task("marc_safety.ping")
    assert result.get(timeout=30) == "pong"
