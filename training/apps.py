from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training calendar"

    def ready(self) -> None:
        from training import signals
        from training.views.coordinator import register_staff_area

        signals.connect()
        register_staff_area()
