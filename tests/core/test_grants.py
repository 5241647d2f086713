"""The permissions the role migrations give to groups and take back (core.grants)."""

import pytest
from django.contrib.auth.models import Group
from django.db.migrations.loader import MigrationLoader

from core.grants import permissions_grant, permissions_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def historical_apps():
    """The models as the migrations know them, as a data migration receives them."""
    return MigrationLoader(None).project_state().apps


def codenames(name: str) -> list[str]:
    group = Group.objects.get(name=name)
    return sorted(group.permissions.values_list("codename", flat=True))


def test_a_group_is_created_with_its_permissions_and_loses_only_those_revoked(historical_apps):
    permissions_grant(historical_apps, "Testers", ["training.view_event", "core.view_outboxemail"])
    assert codenames("Testers") == ["view_event", "view_outboxemail"]

    permissions_revoke(historical_apps, "Testers", ["training.view_event"])
    assert codenames("Testers") == ["view_outboxemail"]


def test_revoking_from_a_group_that_is_gone_does_nothing(historical_apps):
    permissions_revoke(historical_apps, "Nobody", ["training.view_event"])
    assert not Group.objects.filter(name="Nobody").exists()
