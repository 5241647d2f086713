"""The people of the training tests. The coordinator, whom the reports' tests meet too, is in
tests/conftest.py."""

import pytest


@pytest.fixture
def training_coordinator_client(training_coordinator, staff_client):
    return staff_client(training_coordinator)
