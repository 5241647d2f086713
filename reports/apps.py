from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Monthly reports"

    def ready(self) -> None:
        from reports import schedule

        schedule.connect()
