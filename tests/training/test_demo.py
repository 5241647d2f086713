import pytest
from django.utils import timezone

from training.demo import training_demo_load
from training.models import Event, EventSeries

pytestmark = pytest.mark.django_db


def test_training_demo_loads_upcoming_events_and_a_monthly_series_once():
    first = training_demo_load()
    count = Event.objects.count()
    second = training_demo_load()
    assert first["created"] == 5 and second["created"] == 0
    assert Event.objects.count() == count
    series = EventSeries.objects.get()
    meetings = list(series.events.filter(published=True).order_by("starts_at"))
    assert len(meetings) >= 11
    for meeting in meetings:
        local = timezone.localtime(meeting.starts_at)
        assert local.weekday() == 1 and 8 <= local.day <= 14  # the second Tuesday
        assert (local.hour, local.minute) == (13, 30)  # same wall-clock time across DST
