"""Any change to what the public calendar shows invalidates the anonymous page cache.

Cache bookkeeping, not a business rule (as in programs/signals.py): registrations are
included because the calendar shows the seats left.
"""

from django.db.models.signals import post_delete, post_save

from programs.pagecache import content_changed
from training.models import Committee, Event, EventDocument, Registration


def _changed(**kwargs) -> None:
    content_changed()


def connect() -> None:
    for model in (Event, EventDocument, Registration, Committee):
        name = model.__name__
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache-save-training-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache-del-training-{name}")
