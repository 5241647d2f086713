from django.db import migrations

from accounts.roles import Role, grant

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
    grant(apps, Role.TRAINING_COORDINATOR, PERMISSIONS)


def revoke_coordinator(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=Role.TRAINING_COORDINATOR).first()
    if group is None:
        return
    for dotted in PERMISSIONS:
        app_label, codename = dotted.split(".")
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("training", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_coordinator, revoke_coordinator)]
