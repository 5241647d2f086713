import pytest

from peersupport.demo import peersupport_demo_load
from peersupport.models import SupportRequest, TeamMember

pytestmark = pytest.mark.django_db


def test_peer_support_demo_loads_a_team_and_one_request_once():
    assert peersupport_demo_load()["members_created"] == 5
    assert peersupport_demo_load()["members_created"] == 0
    assert TeamMember.objects.count() == 5
    assert SupportRequest.objects.count() == 1
    assert not TeamMember.objects.get(user__username="peer.new").assignable
