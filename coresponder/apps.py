from django.apps import AppConfig


class CoresponderConfig(AppConfig):
    name = "coresponder"
    verbose_name = "Co-responder program"

    def ready(self) -> None:
        register_staff_areas()


def register_staff_areas() -> None:
    """Put the co-responder pages on the staff landing page, each for the roles it serves."""
    from accounts.roles import Role
    from accounts.staff_areas import StaffArea, register
    from coresponder import selectors

    register(
        StaffArea(
            "Co-responder encounters",
            "Enter and correct co-responder contacts; program managers also close months "
            "and keep the monthly call volume.",
            "/staff/coresponder/encounters/",
            roles=(Role.CORESPONDER_CLINICIAN, Role.PROGRAM_MANAGER),
            open_work=selectors.entry_open_work,
        )
    )
    register(
        StaffArea(
            "Co-responder dashboard",
            "Program measures per month, agency and provider.",
            "/staff/coresponder/dashboard/",
            roles=(Role.PROGRAM_MANAGER, Role.AGENCY_LIAISON),
        )
    )
    register(
        StaffArea(
            "Co-responder import and export",
            "Upload encounters or call volume as CSV files and download records in the "
            "data dictionary's format.",
            "/staff/coresponder/import/",
            roles=(Role.PROGRAM_MANAGER, Role.CORESPONDER_CLINICIAN),
        )
    )
