"""Any change to public content invalidates the anonymous page cache.

This is cache bookkeeping, not a business rule: a signal catches every way content
changes (admin, revision restore, management commands, the shell), which a service call
alone would not.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from programs.models import Document, Highlight, HighlightFigure, ProgramArea, ProgramPage
from programs.pagecache import content_changed


def _changed(**kwargs) -> None:
    content_changed()


def connect() -> None:
    for model in (ProgramArea, ProgramPage, Highlight, HighlightFigure, Document):
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}")
    m2m_changed.connect(_changed, sender=Document.pages.through, dispatch_uid="pagecache-docpages")
