from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from training.demo import training_demo_load


class Command(BaseCommand):
    help = "Add demo trainings, an exercise and a monthly meeting series (development only)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo content is for development only; set DJANGO_DEBUG=1")
        counts = training_demo_load()
        self.stdout.write(
            "Training demo: {created} events created, {unchanged} already there.".format(**counts)
        )
