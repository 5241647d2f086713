import pytest

from coresponder.demo import coresponder_demo_load
from coresponder.models import Clinician, Encounter, MonthlyCallVolume
from programs.services import demo_accounts_ensure

pytestmark = pytest.mark.django_db


def test_coresponder_demo_links_the_demo_accounts_and_loads_a_year_once():
    demo_accounts_ensure()
    first = coresponder_demo_load()
    assert first["encounters"] > 300
    assert coresponder_demo_load()["encounters"] == 0
    assert Encounter.objects.count() == first["encounters"]
    assert MonthlyCallVolume.objects.count() == 12 * 8
    assert (
        Clinician.objects.get(user__username="clinician").provider.dictionary_code == "rediscover"
    )
