"""The people of the co-responder tests. The program manager and the Lee's Summit liaison,
whom the reports' tests meet too, are in tests/conftest.py."""

import pytest

from accounts.roles import Role
from tests.conftest import signed_in_client
from tests.coresponder.factories import clinician_for, org


@pytest.fixture
def clinician(make_staff):
    """A ReDiscover clinician serving Grandview (usually) and Blue Springs."""
    return clinician_for(make_staff(), agencies=("grandview", "blue-springs"))


@pytest.fixture
def other_clinician(make_staff):
    """A Burrell clinician serving Raytown."""
    return clinician_for(make_staff(), provider="burrell", agencies=("raytown",))


@pytest.fixture
def blue_springs_liaison(make_staff):
    """The agency liaison of the Blue Springs Police Department."""
    return make_staff(roles=[Role.AGENCY_LIAISON], organization=org("blue-springs"))


@pytest.fixture
def clinician_client(clinician):
    """A client of the clinician's own (so that a program manager can act in the same test)."""
    return signed_in_client(clinician.user)


@pytest.fixture
def program_manager_client(program_manager):
    """A client of the program manager's own (so that a clinician can act in the same test)."""
    return signed_in_client(program_manager)
