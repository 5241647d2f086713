from django.db import migrations

from accounts.roles import Role, grant

# Peer support coordinators keep the roster in full (no delete: members are deactivated)
# and correct a request's description in the admin; assignments, activity and status
# changes are written by the portal's own services, so they only read them. Team members
# get no admin permissions: Django's are per model, not per record, and a member may only
# see the requests assigned to them (their own pages under /staff/peer-support/mine/).
PERMISSIONS = [
    "peersupport.add_teammember",
    "peersupport.change_teammember",
    "peersupport.view_teammember",
    "peersupport.change_supportrequest",
    "peersupport.view_supportrequest",
    "peersupport.view_assignment",
    "peersupport.view_activity",
    "peersupport.view_statuschange",
]


def grant_coordinator(apps, schema_editor):
    grant(apps, Role.PEER_SUPPORT_COORDINATOR, PERMISSIONS)


def revoke_coordinator(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=Role.PEER_SUPPORT_COORDINATOR).first()
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
        ("peersupport", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_coordinator, revoke_coordinator)]
