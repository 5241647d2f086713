from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Program pages"

    def ready(self) -> None:
        from programs import signals

        signals.connect()
