"""The roles of DESIGN.md as groups with permissions, and what each role may reach."""

from django.db import models


class Role(models.TextChoices):
    SITE_EDITOR = "Site editors", "Site editor"
    TRAINING_COORDINATOR = "Training coordinators", "Training coordinator"
    PEER_SUPPORT_COORDINATOR = "Peer support coordinators", "Peer support coordinator"
    PEER_TEAM_MEMBER = "Peer team members", "Peer team member"
    CORESPONDER_CLINICIAN = "Co-responder clinicians", "Co-responder clinician"
    AGENCY_LIAISON = "Agency liaisons", "Agency liaison"
    PROGRAM_MANAGER = "Program managers", "Program manager"
    ADMINISTRATOR = "Administrators", "Administrator"


# Permissions each role's group holds, as "app_label.codename". Later apps add theirs in
# their own data migrations with accounts.roles.grant().
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SITE_EDITOR: [
        f"programs.{action}_{model}"
        for model in ("programarea", "programpage", "highlight", "highlightfigure", "document")
        for action in ("add", "change", "delete", "view")
    ],
    Role.ADMINISTRATOR: ["accounts.view_auditevent", "accounts.view_user", "accounts.change_user"],
}


def grant(apps, role: str, permissions: list[str]) -> None:
    """Give a role's group permissions; for data migrations (uses the historical models)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=role)
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
