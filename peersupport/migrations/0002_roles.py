from django.db import migrations

from accounts.roles import Role
from core.grants import permissions_grant, permissions_revoke

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
    permissions_grant(apps, Role.PEER_SUPPORT_COORDINATOR, PERMISSIONS)


def revoke_coordinator(apps, schema_editor):
    permissions_revoke(apps, Role.PEER_SUPPORT_COORDINATOR, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("peersupport", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_coordinator, revoke_coordinator)]
