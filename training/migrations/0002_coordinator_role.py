from django.db import migrations

from accounts.roles import Role
from core.grants import permissions_grant, permissions_revoke

# Training coordinators run the calendar: events, series, committees and documents in full;
# registrations are written by the portal's own services, so they only read them.
MANAGED = ("committee", "eventseries", "event", "eventdocument")
PERMISSIONS = [
    *(
        f"training.{action}_{model}"
        for model in MANAGED
        for action in ("add", "change", "view", "delete")
    ),
    "training.view_registration",
]


def grant_coordinator(apps, schema_editor):
    permissions_grant(apps, Role.TRAINING_COORDINATOR, PERMISSIONS)


def revoke_coordinator(apps, schema_editor):
    permissions_revoke(apps, Role.TRAINING_COORDINATOR, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("training", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_coordinator, revoke_coordinator)]
