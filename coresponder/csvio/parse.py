"""Checking rows of co-responder records, from an uploaded CSV file or a partner API batch.

The same handlers (`_EncounterFile`, `_VolumeFile`) and the same loop (`rows_check`) check
both: a file's rows (`file_check`, errors {"row", "column", "reason"}) and a batch's items
(`items_check`, errors {"item", "field", "reason"}, items counted from 0). For both:

- the whole file is checked before anything is written, and every error is listed with its
  row, column and reason; header problems first. Any error imports nothing;
- rows are numbered as a spreadsheet shows them: the header is row 1, so the first data row
  is row 2;
- a row is keyed by (agency, encounter_id), or (agency, month) for call volume: a key twice
  in one file is an error;
- free-text values may not start with = + - or @, so the export can stay byte-exact and still
  never hands a spreadsheet a formula;
- an encounter's date, or a call volume's month, must fall between the program's start and
  today (coresponder.quality, the same rules as the forms').

A batch's items are text values keyed by dictionary column, as a CSV row gives them; a key
that is no column of the dictionary is an error, a missing key a blank value. A handler is
made for one writer: restricted to its own provider (or agency), with closed months open
to program managers only.

A file imported, `handler.warnings()` lists the data-quality warnings (coresponder.quality)
of the agency-months its rows touched, for the job page.

The good rows are streamed into the staging table (coresponder.csvio.upsert) as they are
read, as long as no error has been found.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.dates import month_start
from coresponder import dictionary as dd
from coresponder import quality
from coresponder.access import is_program_manager
from coresponder.csvio import upsert
from coresponder.models import ClosedMonth, Encounter, ImportJob, MonthlyCallVolume
from coresponder.services import encounter_values, organizations_by_code

if TYPE_CHECKING:
    from accounts.models import Organization

ENCOUNTERS = "encounters"
VOLUME = "volume"

FORMULA_PREFIXES = ("=", "+", "-", "@")
FREE_TEXT_COLUMNS = ("encounter_id", "cad_incident", "person_key")
FORMULA_REASON = "may not start with =, +, - or @"
# The end of the reason given for an existing record of another provider (the API answers
# a single PUT of such a record as a missing one: 404).
OTHER_PROVIDERS_RECORD = "is a record of another provider"


def starts_like_formula(value: str) -> bool:
    """True for text a spreadsheet would read as a formula (for any form taking free text)."""
    return value.strip().startswith(FORMULA_PREFIXES)


def error(row: int | None, column: str, reason: str) -> dict:
    """One entry of a job's error list."""
    return {"row": row, "column": column, "reason": reason}


class _Unreadable(Exception):
    def __init__(self, row: int, reason: str):
        super().__init__(reason)
        self.row, self.reason = row, reason


def _records(binary) -> Iterator[tuple[int, list[str]]]:
    """(row number, values) for every row of a CSV file; the header is row 1."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    number = 0
    try:
        for number, record in enumerate(csv.reader(text), start=1):  # noqa: B007
            yield number, record
    except UnicodeDecodeError:
        raise _Unreadable(number + 1, "is not UTF-8 text: save the file as “CSV UTF-8”") from None
    except csv.Error as exc:
        raise _Unreadable(number + 1, f"cannot be read as CSV ({exc})") from None
    finally:
        text.detach()  # leave the file open for its owner (an upload is saved after counting)


def _blank(record: list[str]) -> bool:
    return not any(value.strip() for value in record)


def count_data_rows(binary) -> int:
    """Data rows of a CSV file (blank rows not counted); stops quietly at unreadable text."""
    rows = 0
    with contextlib.suppress(_Unreadable):
        for number, record in _records(binary):
            if number > 1 and not _blank(record):
                rows += 1
    return rows


def _header(record: list[str], columns: list[str]) -> tuple[dict[str, int], list[dict]]:
    """Where each dictionary column is, and the header's problems (missing, unknown, twice)."""
    index: dict[str, int] = {}
    missing, unknown, twice = [], [], []
    for position, raw in enumerate(record):
        name = raw.strip()
        if name in columns:
            if name in index:
                twice.append(
                    error(1, name, f"appears twice (columns {index[name] + 1} and {position + 1})")
                )
            else:
                index[name] = position
        elif not name:
            unknown.append(error(1, "", f"column {position + 1} has no name"))
        else:
            guess = name.lower().replace(" ", "_").replace("-", "_")
            hint = f"; did you mean “{guess}”?" if guess in columns and guess != name else ""
            unknown.append(error(1, name, f"is not a column of the data dictionary{hint}"))
    for name in columns:
        if name not in index:
            missing.append(error(1, name, "is missing from the header row"))
    return index, missing + unknown + twice


# --- The two kinds of rows ----------------------------------------------------------------


class _File:
    """What both kinds of rows share: who writes them, the agency-months their staged rows
    touch, and the warnings of those months once written.

    The same handler checks a CSV file's rows and an API batch's items, so it takes plain
    values, not an import job: `own` restricts every row to one organization (a clinician's
    or an API key's provider for encounters, an API key's agency for call volume; None for a
    program manager), `closed_open` opens closed months (program managers only), and `verb`
    says how the writer sends rows, for the reasons ("import" a file, "send" to the API)."""

    def __init__(
        self, *, day: dt.date, own: Organization | None, closed_open: bool, verb: str = "import"
    ):
        self.today = day
        self.own = own
        self.verb = verb
        self.orgs = organizations_by_code()
        self.closed = (
            set() if closed_open else set(ClosedMonth.objects.values_list("month", flat=True))
        )
        self.check_existing = not closed_open
        self.touched: set[tuple[str, dt.date]] = set()

    guard_field: str | None = None  # see coresponder.csvio.upsert.staging_foreign

    def late_errors(self, staging: str) -> list[tuple[int, str, str]]:
        """After the upsert, the rows that would have changed a record of another owner
        created meanwhile (the upsert left them alone); the write is refused for them."""
        return []

    def _own_code(self) -> str | None:
        return self.own.dictionary_code if self.own is not None else None

    def warnings(self) -> list[dict]:
        """The data-quality warnings of the months the rows touched, as the job stores them."""
        checks = quality.checks_for_months(self.touched)
        return [check.as_dict() for check in checks]


class _EncounterFile(_File):
    columns = dd.ENCOUNTER_COLUMNS
    key_column = "encounter_id"
    model = Encounter
    fields = ["encounter_id", "agency", "provider", *dd.ENCOUNTER_COLUMNS[3:]]  # staged, in order
    unique_fields = ["agency", "encounter_id"]
    update_fields = fields[2:]
    by_field, by_on_update = "created_by", False

    @property
    def guard_field(self) -> str | None:
        return "provider" if self.own is not None else None

    def late_errors(self, staging: str) -> list[tuple[int, str, str]]:
        codes = {organization.pk: code for code, organization in self.orgs.items()}
        return [
            (
                position,
                "encounter_id",
                f"“{encounter_id}” of {codes.get(agency, agency)} {OTHER_PROVIDERS_RECORD}",
            )
            for position, agency, encounter_id in upsert.staging_foreign(self, staging)
        ]

    def warnings(self) -> list[dict]:
        """A clinician's rows: their provider's encounters, each warning linked to them."""
        own = self._own_code()
        checks = quality.checks_for_months(self.touched, provider=own, volume_links=own is None)
        return [check.as_dict() for check in checks]

    def clean(self, values: dict) -> tuple[dict, list[tuple[str, str]]]:
        cleaned, errors = dd.check_encounter_row(values)
        if cleaned["date"] is not None:
            problem = quality.encounter_date_problem(cleaned["date"], today=self.today)
            if problem:
                errors.append(("date", problem))
        for column in FREE_TEXT_COLUMNS:
            if cleaned[column].startswith(FORMULA_PREFIXES):
                errors.append((column, FORMULA_REASON))
        for column in ("agency", "provider"):
            if cleaned[column] and cleaned[column] not in self.orgs:
                errors.append((column, f"“{cleaned[column]}” is not in the portal's directory"))
        own = self._own_code()
        if own is not None and cleaned["provider"] and cleaned["provider"] != own:
            errors.append(
                (
                    "provider",
                    f"“{cleaned['provider']}” is another provider: you may {self.verb} only "
                    f"{own} records",
                )
            )
        if cleaned["date"] and month_start(cleaned["date"]) in self.closed:
            errors.append(("date", _closed(cleaned["date"])))
        return cleaned, errors

    def key(self, cleaned: dict) -> tuple | None:
        if cleaned["agency"] and cleaned["encounter_id"]:
            return (cleaned["agency"], cleaned["encounter_id"])
        return None

    def duplicate(self, key: tuple, first: str) -> str:
        return f"“{key[1]}” of {key[0]} is also on {first}: one row per encounter"

    def values(self, cleaned: dict) -> tuple:
        self.touched.add((cleaned["agency"], month_start(cleaned["date"])))
        values = encounter_values(cleaned, self.orgs)
        values["agency"], values["provider"] = values["agency"].pk, values["provider"].pk
        return tuple(values[name] for name in self.fields)

    def existing_errors(self, keys: dict[tuple, int]) -> list[tuple[int, str, str]]:
        """Rows that would change a record this writer may not: another provider's, or
        one dated in a closed month (program managers may change any). (position, column,
        reason) for each."""
        if not self.check_existing:
            return []
        errors = []
        own_id = self.own.pk if self.own is not None else None
        by_agency = defaultdict(list)
        for agency, encounter_id in keys:
            if agency in self.orgs:
                by_agency[agency].append(encounter_id)
        for agency, ids in by_agency.items():
            for start in range(0, len(ids), 5_000):
                rows = Encounter.objects.filter(
                    agency=self.orgs[agency], encounter_id__in=ids[start : start + 5_000]
                ).values_list("encounter_id", "provider_id", "date")
                for encounter_id, provider_id, day in rows:
                    position = keys[(agency, encounter_id)]
                    if own_id is not None and provider_id != own_id:
                        reason = f"“{encounter_id}” of {agency} {OTHER_PROVIDERS_RECORD}"
                        errors.append((position, "encounter_id", reason))
                    if month_start(day) in self.closed:
                        reason = (
                            f"“{encounter_id}” of {agency} is a record dated {day:%Y-%m}, "
                            "a closed month: only a program manager can change it"
                        )
                        errors.append((position, "encounter_id", reason))
        return errors


class _VolumeFile(_File):
    columns = dd.VOLUME_COLUMNS
    key_column = "month"
    model = MonthlyCallVolume
    fields = ["agency", "month", "mh_calls", "total_calls"]
    unique_fields = ["agency", "month"]
    update_fields = ["mh_calls", "total_calls"]
    by_field, by_on_update = "updated_by", True

    def clean(self, values: dict) -> tuple[dict, list[tuple[str, str]]]:
        cleaned, errors = dd.check_volume_row(values)
        if cleaned["month"] is not None:
            problem = quality.volume_month_problem(cleaned["month"], today=self.today)
            if problem:
                errors.append(("month", problem))
        if cleaned["agency"] and cleaned["agency"] not in self.orgs:
            errors.append(("agency", f"“{cleaned['agency']}” is not in the portal's directory"))
        own = self._own_code()
        if own is not None and cleaned["agency"] and cleaned["agency"] != own:
            errors.append(
                (
                    "agency",
                    f"“{cleaned['agency']}” is another agency: you may {self.verb} only "
                    f"{own} call volume",
                )
            )
        if cleaned["month"] and cleaned["month"] in self.closed:
            errors.append(("month", _closed(cleaned["month"])))
        return cleaned, errors

    def key(self, cleaned: dict) -> tuple | None:
        if cleaned["agency"] and cleaned["month"]:
            return (cleaned["agency"], cleaned["month"])
        return None

    def duplicate(self, key: tuple, first: str) -> str:
        return f"{key[1]:%Y-%m} of {key[0]} is also on {first}: one row per agency and month"

    def values(self, cleaned: dict) -> tuple:
        self.touched.add((cleaned["agency"], cleaned["month"]))
        agency = self.orgs[cleaned["agency"]].pk
        return (agency, cleaned["month"], cleaned["mh_calls"], cleaned["total_calls"])

    def existing_errors(self, keys: dict[tuple, int]) -> list[tuple[int, str, str]]:
        return []


def _closed(day: dt.date) -> str:
    return f"{day:%Y-%m} is a closed month: only a program manager can change its records"


# The handler of each kind of rows: its columns, model and checks.
FILES = {ENCOUNTERS: _EncounterFile, VOLUME: _VolumeFile}


def job_handler(job: ImportJob, *, day: dt.date) -> _File:
    """The handler of an import job's file: a clinician's job is restricted to their
    provider; a program manager's may change closed months."""
    return FILES[job.kind](
        day=day, own=job.provider, closed_open=is_program_manager(job.created_by)
    )


# --- Checking rows, from a file or a batch -----------------------------------------------


@dataclass
class _Checked:
    """What checking rows found: every error as (position, column, reason), the position of
    each key, and the rows read."""

    errors: list[tuple[int, str, str]] = field(default_factory=list)
    keys: dict[tuple, int] = field(default_factory=dict)
    rows: int = 0


def rows_check(
    handler,
    rows: Iterable[tuple[int, dict | None, list[tuple[str, str]]]],
    copy,
    checked: _Checked,
    *,
    present: Collection[str],
    where: Callable[[int], str],
    stage: bool = True,
    report: Callable[[int], None] | None = None,
    every: int = 0,
) -> None:
    """Check rows one by one, the one loop of the import and the API: `rows` gives
    (position, text values by column or None when the row cannot be read, problems already
    found). Only problems of `present` columns are kept (a column missing from a file's
    header is reported once, there). A key twice is an error (`where` names the position of
    the first, "row 4" or "item 3"). Rows are staged through `copy` while no error has been
    found and `stage` holds; `report` is called with the rows read every `every` rows."""
    errors, keys = checked.errors, checked.keys
    for position, values, problems in rows:
        checked.rows += 1
        if report is not None and checked.rows % every == 0:
            report(checked.rows)
        errors.extend((position, column, reason) for column, reason in problems)
        if values is None:
            continue
        cleaned, found = handler.clean(values)
        errors.extend((position, column, reason) for column, reason in found if column in present)
        key = handler.key(cleaned)
        if key is not None:
            if key in keys:
                errors.append(
                    (position, handler.key_column, handler.duplicate(key, where(keys[key])))
                )
            else:
                keys[key] = position
        if stage and not errors:
            copy.write_row((position, *handler.values(cleaned)))


def sorted_errors(handler, errors: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """By position, then by the dictionary's column order (whole-row errors first)."""
    order = {name: position for position, name in enumerate(handler.columns)}
    return sorted(errors, key=lambda e: (e[0], order.get(e[1], -1)))


# --- Checking a whole file ---------------------------------------------------------------


def _file_rows(records, index: dict[str, int], width: int, unreadable: list):
    """(row number, values, problems) of a file's data rows, blank rows left out; text that
    cannot be read ends the rows, its error put in `unreadable`."""
    try:
        for number, record in records:
            if _blank(record):
                continue
            if len(record) != width:
                reason = f"has {len(record)} values but the header has {width} columns"
                yield number, None, [("", reason)]
                continue
            yield number, {c: record[i] for c, i in index.items()}, []
    except _Unreadable as exc:
        unreadable.append((exc.row, "", exc.reason))


def file_check(
    job: ImportJob, handler, staging: str, report: Callable[[int], None], *, every: int
) -> tuple[list[dict], int]:
    """Every error of the file (header first, then by row and column) and its number of data
    rows; the rows are staged as long as no error has been found. `report` is called with
    the rows read so far every `every` rows."""
    with job.file.open("rb") as binary:
        records = _records(binary)
        try:
            first = next(records, None)
        except _Unreadable as exc:
            return [error(exc.row, "", exc.reason)], 0
        if first is None:
            reason = f"the file is empty: row 1 must be the header ({', '.join(handler.columns)})"
            return [error(1, "", reason)], 0
        index, header_errors = _header(first[1], handler.columns)
        checked, unreadable = _Checked(), []
        with upsert.staging_copy(handler, staging) as copy:
            rows_check(
                handler,
                _file_rows(records, index, len(first[1]), unreadable),
                copy,
                checked,
                present=index,
                where=lambda row: f"row {row}",
                stage=not header_errors,
                report=report,
                every=every,
            )
    found = checked.errors + unreadable
    if not header_errors and not found and checked.rows == 0:
        found.append((2, "", "the file has a header but no data rows"))
    found.extend(handler.existing_errors(checked.keys))
    row_errors = [error(*e) for e in sorted_errors(handler, found)]
    return header_errors + row_errors, checked.rows


# --- Checking a batch of items (the partner API) -----------------------------------------

NOT_A_COLUMN = "is not a column of the data dictionary"


def item_error(item: int, field: str, reason: str) -> dict:
    """One error of a batch: the item's 0-based index, the dictionary column, the reason."""
    return {"item": item, "field": field, "reason": reason}


def _item_rows(handler, items: list[dict]):
    """(index, values, problems) of a batch's items: a key that is no column of the
    dictionary is an error; a missing key, or null, is a blank value."""
    columns = set(handler.columns)
    for index, item in enumerate(items):
        problems, values = [], {}
        for name, value in item.items():
            if name not in columns:
                problems.append((name, NOT_A_COLUMN))
            elif value is None:
                values[name] = ""
            elif isinstance(value, str):
                values[name] = value
            else:
                problems.append((name, "must be sent as text"))
        yield index, values, problems


def items_check(handler, items: list[dict], staging: str) -> list[dict]:
    """Every error of a batch, by item and then column, as item_error gives them; the items
    are staged (position: their index) as long as no error has been found."""
    checked = _Checked()
    with upsert.staging_copy(handler, staging) as copy:
        rows_check(
            handler,
            _item_rows(handler, items),
            copy,
            checked,
            present=handler.columns,
            where=lambda index: f"item {index}",
        )
    found = checked.errors + handler.existing_errors(checked.keys)
    return [item_error(*e) for e in sorted_errors(handler, found)]
