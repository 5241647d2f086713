from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from coresponder import services
from coresponder.demo import coresponder_demo_load

# The demo program manager (programs.services.DEMO_ACCOUNTS, made by load_demo).
DEMO_MANAGER = "manager"


class Command(BaseCommand):
    help = (
        "Link the demo clinician and liaison, add a year of synthetic encounters, then close "
        "the months of the years that have ended and publish their figures."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo content is for development only; set DJANGO_DEBUG=1")
        counts = coresponder_demo_load()
        self.stdout.write("Co-responder demo: {encounters} encounters created.".format(**counts))
        manager = get_user_model().objects.filter(username=DEMO_MANAGER).first()
        if manager is None or not services.is_program_manager(manager):
            self.stdout.write(
                f"No program manager account {DEMO_MANAGER!r} (run load_demo first): "
                "no figures were released."
            )
            return
        self._release_ended_years(manager)

    def _release_ended_years(self, manager) -> None:
        """Close the months of each ended year and publish the year, once: a year already
        released is left as it is (a revision needs a reason only a person can give)."""
        for row in reversed(services.release_years()):
            if row.latest is not None or row.year >= services.today().year:
                continue
            for month in row.open_months:
                services.month_close(month=month, by=manager, path="load_coresponder_demo")
            preview = services.release_preview(year=row.year)
            if not preview.can_publish:
                self.stdout.write(f"{row.year}: not released ({' '.join(preview.blockers)})")
                continue
            release = services.release_publish(
                year=row.year,
                note="",
                fingerprint=preview.fingerprint,
                by=manager,
                path="load_coresponder_demo",
            )
            self.stdout.write(f"{row.year}: figures published (revision {release.revision}).")
