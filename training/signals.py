"""Changes to what the public calendar shows invalidate the cached pages that show it.

Cache bookkeeping, not a business rule (as in programs/signals.py). What shows where:
- an event's details: its own page ("event:<pk>"), the calendar lists and month grids
  ("calendar"), and the home page's upcoming list, site search and the sitemap ("events");
- its seats (registrations, cancellations, promotions from the waitlist): its own page and
  the calendar, which say how many seats are left. Nothing else shows seats, so a
  registration leaves program pages and the home page cached;
- its documents: its own page;
- a committee's name: the host of many events and a calendar filter, so everything.
"""

from django.db.models.signals import post_delete, post_save

from core import pagecache
from training.models import Committee, Event, EventDocument, Registration


def _event_changed(*, instance: Event, **kwargs) -> None:
    pagecache.invalidate("events", "calendar", f"event:{instance.pk}")


def _seats_changed(*, instance: Registration, **kwargs) -> None:
    pagecache.invalidate("calendar", f"event:{instance.event_id}")


def _documents_changed(*, instance: EventDocument, **kwargs) -> None:
    pagecache.invalidate(f"event:{instance.event_id}")


def _committee_changed(**kwargs) -> None:
    pagecache.invalidate_all()


def connect() -> None:
    for model, receiver in (
        (Event, _event_changed),
        (Registration, _seats_changed),
        (EventDocument, _documents_changed),
        (Committee, _committee_changed),
    ):
        name = model.__name__
        post_save.connect(receiver, sender=model, dispatch_uid=f"pagecache-save-training-{name}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"pagecache-del-training-{name}")
