from django.apps import AppConfig


class PeerSupportConfig(AppConfig):
    name = "peersupport"
    verbose_name = "911 peer support"

    def ready(self) -> None:
        from peersupport.views.dashboard import register_staff_area

        register_staff_areas()
        register_staff_area()


def register_staff_areas() -> None:
    """Put peer support on the staff landing page: the coordinator's queue and roster, and
    each team member's own assignments."""
    from accounts.roles import Role
    from accounts.staff_areas import StaffArea, register
    from peersupport import selectors

    register(
        StaffArea(
            "Peer support requests",
            "The request queue, triage and assignment, and the team roster.",
            "/staff/peer-support/",
            roles=(Role.PEER_SUPPORT_COORDINATOR,),
            open_work=selectors.coordinator_open_work,
        )
    )
    register(
        StaffArea(
            "My peer support assignments",
            "Requests assigned to you: accept them, record contact and log activity.",
            "/staff/peer-support/mine/",
            roles=(Role.PEER_TEAM_MEMBER,),
            open_work=selectors.member_open_work,
        )
    )
