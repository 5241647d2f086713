from django.db import migrations

from accounts.roles import ROLE_PERMISSIONS, Role
from core.grants import permissions_grant


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    for role, permissions in ROLE_PERMISSIONS.items():
        permissions_grant(apps, role, permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[r.value for r in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
