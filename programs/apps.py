from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Program pages"

    def ready(self) -> None:
        from accounts.roles import Role
        from accounts.staff_areas import StaffArea, register
        from programs import signals

        signals.connect()
        register(
            StaffArea(
                "Program pages and documents",
                "Edit program pages, highlights and plans; preview drafts.",
                "/admin/programs/",
                roles=(Role.SITE_EDITOR,),
            )
        )
