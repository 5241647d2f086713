"""Reading and checking an uploaded CSV file, row by row.

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

A file imported, `handler.warnings()` lists the data-quality warnings (coresponder.quality)
of the agency-months its rows touched, for the job page.

The good rows are streamed into the staging table (coresponder.csvio.upsert) as they are
read, as long as no error has been found.
"""

import contextlib
import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterator

from core.dates import month_start
from coresponder import dictionary as dd
from coresponder import quality
from coresponder.access import is_program_manager
from coresponder.csvio import upsert
from coresponder.models import ClosedMonth, Encounter, ImportJob, MonthlyCallVolume
from coresponder.services import encounter_values, organizations_by_code

ENCOUNTERS = "encounters"
VOLUME = "volume"

FORMULA_PREFIXES = ("=", "+", "-", "@")
FREE_TEXT_COLUMNS = ("encounter_id", "cad_incident", "person_key")
FORMULA_REASON = "may not start with =, +, - or @"


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


# --- The two files -----------------------------------------------------------------------


class _File:
    """What both files share: the agency-months their staged rows touch, and the warnings
    of those months once imported."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.touched: set[tuple[str, dt.date]] = set()

    def warnings(self) -> list[dict]:
        """The data-quality warnings of the months the file touched, as the job stores them.
        A clinician's job: their provider's encounters, each warning linked to them."""
        own = self.job.provider
        checks = quality.checks_for_months(
            self.touched,
            provider=own.dictionary_code if own is not None else None,
            volume_links=own is None,
        )
        return [check.as_dict() for check in checks]


class _EncounterFile(_File):
    columns = dd.ENCOUNTER_COLUMNS
    key_column = "encounter_id"
    model = Encounter
    fields = ["encounter_id", "agency", "provider", *dd.ENCOUNTER_COLUMNS[3:]]  # staged, in order
    unique_fields = ["agency", "encounter_id"]
    update_fields = fields[2:]
    by_field, by_on_update = "created_by", False

    def __init__(self, job: ImportJob, *, day: dt.date):
        super().__init__(job)
        self.today = day
        self.orgs = organizations_by_code()
        self.own_provider = job.provider
        manager = is_program_manager(job.created_by)
        self.closed = set() if manager else set(ClosedMonth.objects.values_list("month", flat=True))
        self.check_existing = not manager

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
        own = self.own_provider
        if own is not None and cleaned["provider"] and cleaned["provider"] != own.dictionary_code:
            errors.append(
                (
                    "provider",
                    f"“{cleaned['provider']}” is another provider: you may import only "
                    f"{own.dictionary_code} records",
                )
            )
        if cleaned["date"] and month_start(cleaned["date"]) in self.closed:
            errors.append(("date", _closed(cleaned["date"])))
        return cleaned, errors

    def key(self, cleaned: dict) -> tuple | None:
        if cleaned["agency"] and cleaned["encounter_id"]:
            return (cleaned["agency"], cleaned["encounter_id"])
        return None

    def duplicate(self, key: tuple, first_row: int) -> str:
        return f"“{key[1]}” of {key[0]} is also on row {first_row}: one row per encounter"

    def values(self, cleaned: dict) -> tuple:
        self.touched.add((cleaned["agency"], month_start(cleaned["date"])))
        values = encounter_values(cleaned, self.orgs)
        values["agency"], values["provider"] = values["agency"].pk, values["provider"].pk
        return tuple(values[name] for name in self.fields)

    def existing_errors(self, keys: dict[tuple, int]) -> list[dict]:
        """Rows that would change a record this importer may not: another provider's, or
        one dated in a closed month (program managers may change any)."""
        if not self.check_existing:
            return []
        errors = []
        own_id = self.own_provider.pk if self.own_provider is not None else None
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
                    row = keys[(agency, encounter_id)]
                    if own_id is not None and provider_id != own_id:
                        reason = f"“{encounter_id}” of {agency} is a record of another provider"
                        errors.append(error(row, "encounter_id", reason))
                    if month_start(day) in self.closed:
                        reason = (
                            f"“{encounter_id}” of {agency} is a record dated {day:%Y-%m}, "
                            "a closed month: only a program manager can change it"
                        )
                        errors.append(error(row, "encounter_id", reason))
        return errors


class _VolumeFile(_File):
    columns = dd.VOLUME_COLUMNS
    key_column = "month"
    model = MonthlyCallVolume
    fields = ["agency", "month", "mh_calls", "total_calls"]
    unique_fields = ["agency", "month"]
    update_fields = ["mh_calls", "total_calls"]
    by_field, by_on_update = "updated_by", True

    def __init__(self, job: ImportJob, *, day: dt.date):
        super().__init__(job)
        self.today = day
        self.orgs = organizations_by_code()
        manager = is_program_manager(job.created_by)
        self.closed = set() if manager else set(ClosedMonth.objects.values_list("month", flat=True))

    def clean(self, values: dict) -> tuple[dict, list[tuple[str, str]]]:
        cleaned, errors = dd.check_volume_row(values)
        if cleaned["month"] is not None:
            problem = quality.volume_month_problem(cleaned["month"], today=self.today)
            if problem:
                errors.append(("month", problem))
        if cleaned["agency"] and cleaned["agency"] not in self.orgs:
            errors.append(("agency", f"“{cleaned['agency']}” is not in the portal's directory"))
        if cleaned["month"] and cleaned["month"] in self.closed:
            errors.append(("month", _closed(cleaned["month"])))
        return cleaned, errors

    def key(self, cleaned: dict) -> tuple | None:
        if cleaned["agency"] and cleaned["month"]:
            return (cleaned["agency"], cleaned["month"])
        return None

    def duplicate(self, key: tuple, first_row: int) -> str:
        return (
            f"{key[1]:%Y-%m} of {key[0]} is also on row {first_row}: one row per agency and month"
        )

    def values(self, cleaned: dict) -> tuple:
        self.touched.add((cleaned["agency"], cleaned["month"]))
        agency = self.orgs[cleaned["agency"]].pk
        return (agency, cleaned["month"], cleaned["mh_calls"], cleaned["total_calls"])

    def existing_errors(self, keys: dict[tuple, int]) -> list[dict]:
        return []


def _closed(day: dt.date) -> str:
    return f"{day:%Y-%m} is a closed month: only a program manager can change its records"


# The handler of each kind of file: its columns, model and checks, for one job.
FILES = {ENCOUNTERS: _EncounterFile, VOLUME: _VolumeFile}


# --- Checking a whole file ---------------------------------------------------------------


def file_check(
    job: ImportJob, handler, staging: str, report: Callable[[int], None], *, every: int
) -> tuple[list[dict], int]:
    """Every error of the file (header first, then by row and column) and its number of data
    rows; the rows are staged as long as no error has been found. `report` is called with
    the rows read so far every `every` rows."""
    header_errors: list[dict] = []
    row_errors: list[dict] = []
    keys: dict[tuple, int] = {}
    rows = 0
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
        width = len(first[1])
        with upsert.staging_copy(handler, staging) as copy:
            try:
                for number, record in records:
                    if _blank(record):
                        continue
                    rows += 1
                    if rows % every == 0:
                        report(rows)
                    if len(record) != width:
                        reason = f"has {len(record)} values but the header has {width} columns"
                        row_errors.append(error(number, "", reason))
                        continue
                    cleaned, problems = handler.clean({c: record[i] for c, i in index.items()})
                    # A missing column is reported once, in the header, not on every row.
                    row_errors.extend(error(number, c, r) for c, r in problems if c in index)
                    key = handler.key(cleaned)
                    if key is not None:
                        if key in keys:
                            reason = handler.duplicate(key, keys[key])
                            row_errors.append(error(number, handler.key_column, reason))
                        else:
                            keys[key] = number
                    if not header_errors and not row_errors:
                        copy.write_row((number, *handler.values(cleaned)))
            except _Unreadable as exc:
                row_errors.append(error(exc.row, "", exc.reason))
    if not header_errors and not row_errors and rows == 0:
        row_errors.append(error(2, "", "the file has a header but no data rows"))
    row_errors.extend(handler.existing_errors(keys))
    order = {name: position for position, name in enumerate(handler.columns)}
    row_errors.sort(key=lambda e: (e["row"], order.get(e["column"], -1)))
    return header_errors + row_errors, rows
