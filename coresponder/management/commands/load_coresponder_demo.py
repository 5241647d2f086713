from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from coresponder.demo import coresponder_demo_load


class Command(BaseCommand):
    help = "Link the demo clinician and liaison and add a year of synthetic encounters."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo content is for development only; set DJANGO_DEBUG=1")
        counts = coresponder_demo_load()
        self.stdout.write("Co-responder demo: {encounters} encounters created.".format(**counts))
