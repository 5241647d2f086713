from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from peersupport.demo import peersupport_demo_load


class Command(BaseCommand):
    help = "Add a demo peer team and one demo request (development only)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo content is for development only; set DJANGO_DEBUG=1")
        counts = peersupport_demo_load()
        self.stdout.write(
            "Peer support demo: {members_created} team members created.".format(**counts)
        )
