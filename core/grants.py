"""Permissions given to and taken from a group, for the data migrations that set up roles.

    def grant_coordinator(apps, schema_editor):
        permissions_grant(apps, Role.TRAINING_COORDINATOR, PERMISSIONS)

    def revoke_coordinator(apps, schema_editor):
        permissions_revoke(apps, Role.TRAINING_COORDINATOR, PERMISSIONS)

    operations = [migrations.RunPython(grant_coordinator, revoke_coordinator)]

Permissions are named "app_label.codename". Both work on the historical models of `apps`,
so a migration keeps working whatever the models become later.
"""

from collections.abc import Iterable

from django.contrib.auth.management import create_permissions


def _split(dotted: str) -> tuple[str, str]:
    app_label, codename = dotted.split(".")
    return app_label, codename


def permissions_grant(apps, group_name: str, permissions: Iterable[str]) -> None:
    """Give the group (created if missing) these permissions.

    Django creates a model's permissions only after all migrations have run; they are
    created here first, so that a migration can grant the permissions of models it (or an
    earlier migration in the same run) has just made.
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    for dotted in permissions:
        app_label, codename = _split(dotted)
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def permissions_revoke(apps, group_name: str, permissions: Iterable[str]) -> None:
    """Take these permissions from the group; nothing to do if the group is gone."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        return
    for dotted in permissions:
        app_label, codename = _split(dotted)
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
