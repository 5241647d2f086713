"""The data dictionary as an open standard: the files partners and the public download,
generated from the spec of coresponder.dictionary so that they can never drift from the
checks the import runs.

For each file of the dictionary (encounters, monthly call volume):

- a CSV template: the header row and one example row that the import accepts;
- a Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/);
- a JSON Schema (draft 2020-12) of one row as an object of the CSV's text values;

and a Frictionless Data Package listing both files with their Table Schemas. Every file
carries DICTIONARY_VERSION, in its descriptor and in its address.

The schemas say what a schema can say, exactly as the import judges it: codes, required
values, lengths, how dates, times, months and numbers are written (ASCII digits, a date
that exists), bounds, dates not before the program's start, free text that does not start
like a formula, one row per key. Every value is text: a whole number is "45", not 45,
because that is what a CSV file holds and what the import reads. They are stricter in
two small ways (the import trims spaces around values and skips ";;" in a list of codes;
the Table Schema wants the columns in order). What no schema can say is stated in their
descriptions and on the data dictionary page: an encounter is not dated in the future and
a month not after this one (coresponder.quality), and a code must also be in the portal's
directory. Rules between two columns are "if"/"then" in the JSON Schema where it can say
them, and in the Table Schema's `rowConstraints`, a list of formulas for the
`row_constraint` check of the frictionless library (Table Schema has no keyword for them).
"""

import csv
import datetime as dt
import io
import re

from django.conf import settings

from coresponder import dictionary as dd
from coresponder import measures
from coresponder.suppression import (
    LARGEST_SMALL,
    NOT_APPLICABLE_TEXT,
    SMALL_TEXT,
    WITHHELD_TEXT,
)

VERSION = dd.DICTIONARY_VERSION
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
PACKAGE_NAME = "marc-coresponder-data-dictionary"

CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"
JSON_SCHEMA_TYPE = "application/schema+json"


# --- File names --------------------------------------------------------------------------


def template_name(spec: dd.FileSpec) -> str:
    return f"coresponder-{spec.name}-v{VERSION}.csv"


def table_schema_name(spec: dd.FileSpec) -> str:
    return f"{spec.name}.table-schema.json"


def json_schema_name(spec: dd.FileSpec) -> str:
    return f"{spec.name}.schema.json"


PACKAGE_FILE = "datapackage.json"


# --- Patterns ----------------------------------------------------------------------------
# Written for both Python's re and ECMAScript (JSON Schema's dialect): no escapes but \s
# \S, lookaheads and one back-reference. Table Schema patterns match the whole value; the
# JSON Schema wraps them in ^(?:...)$.

_VALID_DATE = (
    "(?:(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
    "-02-29)"
)
_VALID_MONTH = "(?:(?!0000)[0-9]{4}-(?:0[1-9]|1[0-2]))"
_VALID_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_FORMULA_START = "(?!\\s*[=+@-])"


def _layout(text: str) -> str:
    """Any digits where `text` has digits, the same separators elsewhere."""
    return "".join("[0-9]" if char.isdigit() else char for char in text)


def at_least(text: str) -> str:
    """A pattern for the values written like `text` (digits and - or :) that are not
    smaller than it: "2020-01-01" → every later date written YYYY-MM-DD."""
    choices = [text]
    for position, char in enumerate(text):
        if char.isdigit() and char != "9":
            choices.append(f"{text[:position]}[{int(char) + 1}-9]{_layout(text[position + 1 :])}")
    return "(?:" + "|".join(choices) + ")"


def at_most(text: str) -> str:
    """A pattern for the digit strings as long as `text` that are not larger than it."""
    choices = [text]
    for position, char in enumerate(text):
        if char != "0":
            choices.append(f"{text[:position]}[0-{int(char) - 1}]{_layout(text[position + 1 :])}")
    return "(?:" + "|".join(choices) + ")"


def whole_pattern(column: dd.Column) -> str:
    """Whole numbers from column.low (0: no other low is used) to column.high, leading
    zeros allowed, as the import reads them."""
    if column.low not in (None, 0):
        raise ValueError(f"{column.name}: only whole numbers from 0 are supported")
    if column.high is None:
        return "[0-9]+"
    high = str(column.high)
    shorter = f"[0-9]{{1,{len(high) - 1}}}|" if len(high) > 1 else ""
    return f"0*(?:{shorter}{at_most(high)})"


def program_start() -> dt.date:
    return settings.CORESPONDER_PROGRAM_START


def _code_alternatives(column: dd.Column) -> str:
    for code in column.codes:
        if not re.fullmatch(r"[a-z0-9-]+", code):
            raise ValueError(f"{column.name}: code {code!r} needs escaping in a pattern")
    return "(?:" + "|".join(column.codes) + ")"


def pattern(column: dd.Column) -> str | None:
    """The pattern a value of the column matches (whole value; blank values aside), or
    None when an enum or nothing is needed."""
    start = program_start()
    if column.kind == dd.DATE:
        floor = f"(?={at_least(start.isoformat())})" if column.within_program else ""
        return floor + _VALID_DATE
    if column.kind == dd.MONTH:
        floor = f"(?={at_least(f'{start:%Y-%m}')})" if column.within_program else ""
        return floor + _VALID_MONTH
    if column.kind == dd.TIME:
        return _VALID_TIME
    if column.kind == dd.WHOLE:
        return whole_pattern(column)
    if column.kind == dd.CODES:
        codes = _code_alternatives(column)
        twice = "(?!(?:[^;]*;)*([^;]+);(?:[^;]*;)*\\1(?:;|$))"
        return f"{twice}{codes}(?:;{codes})*"
    if column.kind == dd.TEXT:
        start_rule = _FORMULA_START if column.free_text else ""
        filled = "[\\s\\S]*\\S[\\s\\S]*" if column.required else "[\\s\\S]*"
        return start_rule + filled if (start_rule or column.required) else None
    return None


# --- Descriptions ------------------------------------------------------------------------


def rules_of(column: dd.Column) -> list[str]:
    """Every rule of a column in plain words, for the page and the schemas."""
    rules = [dd.WRITTEN[column.kind]]
    rules.append("Required." if column.required else "Optional: leave it blank if unknown.")
    if column.max_length is not None:
        rules.append(f"At most {column.max_length} characters.")
    if column.kind == dd.WHOLE:
        low = column.low or 0
        rules.append(
            f"From {low} to {column.high}." if column.high is not None else f"{low} or more."
        )
    if column.free_text:
        rules.append("May not start with =, +, - or @ (a spreadsheet would read a formula).")
    if column.in_directory:
        rules.append("The code must also be in the portal's directory of organizations.")
    if column.within_program:
        what = "month" if column.kind == dd.MONTH else "date"
        first = program_start()
        shown = f"{first:%Y-%m}" if column.kind == dd.MONTH else first.isoformat()
        rules.append(f"Not before the program's start ({shown}) and not a {what} in the future.")
    for spec in dd.FILES:
        for rule in spec.rules:
            if column in spec.columns and column.name == rule.column:
                rules.append(rule.text)
    return rules


def _description(column: dd.Column) -> str:
    return " ".join([column.description, *rules_of(column)])


def file_rules(spec: dd.FileSpec) -> list[str]:
    key = " and ".join(spec.key)
    return [f"One row per {key}: the same {key} twice in a file is an error."] + [
        rule.text for rule in spec.rules
    ]


def _file_description(spec: dd.FileSpec) -> str:
    return " ".join(
        [
            spec.description,
            *file_rules(spec),
            "Values are trimmed of spaces around them. The file is UTF-8 text with a header "
            "row of the column names.",
        ]
    )


# --- CSV templates -----------------------------------------------------------------------


def example_row(spec: dd.FileSpec) -> dict[str, str]:
    """A row the import accepts: dated on the program's first day, always in the past."""
    start = program_start()
    row = {column.name: column.example for column in spec.columns}
    for column in spec.columns:
        if column.kind == dd.DATE:
            row[column.name] = start.isoformat()
        elif column.kind == dd.MONTH:
            row[column.name] = f"{start:%Y-%m}"
    return row


def csv_template(spec: dd.FileSpec) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=spec.column_names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(example_row(spec))
    return out.getvalue()


# --- Frictionless Table Schema and Data Package -------------------------------------------


def _row_constraint(rule) -> str:
    """The rule as a formula of the frictionless `row_constraint` check (blank = None)."""
    if isinstance(rule, dd.PairedColumns):
        column, flag = rule.column, rule.flag
        return (
            f"({flag} == 'yes' and {column} != None) or ({flag} == 'no' and {column} == None)"
            f" or {flag} not in ('yes', 'no')"
        )
    if isinstance(rule, dd.NotLessThan):
        column, other = rule.column, rule.other
        return f"{column} == None or {other} == None or int({column}) >= int({other})"
    raise TypeError(f"no formula for {rule!r}")


def table_field(column: dd.Column) -> dict:
    constraints: dict = {}
    if column.required:
        constraints["required"] = True
    if column.kind == dd.CODE:
        constraints["enum"] = list(column.codes)
    if column.max_length is not None:
        constraints["maxLength"] = column.max_length
    found = pattern(column)
    if found is not None:
        constraints["pattern"] = found
    field = {
        "name": column.name,
        "title": column.title,
        "description": _description(column),
        "type": "string",
        "format": "default",
    }
    if column.example:
        field["example"] = column.example
    if column.codes:
        field["categories"] = [
            {"value": code, "label": name} for code, name in column.codes.items()
        ]
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(spec: dd.FileSpec) -> dict:
    return {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": spec.name,
        "title": f"{spec.title}, data dictionary version {VERSION}",
        "description": _file_description(spec),
        "version": VERSION,
        "fields": [table_field(column) for column in spec.columns],
        "missingValues": [""],
        "primaryKey": list(spec.key),
        "rowConstraints": [
            {"description": rule.text, "formula": _row_constraint(rule)} for rule in spec.rules
        ],
    }


def data_package() -> dict:
    return {
        "name": PACKAGE_NAME,
        "title": f"MARC co-responder data dictionary, version {VERSION}",
        "description": (
            "The files partner agencies and behavioral health centers share with the "
            "co-responder program of the Mid-America Regional Council: encounters and "
            "monthly call volume. Each resource is the file's template, with one example row."
        ),
        "version": VERSION,
        "resources": [
            {
                "name": spec.name,
                "title": spec.title,
                "description": _file_description(spec),
                "path": template_name(spec),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": table_schema(spec),
            }
            for spec in dd.FILES
        ],
    }


# --- JSON Schema -------------------------------------------------------------------------


def _json_property(column: dd.Column) -> dict:
    prop: dict = {"title": column.title, "description": _description(column), "type": "string"}
    if column.kind == dd.CODE:
        prop["enum"] = list(column.codes) if column.required else ["", *column.codes]
    if column.max_length is not None:
        prop["maxLength"] = column.max_length
    found = pattern(column)
    if found is not None:
        blank = "" if column.required or column.kind == dd.TEXT else "|"
        prop["pattern"] = f"^(?:{blank}{found})$"
    if column.kind == dd.DATE:
        prop["format"] = "date"
    if column.example:
        prop["examples"] = [column.example]
    return prop


def _json_rule(rule) -> dict | None:
    if isinstance(rule, dd.PairedColumns):
        column, flag = rule.column, rule.flag
        return {
            "if": {"properties": {flag: {"const": "yes"}}},
            "then": {"properties": {column: {"minLength": 1}}},
            "else": {
                "if": {"properties": {flag: {"const": "no"}}},
                "then": {"properties": {column: {"const": ""}}},
            },
        }
    return None  # e.g. NotLessThan: JSON Schema cannot compare two values


def json_schema(spec: dd.FileSpec) -> dict:
    rules = [found for rule in spec.rules if (found := _json_rule(rule)) is not None]
    unstated = [rule.text for rule in spec.rules if _json_rule(rule) is None]
    schema = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": f"One row of {spec.title.lower()}, data dictionary version {VERSION}",
        "description": _file_description(spec)
        + " Every value is the CSV file's text; a blank value is the empty string.",
        "version": VERSION,
        "type": "object",
        "properties": {column.name: _json_property(column) for column in spec.columns},
        "required": spec.column_names,
        "additionalProperties": False,
    }
    if rules:
        schema["allOf"] = rules
    if unstated:
        schema["$comment"] = "Not expressible here, checked by the import: " + " ".join(unstated)
    return schema


# --- What the page shows beside the files --------------------------------------------------

# Each measure of the dashboard (coresponder.measures), in plain words. The page lists
# measures.COLUMNS and SUBSTANCE_USE_COLUMNS; a measure without words here fails a test.
MEASURE_WORDS = {
    "mh_calls": "Calls for service that the police department's dispatch system (CAD) coded "
    "as related to mental health, from the monthly call volume.",
    "encounters": "Every encounter recorded, whatever the contact type.",
    "onsite_assessments": "Encounters on scene where an assessment or screening was completed.",
    "coverage": "On-site assessments divided by mental-health calls, as a percentage: how "
    "many of those calls a clinician assessed on scene.",
    "field_assessments": "Encounters where an assessment or screening was completed, on "
    "scene, by phone or at a follow-up visit.",
    "linked": "Encounters that ended with the person linked to a behavioral health service.",
    "people_linked": "Different people linked to services, counted by their person key "
    "(encounters without a person key are not counted).",
    "on_scene": "Encounters whose contact type is on scene.",
    "custody_avoided": "On-scene encounters that did not end in arrest or other custody.",
    "custody_avoided_share": "Arrest or custody avoided divided by on-scene encounters, as a "
    "percentage.",
    "involuntary_holds": "Encounters that ended in an involuntary hold.",
    "repeat_contacts": "Encounters with a person (by person key) seen in the 12 months "
    "before the encounter.",
    "clinician_minutes": "The minutes clinicians recorded on encounters, added up.",
    "substance_use": "Encounters with substance use among the concerns. Shown to program "
    "staff only, never to police departments.",
    "substance_use_treatment": "Encounters linked to substance-use treatment. Shown to "
    "program staff only, never to police departments.",
}


def dashboard_measures() -> list[dict]:
    """The dashboard's measures, in its order: label, kind and what it counts."""
    return [
        {
            "name": column.name,
            "label": column.label,
            "kind": column.kind,
            "words": MEASURE_WORDS.get(column.name, column.help),
        }
        for column in [*measures.COLUMNS, *measures.SUBSTANCE_USE_COLUMNS]
    ]


def suppression_rules() -> list[str]:
    """The rules of published figures, from coresponder.suppression's constants."""
    return [
        f"A count of 0 is shown as 0. A count from 1 to {LARGEST_SMALL} is shown as "
        f"“{SMALL_TEXT}”, because a small number can point to a particular person.",
        "A figure that would let someone work such a count out (a percentage calculated "
        "from it, a total it could be subtracted from, or a comparison with figures "
        f"published earlier) is shown as “{WITHHELD_TEXT}”.",
        "A percentage whose count below the line is 0 is shown as "
        f"“{NOT_APPLICABLE_TEXT}”. Percentages are rounded to whole numbers, and show as "
        "0% or 100% only when exactly so.",
        "Public figures are published for the program as a whole only, never for one police "
        "department, behavioral health center or month.",
    ]
