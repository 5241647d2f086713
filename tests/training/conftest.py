"""The people of the training tests, and the clock at the door. The coordinator, whom the
reports' tests meet too, is in tests/conftest.py."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import signed_in_client
from tests.training.factories import EventFactory

# A training at the door: 9 to 11 AM on a Wednesday, Kansas City time; the clock stands at
# DOOR_TIME, half an hour before the start, when check-in is open.
EVENT_START = dt.datetime(2027, 3, 10, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
EVENT_END = EVENT_START + dt.timedelta(hours=2)
DOOR_TIME = EVENT_START - dt.timedelta(minutes=30)


@pytest.fixture
def training_coordinator_client(training_coordinator, staff_client):
    return staff_client(training_coordinator)


@pytest.fixture
def clock():
    """The clock stopped at DOOR_TIME; move it with clock.move_to(…)."""
    with time_machine.travel(DOOR_TIME, tick=False) as traveller:
        yield traveller


@pytest.fixture
def door_client(clock, training_coordinator):
    """A coordinator signed in at DOOR_TIME."""
    return signed_in_client(training_coordinator)


def event_at_the_door(**fields):
    """The event that starts at EVENT_START and ends at EVENT_END."""
    return EventFactory(starts_at=EVENT_START, ends_at=EVENT_END, **fields)
