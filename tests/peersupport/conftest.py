"""The people of the peer support tests. The coordinator, whom the reports' tests meet too,
is in tests/conftest.py."""

import pytest

from accounts.roles import Role
from peersupport.models import TeamMember
from tests.peersupport.factories import member_for


@pytest.fixture
def peer_coordinator_client(peer_coordinator, staff_client):
    return staff_client(peer_coordinator)


@pytest.fixture
def make_team_member(make_staff):
    """A team member: a staff account with the Peer team member role and a roster entry
    (TeamMember fields as keyword arguments)."""

    def make(*, first_name="Pat", last_name="Peer", **fields) -> TeamMember:
        user = make_staff(roles=[Role.PEER_TEAM_MEMBER], first_name=first_name, last_name=last_name)
        return member_for(user, **fields)

    return make


@pytest.fixture
def team_member(make_team_member):
    return make_team_member()
