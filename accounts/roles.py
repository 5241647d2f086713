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
# their own data migrations with core.grants.permissions_grant().
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SITE_EDITOR: [
        f"programs.{action}_{model}"
        for model in ("programarea", "programpage", "highlight", "highlightfigure", "document")
        for action in ("add", "change", "delete", "view")
    ],
    Role.ADMINISTRATOR: ["accounts.view_auditevent", "accounts.view_user", "accounts.change_user"],
}
