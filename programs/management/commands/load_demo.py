"""Load the demo program content and the demo staff accounts (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programs import services

SIGN_IN_URL = "http://127.0.0.1:8000/account/login/"


class Command(BaseCommand):
    help = (
        "Create or update the demo program content and the demo staff accounts "
        "(admin and one per role). Safe to run again; refuses to run unless DJANGO_DEBUG=1."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for development only; set DJANGO_DEBUG=1")
        counts = services.demo_content_load()
        self.stdout.write(
            "Demo content: {created} created, {updated} updated, {unchanged} unchanged.".format(
                **counts
            )
        )
        for username, password in services.demo_accounts_ensure():
            self.stdout.write(f"Demo account: {username} / {password}")
        self.stdout.write(
            f"Sign in at {SIGN_IN_URL}: each account sets up two-factor sign-in (an "
            "authenticator app) the first time."
        )
