"""Program managers issue, list and revoke the partners' API keys (issue 15)."""

from django.db import migrations

from accounts.roles import Role
from core.grants import permissions_grant, permissions_revoke

PERMISSIONS = {
    Role.PROGRAM_MANAGER: ["accounts.add_apikey", "accounts.view_apikey", "accounts.change_apikey"]
}


def grant_roles(apps, schema_editor):
    for role, permissions in PERMISSIONS.items():
        permissions_grant(apps, role, permissions)


def revoke_roles(apps, schema_editor):
    for role, permissions in PERMISSIONS.items():
        permissions_revoke(apps, role, permissions)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_apikey")]

    operations = [migrations.RunPython(grant_roles, revoke_roles)]
