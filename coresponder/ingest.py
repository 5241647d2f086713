"""The partner API's writes: a batch of encounters or of monthly call volume, checked and
written exactly as a CSV import is.

`items_ingest` runs the import's handlers and checking loop (coresponder.csvio.parse) over
the batch's items, stages them with COPY and upserts them (coresponder.csvio.upsert), all
in one transaction:

- all or nothing: any error writes nothing, and every error is listed with its item's
  index (from 0), its field and its reason;
- an item identical to its record is not written (no history event, updated_at kept), so
  sending the same batch again changes nothing and reports every item unchanged;
- the writer is an API key, never a program manager: closed months refuse writes, every
  item must be its own provider's (or agency's), and an existing record of another
  provider is refused. Records are written with no user (created_by, updated_by NULL);
  `history` goes to pghistory.context (e.g. {"api_key": pk}).

There is no audit here: the API layer audits every call, refused or not.
The entry points are coresponder.services.encounters_ingest and volume_ingest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coresponder.csvio import parse, upsert
from coresponder.csvio.parse import ENCOUNTERS as ENCOUNTERS
from coresponder.csvio.parse import VOLUME as VOLUME
from coresponder.services import INGEST_MAX_ITEMS, IngestResult, today

if TYPE_CHECKING:
    from accounts.models import Organization


class _Refused(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def _no_report(rows: int) -> None:
    pass


def items_ingest(
    kind: str, *, items: list[dict[str, str]], own: Organization, history: dict
) -> IngestResult:
    """Check and write a batch of `kind` (ENCOUNTERS or VOLUME) for an API key of `own`
    (its provider, or its agency). More than INGEST_MAX_ITEMS items is the caller's error
    (ValueError): the API refuses such a batch before reading it."""
    if len(items) > INGEST_MAX_ITEMS:
        raise ValueError(f"a batch has {INGEST_MAX_ITEMS:,} items at most, not {len(items):,}")
    handler = parse.FILES[kind](day=today(), own=own, closed_open=False, verb="send")
    try:
        with upsert.staging_transaction(handler, history) as staging:
            errors = parse.items_check(handler, items, staging)
            if errors:
                raise _Refused(errors)  # rolls back what was staged
            counts = upsert.staging_upsert(None, handler, staging, _no_report, 0)
            late = handler.late_errors(staging)  # another provider's, created meanwhile
            if late:
                raise _Refused([parse.item_error(*e) for e in late])
    except _Refused as refused:
        return IngestResult(created=0, updated=0, unchanged=0, errors=refused.errors)
    return IngestResult(
        created=counts.created, updated=counts.updated, unchanged=counts.unchanged, errors=[]
    )
