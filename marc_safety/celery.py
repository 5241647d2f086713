import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marc_safety.settings")

app = Celery("marc_safety")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="marc_safety.ping", ignore_result=False)
def ping() -> str:
    """A task with no side effects: health checks and tests use it to see a worker answer."""
    return "pong"
