"""The co-responder data dictionary (version 1.0), as code: one source for the form, the
import, the export, the measures and the published standard (coresponder.opendata). It
follows the program's shared data dictionary: every field, code and rule that partners
agreed on is stated here once, as a spec per column (Column) and per rule between columns
(PairedColumns, NotLessThan). The checks below read the spec, and the published CSV
templates, Table Schemas and JSON Schemas are generated from it, so none can drift.

`check_encounter_row(row)` and `check_volume_row(row)` take one row of text values keyed
by column name and return (cleaned values, errors); errors are (column, reason) pairs.
A code not listed here is an error, never silently mapped. Values are trimmed of spaces
before they are judged. The dictionary judges how a value is written (a date or a month
must exist); whether it is plausible (dated before the program started, or in the future)
is coresponder.quality's call, and a code missing from the portal's directory or free text
starting like a formula is coresponder.csvio.parse's. The spec flags those columns
(`within_program`, `in_directory`, `free_text`) so that the published standard states them.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from core import dates

DICTIONARY_VERSION = "1.0"

AGENCIES = {
    "blue-springs": "Blue Springs Police Department",
    "grandview": "Grandview Police Department",
    "independence": "Independence Police Department",
    "lees-summit": "Lee's Summit Police Department",
    "raytown": "Raytown Police Department",
    "buckner": "Buckner Police Department",
    "grain-valley": "Grain Valley Police Department",
    "oak-grove": "Oak Grove Police Department",
}
FLOATER_AGENCIES = ("buckner", "grain-valley", "oak-grove")
PROVIDERS = {"rediscover": "ReDiscover", "burrell": "Burrell Behavioral Health"}

REFERRAL_SOURCES = ("911-call", "officer-initiated", "follow-up", "agency-referral", "other")
CONTACT_TYPES = ("on-scene", "phone", "follow-up-visit")
CONCERNS = (
    "mental-health",
    "substance-use",
    "suicidal-ideation",
    "homicidal-ideation",
    "welfare-check",
    "housing",
    "family-conflict",
    "other",
)
YES_NO = ("yes", "no")
DISPOSITIONS = (
    "resolved-on-scene",
    "referred",
    "voluntary-transport",
    "involuntary-hold",
    "arrest",
    "other-custody",
    "no-contact",
)
SERVICE_TYPES = (
    "outpatient",
    "crisis-center",
    "inpatient",
    "substance-use-treatment",
    "case-management",
    "housing",
    "other",
)
AGE_GROUPS = ("under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-plus")
GENDERS = ("female", "male", "another")

# Substance-use information: never shown to police-role users, not even in aggregate.
SUBSTANCE_USE_CONCERN = "substance-use"
SUBSTANCE_USE_SERVICE = "substance-use-treatment"
CUSTODY_DISPOSITIONS = ("arrest", "other-custody")

# The most calls an agency can report for one month: far above the region's largest
# department, and a bound that keeps a mistyped number (or thousands of digits) from ever
# reaching the database's integer column.
MONTHLY_CALLS_HIGH = 1_000_000

# Codes whose hyphens are not spaces: ranges, "65-plus", compound words. Labels only: the
# codes, the CSV and the export never change.
_LABELS = {
    "under-18": "Under 18",
    "18-24": "18 to 24",
    "25-34": "25 to 34",
    "35-44": "35 to 44",
    "45-54": "45 to 54",
    "55-64": "55 to 64",
    "65-plus": "65 and over",
    "officer-initiated": "Officer-initiated",
    "follow-up": "Follow-up",
    "follow-up-visit": "Follow-up visit",
    "another": "Another gender",
}


def label(code: str) -> str:
    """A readable label for a code: 'voluntary-transport' → 'Voluntary transport',
    '18-24' → '18 to 24'."""
    return _LABELS.get(code) or code.replace("-", " ").capitalize()


# --- The spec ----------------------------------------------------------------------------

TEXT = "text"
CODE = "code"
CODES = "codes"  # one or more codes separated by ";"
DATE = "date"
TIME = "time"
MONTH = "month"
WHOLE = "whole number"
KINDS = (TEXT, CODE, CODES, DATE, TIME, MONTH, WHOLE)

# How each kind is written, for the published standard and the data dictionary page.
WRITTEN = {
    TEXT: "Text.",
    CODE: "One of the codes listed.",
    CODES: "One or more of the codes listed, separated by “;” (for example a;b), each once.",
    DATE: f"A date written YYYY-MM-DD, for example {dates.DATE_EXAMPLE}.",
    TIME: f"A time on the 24-hour clock written HH:MM, for example {dates.TIME_EXAMPLE}.",
    MONTH: "A month written YYYY-MM, for example 2026-03.",
    WHOLE: "A whole number written with the digits 0 to 9 only.",
}


@dataclass(frozen=True)
class Column:
    """One column of a file, everything the dictionary says about it."""

    name: str
    title: str
    description: str  # in plain words, for people filling the file
    kind: str  # one of KINDS
    required: bool = False
    codes: Mapping[str, str] = field(default_factory=dict)  # code → label (code kinds)
    max_length: int | None = None  # text
    low: int | None = None  # whole numbers: the smallest allowed
    high: int | None = None  # whole numbers: the largest allowed, None for no limit
    free_text: bool = False  # may not start with = + - @ (coresponder.csvio.parse)
    in_directory: bool = False  # the code must be in the portal's directory too
    within_program: bool = False  # between the program's start and today (quality)
    example: str = ""  # the value of the templates' example row ("" = left blank)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")


def _codes(values, names: Mapping[str, str] | None = None) -> dict[str, str]:
    return {code: (names or {}).get(code) or label(code) for code in values}


@dataclass(frozen=True)
class PairedColumns:
    """`column` is required when `flag` is yes and must be blank when it is no."""

    column: str
    flag: str

    @property
    def text(self) -> str:
        return f"{self.column} is required when {self.flag} is yes, and blank when it is no."

    def check(self, row: dict, cleaned: dict) -> list[tuple[str, str]]:
        given = bool((row.get(self.column) or "").strip())
        if cleaned[self.flag] == "yes" and not given:
            return [(self.column, f"is required when {self.flag} is yes")]
        if cleaned[self.flag] == "no" and given:
            return [(self.column, f"must be blank when {self.flag} is no")]
        return []


@dataclass(frozen=True)
class NotLessThan:
    """`column`, when given, is at least `other`."""

    column: str
    other: str

    @property
    def text(self) -> str:
        return f"{self.column}, when given, is at least {self.other}."

    def check(self, row: dict, cleaned: dict) -> list[tuple[str, str]]:
        mine, theirs = cleaned[self.column], cleaned[self.other]
        if mine is not None and theirs is not None and mine < theirs:
            return [(self.column, f"is smaller than {self.other}")]
        return []


@dataclass(frozen=True)
class FileSpec:
    """One file of the dictionary: its columns in order, its key and its rules."""

    name: str  # "encounters" | "volume"
    title: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # one row per key
    rules: tuple[PairedColumns | NotLessThan, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


_YES_NO = _codes(YES_NO)

ENCOUNTERS = FileSpec(
    name="encounters",
    title="Co-responder encounters",
    description=(
        "One row per contact between a co-responder clinician and a person: on scene, "
        "by phone or at a follow-up visit."
    ),
    key=("agency", "encounter_id"),
    rules=(PairedColumns("service_type", "linked_to_services"),),
    columns=(
        Column(
            "encounter_id",
            "Encounter ID",
            "The provider's own identifier of the encounter. With the agency it names one "
            "record: a row with an agency and encounter ID already in the portal updates it.",
            TEXT,
            required=True,
            max_length=64,
            free_text=True,
            example="EXAMPLE-1",
        ),
        Column(
            "agency",
            "Agency",
            "The police department whose call it was.",
            CODE,
            required=True,
            codes=_codes(AGENCIES, AGENCIES),
            in_directory=True,
            example="blue-springs",
        ),
        Column(
            "provider",
            "Provider",
            "The behavioral health center whose clinician responded.",
            CODE,
            required=True,
            codes=_codes(PROVIDERS, PROVIDERS),
            in_directory=True,
            example="rediscover",
        ),
        Column(
            "date",
            "Date",
            "The day the contact took place.",
            DATE,
            required=True,
            within_program=True,
        ),
        Column("time", "Time", "When the contact began.", TIME, example="14:30"),
        Column(
            "cad_incident",
            "CAD incident number",
            "The department's dispatch (CAD) number, for reconciliation only.",
            TEXT,
            max_length=32,
            free_text=True,
        ),
        Column(
            "referral_source",
            "Referral source",
            "How the clinician came to the person.",
            CODE,
            required=True,
            codes=_codes(REFERRAL_SOURCES),
            example="911-call",
        ),
        Column(
            "contact_type",
            "Contact type",
            "Where or how the contact took place.",
            CODE,
            required=True,
            codes=_codes(CONTACT_TYPES),
            example="on-scene",
        ),
        Column(
            "concerns",
            "Concerns",
            "Every presenting concern.",
            CODES,
            required=True,
            codes=_codes(CONCERNS),
            example="mental-health;housing",
        ),
        Column(
            "assessment",
            "Assessment or screening completed",
            "Whether a field assessment or mental health screening was completed.",
            CODE,
            required=True,
            codes=_YES_NO,
            example="yes",
        ),
        Column(
            "disposition",
            "Disposition",
            "How the contact ended.",
            CODE,
            required=True,
            codes=_codes(DISPOSITIONS),
            example="resolved-on-scene",
        ),
        Column(
            "linked_to_services",
            "Linked to services",
            "Whether the person was connected to a behavioral health service.",
            CODE,
            required=True,
            codes=_YES_NO,
            example="yes",
        ),
        Column(
            "service_type",
            "Service type",
            "The kind of service the person was linked to.",
            CODE,
            codes=_codes(SERVICE_TYPES),
            example="outpatient",
        ),
        Column(
            "age_group",
            "Age group",
            "The person's age group.",
            CODE,
            codes=_codes(AGE_GROUPS),
            example="25-34",
        ),
        Column("gender", "Gender", "The person's gender.", CODE, codes=_codes(GENDERS)),
        Column("veteran", "Veteran", "Whether the person is a veteran.", CODE, codes=_YES_NO),
        Column(
            "person_key",
            "Person key",
            "The agency's pseudonymous key for the person, used only to count repeat "
            "contacts. Never a name, date of birth or Social Security number.",
            TEXT,
            max_length=64,
            free_text=True,
        ),
        Column(
            "minutes",
            "Minutes",
            "Whole minutes the clinician spent on the contact.",
            WHOLE,
            low=0,
            high=1440,
            example="45",
        ),
        Column(
            "use_of_force",
            "Use of force",
            "Whether officers used force during the contact.",
            CODE,
            codes=_YES_NO,
            example="no",
        ),
    ),
)

VOLUME = FileSpec(
    name="volume",
    title="Monthly call volume",
    description=(
        "One row per police department and month: the calls for service the department's "
        "dispatch system (CAD) counted. The measures' denominator."
    ),
    key=("agency", "month"),
    rules=(NotLessThan("total_calls", "mh_calls"),),
    columns=(
        Column(
            "agency",
            "Agency",
            "The police department.",
            CODE,
            required=True,
            codes=_codes(AGENCIES, AGENCIES),
            in_directory=True,
            example="blue-springs",
        ),
        Column(
            "month",
            "Month",
            "The calendar month counted.",
            MONTH,
            required=True,
            within_program=True,
        ),
        Column(
            "mh_calls",
            "Mental-health calls",
            "Calls for service the department's CAD coded as mental-health related.",
            WHOLE,
            required=True,
            low=0,
            high=MONTHLY_CALLS_HIGH,
            example="40",
        ),
        Column(
            "total_calls",
            "Total calls",
            "All calls for service that month.",
            WHOLE,
            low=0,
            high=MONTHLY_CALLS_HIGH,
            example="1200",
        ),
    ),
)

FILES = (ENCOUNTERS, VOLUME)

ENCOUNTER_COLUMNS = ENCOUNTERS.column_names
VOLUME_COLUMNS = VOLUME.column_names


# --- The checks, read from the spec ------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _choice(column: Column, value: str, errors: list) -> str:
    if value not in column.codes:
        codes = ", ".join(column.codes)
        errors.append((column.name, f"“{value}” is not a listed code ({codes})"))
        return ""
    return value


def _code_list(column: Column, value: str, errors: list) -> list[str]:
    """The codes of a ";"-separated list, in the dictionary's order."""
    given = [part.strip() for part in value.split(";") if part.strip()]
    if not given and column.required:
        errors.append((column.name, "is required (one or more codes separated by ;)"))
    unknown = [code for code in given if code not in column.codes]
    if unknown:
        codes = ", ".join(column.codes)
        errors.append((column.name, f"“{unknown[0]}” is not a listed code ({codes})"))
    if len(set(given)) != len(given):
        errors.append((column.name, "lists the same code twice"))
    return [code for code in column.codes if code in given]


def _whole(column: Column, value: str, errors: list) -> int | None:
    if not _DIGITS.fullmatch(value):  # ASCII digits only: int() refuses "²"
        errors.append((column.name, f"“{value}” is not a whole number"))
        return None
    low, high = column.low or 0, column.high
    if len(value.lstrip("0")) > 18:  # far out of every range; int() refuses 4,300+ digits
        bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
        errors.append((column.name, f"“{value[:20]}…” is out of range ({bounds})"))
        return None
    number = int(value)
    if number < low or (high is not None and number > high):
        bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
        errors.append((column.name, f"{number} is out of range ({bounds})"))
        return None
    return number


def _parsed(parse: Callable[[str], object]) -> Callable:
    def check(column: Column, value: str, errors: list):
        try:
            return parse(value)
        except dates.DateInputError as error:
            errors.append((column.name, str(error).rstrip(".")))
            return None

    return check


_CHECKS = {
    CODE: _choice,
    CODES: _code_list,
    WHOLE: _whole,
    DATE: _parsed(dates.real_date),
    TIME: _parsed(dates.real_time),
    MONTH: _parsed(dates.real_month),
}
_BLANK = {TEXT: "", CODE: "", CODES: [], DATE: None, TIME: None, MONTH: None, WHOLE: None}


def check_value(column: Column, row: dict, errors: list):
    """One column's cleaned value; its errors appended to `errors`."""
    value = (row.get(column.name) or "").strip()
    if column.kind == TEXT:
        if column.required and not value:
            errors.append((column.name, "is required"))
        elif column.max_length is not None and len(value) > column.max_length:
            errors.append((column.name, f"is longer than {column.max_length} characters"))
        return value
    if not value:
        if column.required and column.kind != CODES:
            errors.append((column.name, "is required"))
        if column.kind == CODES:
            return _code_list(column, value, errors)
        return _BLANK[column.kind]
    return _CHECKS[column.kind](column, value, errors)


def check_row(spec: FileSpec, row: dict) -> tuple[dict, list[tuple[str, str]]]:
    """A row of `spec`'s file checked column by column, each rule after its column."""
    errors: list[tuple[str, str]] = []
    cleaned: dict = {}
    for column in spec.columns:
        cleaned[column.name] = check_value(column, row, errors)
        for rule in spec.rules:
            if rule.column == column.name:
                errors.extend(rule.check(row, cleaned))
    return cleaned, errors


def check_encounter_row(row: dict) -> tuple[dict, list[tuple[str, str]]]:
    return check_row(ENCOUNTERS, row)


def check_volume_row(row: dict) -> tuple[dict, list[tuple[str, str]]]:
    return check_row(VOLUME, row)
