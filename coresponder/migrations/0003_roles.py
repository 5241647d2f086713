from django.db import migrations

from accounts.roles import Role
from core.grants import permissions_grant, permissions_revoke

# What each role needs in the admin (coresponder.admin). Program managers set up clinician
# accounts and read encounters, call volume, closed months and imports there; encounters,
# volume and closed months are written by the portal's own pages, which check the data
# dictionary and closed months and write the audit log, so the admin only reads them.
# Administrators create clinician accounts (with the user, or on their own).
# Clinicians get no admin permissions: Django's are per model, not per record, and a
# clinician may only see their own provider's records (their pages under
# /staff/coresponder/encounters/). Their group is still created here.
PERMISSIONS = {
    Role.PROGRAM_MANAGER: [
        "coresponder.add_clinician",
        "coresponder.change_clinician",
        "coresponder.view_clinician",
        "coresponder.view_encounter",
        "coresponder.view_monthlycallvolume",
        "coresponder.view_closedmonth",
        "coresponder.view_importjob",
    ],
    Role.ADMINISTRATOR: [
        "coresponder.add_clinician",
        "coresponder.change_clinician",
        "coresponder.view_clinician",
    ],
    Role.CORESPONDER_CLINICIAN: [],
}


def grant_roles(apps, schema_editor):
    for role, permissions in PERMISSIONS.items():
        permissions_grant(apps, role, permissions)


def revoke_roles(apps, schema_editor):
    for role, permissions in PERMISSIONS.items():
        permissions_revoke(apps, role, permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("coresponder", "0002_directory"),
    ]

    operations = [migrations.RunPython(grant_roles, revoke_roles)]
