"""CSV export of co-responder records, and of an import's error list.

The dictionary's columns in order, its codes, yes/no/blank, concerns joined by ";" in
dictionary order, dates YYYY-MM-DD, times HH:MM, months YYYY-MM; streamed in chunks
(`csv_chunks`). Free text that a spreadsheet would read as a formula is refused by the
import (coresponder.csvio.parse), so the export can stay byte-exact and still never hands a
spreadsheet a formula; such text stored by another path is still written as text.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from core.dates import month_start
from coresponder import dictionary as dd
from coresponder.access import encounters_visible_to
from coresponder.csvio.parse import FORMULA_PREFIXES
from coresponder.models import Encounter, ImportJob, MonthlyCallVolume

FETCH_ROWS = 5_000  # rows read from the database at a time

_EXPORT_FIELDS = [
    "encounter_id",
    "agency__dictionary_code",
    "provider__dictionary_code",
    *dd.ENCOUNTER_COLUMNS[3:],
]
_CONCERN_ORDER = {code: position for position, code in enumerate(dd.CONCERNS)}
_YES_NO = {True: "yes", False: "no", None: ""}


def encounters_for_export(
    *, user, date_from=None, date_to=None, agency: str = "", provider: str = ""
) -> QuerySet[Encounter]:
    """The records a user may export (clinicians: their provider's), filtered."""
    records = encounters_visible_to(user=user)
    if date_from:
        records = records.filter(date__gte=date_from)
    if date_to:
        records = records.filter(date__lte=date_to)
    if agency:
        records = records.filter(agency__dictionary_code=agency)
    if provider:
        records = records.filter(provider__dictionary_code=provider)
    return records


def volume_for_export(*, date_from=None, date_to=None, agency: str = "") -> QuerySet:
    """Monthly call volume of the months overlapping the date range."""
    rows = MonthlyCallVolume.objects.all()
    if date_from:
        rows = rows.filter(month__gte=month_start(date_from))
    if date_to:
        rows = rows.filter(month__lte=date_to)
    if agency:
        rows = rows.filter(agency__dictionary_code=agency)
    return rows


def _text(value: str) -> str:
    # Import refuses such values; one stored by another path is still never a formula.
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def encounter_export_rows(records: QuerySet[Encounter]) -> Iterator[list[str]]:
    yield list(dd.ENCOUNTER_COLUMNS)
    values = records.order_by("date", "time", "pk").values(*_EXPORT_FIELDS)
    for r in values.iterator(chunk_size=FETCH_ROWS):
        yield [
            _text(r["encounter_id"]),
            r["agency__dictionary_code"],
            r["provider__dictionary_code"],
            r["date"].isoformat(),
            r["time"].strftime("%H:%M") if r["time"] else "",
            _text(r["cad_incident"]),
            r["referral_source"],
            r["contact_type"],
            ";".join(sorted(r["concerns"], key=lambda code: _CONCERN_ORDER.get(code, 99))),
            _YES_NO[r["assessment"]],
            r["disposition"],
            _YES_NO[r["linked_to_services"]],
            r["service_type"],
            r["age_group"],
            r["gender"],
            _YES_NO[r["veteran"]],
            _text(r["person_key"]),
            "" if r["minutes"] is None else str(r["minutes"]),
            _YES_NO[r["use_of_force"]],
        ]


def volume_export_rows(rows: QuerySet) -> Iterator[list[str]]:
    yield list(dd.VOLUME_COLUMNS)
    values = rows.order_by("month", "agency__dictionary_code").values_list(
        "agency__dictionary_code", "month", "mh_calls", "total_calls"
    )
    for agency, month, mh_calls, total_calls in values.iterator(chunk_size=FETCH_ROWS):
        yield [
            agency,
            f"{month:%Y-%m}",
            str(mh_calls),
            "" if total_calls is None else str(total_calls),
        ]


def error_rows(job: ImportJob) -> Iterator[list]:
    """An import's error list as CSV rows; text neutralized, since it quotes what the file
    held."""
    yield ["row", "column", "reason"]
    for error in job.errors:
        row = "" if error["row"] is None else error["row"]
        yield [row, _safe(error["column"]), _safe(error["reason"])]


def _safe(value: str) -> str:
    return "'" + value if value.startswith((*FORMULA_PREFIXES, "\t", "\r")) else value


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list], *, rows_per_chunk: int = 500) -> Iterator[str]:
    """CSV text in chunks of rows, for a StreamingHttpResponse."""
    writer = csv.writer(_Line())
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow(row))
        if len(chunk) == rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
