"""Changes to program content invalidate the cached pages that show it.

This is cache bookkeeping, not a business rule: a signal catches every way content
changes (admin, revision restore, management commands, the shell), which a service call
alone would not.

Pages, highlights and documents show on the program pages, the home page, site search and
the sitemap: the "programs" tag. A program area's title, summary and status also show on
the calendar's filters and on event pages, so a change to an area invalidates every page.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from core import pagecache
from programs.models import Document, Highlight, HighlightFigure, ProgramArea, ProgramPage


def _content_changed(**kwargs) -> None:
    pagecache.invalidate("programs")


def _area_changed(**kwargs) -> None:
    pagecache.invalidate_all()


def connect() -> None:
    for model in (ProgramPage, Highlight, HighlightFigure, Document):
        name = model.__name__
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"pagecache-save-{name}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"pagecache-del-{name}")
    m2m_changed.connect(
        _content_changed, sender=Document.pages.through, dispatch_uid="pagecache-docpages"
    )
    post_save.connect(_area_changed, sender=ProgramArea, dispatch_uid="pagecache-save-ProgramArea")
    post_delete.connect(_area_changed, sender=ProgramArea, dispatch_uid="pagecache-del-ProgramArea")
