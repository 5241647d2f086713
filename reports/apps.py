from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Monthly reports"

    def ready(self) -> None:
        from reports import schedule

        schedule.connect()
        register_staff_area()


def register_staff_area() -> None:
    """Put the monthly reports on the staff landing page for the roles that see some."""
    from accounts.staff_areas import StaffArea, register
    from reports import selectors
    from reports.access import REPORT_ROLES

    register(
        StaffArea(
            "Monthly reports",
            "Each month's reports as a page, PDF, CSV and Excel file, with earlier versions; "
            "program managers build past months' reports and rebuild a report here.",
            "/staff/reports/",
            roles=REPORT_ROLES,
            open_work=selectors.failed_open_work,
        )
    )
