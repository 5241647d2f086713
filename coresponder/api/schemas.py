"""The partner API's JSON shapes, generated from the data dictionary (coresponder.dictionary)
so that the API, the CSV import and the published standard cannot drift apart.

JSON values are typed: codes are strings (their lists are the schema's enums), concerns a
list of codes, minutes and call counts integers, a date "YYYY-MM-DD", a time "HH:MM", a
month "YYYY-MM"; a field left blank is null or left out. Pydantic checks only the JSON
types (a string, an integer, a list), unknown fields and unusable characters: the
dictionary's own checks (codes, ranges, dates, pairs of columns, the directory, closed
months) run in coresponder.services.encounters_ingest, exactly as for a CSV import, so an
item gets the same reasons in either. The schema still states every rule (enum, pattern,
maxLength, minimum), so that a partner's tools can check a batch before sending it.

`item_row` turns a typed item into the dictionary's text row (what a CSV row gives);
`typed_item` turns a row read back (as the CSV export writes it) into typed JSON.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, WithJsonSchema
from pydantic import create_model as _create_model

from core.boundary import has_forbidden_characters
from core.dates import DATE_EXAMPLE, TIME_EXAMPLE
from coresponder import dictionary as dd
from coresponder.services import INGEST_MAX_ITEMS

UNUSABLE = "contains characters that cannot be used (such as a NUL byte)"


def _usable(text: str) -> str:
    if has_forbidden_characters(text):
        raise ValueError(UNUSABLE)
    return text


_PATTERNS = {
    dd.DATE: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    dd.TIME: "^[0-9]{2}:[0-9]{2}$",
    dd.MONTH: "^[0-9]{4}-[0-9]{2}$",
}
_EXAMPLES = {dd.DATE: DATE_EXAMPLE, dd.TIME: TIME_EXAMPLE, dd.MONTH: "2026-02"}


def _json_schema(column: dd.Column) -> dict:
    """What the dictionary says of a column's value, as JSON Schema (for the docs)."""
    if column.kind in (dd.CODE,):
        return {"type": "string", "enum": list(column.codes)}
    if column.kind == dd.CODES:
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": list(column.codes)},
            "uniqueItems": True,
        }
        if column.required:
            schema["minItems"] = 1
        return schema
    if column.kind == dd.WHOLE:
        schema = {"type": "integer", "minimum": column.low or 0}
        if column.high is not None:
            schema["maximum"] = column.high
        return schema
    schema: dict[str, Any] = {"type": "string"}
    if column.kind in _PATTERNS:
        schema["pattern"] = _PATTERNS[column.kind]
    if column.kind == dd.DATE:
        schema["format"] = "date"
    if column.max_length is not None:
        schema["maxLength"] = column.max_length
    if column.required and column.kind == dd.TEXT:
        schema["minLength"] = 1
    return schema


def _value_type(column: dd.Column) -> Any:
    """The Python type pydantic checks: the JSON type only (see the module docstring)."""
    text = Annotated[str, AfterValidator(_usable)]
    if column.kind == dd.CODES:
        base: Any = list[text]
    elif column.kind == dd.WHOLE:
        base = StrictInt
    else:
        base = text
    return Annotated[base, WithJsonSchema(_json_schema(column))]


def _example(column: dd.Column) -> Any:
    example = column.example or _EXAMPLES.get(column.kind, "")
    if not example:
        return None
    if column.kind == dd.CODES:
        return example.split(";")
    if column.kind == dd.WHOLE:
        return int(example)
    return example


def _description(column: dd.Column) -> str:
    text = f"{column.title}. {column.description} {dd.WRITTEN[column.kind]}"
    if column.kind == dd.CODES:
        text = (
            f"{column.title}. {column.description} A list of one or more of the codes "
            "listed, each once."
        )
    if not column.required:
        text += " Optional: null or left out when not known."
    for rule in _rules_of(column):
        text += f" {rule.text}"
    return text


def _rules_of(column: dd.Column):
    return [rule for rule in dd.ENCOUNTERS.rules + dd.VOLUME.rules if rule.column == column.name]


def _field(column: dd.Column, *, output: bool = False) -> tuple[Any, Any]:
    example = _example(column)
    extra = {"title": column.title, "description": _description(column)}
    if example is not None:
        extra["examples"] = [example]
    if column.required:
        return _value_type(column), Field(**extra)
    if output:  # always present in an answer, null when blank
        return _value_type(column) | None, Field(**extra)
    return _value_type(column) | None, Field(None, **extra)


class _Strict(BaseModel):
    """Unknown fields are refused, so that a misspelt field is not silently left out."""

    model_config = ConfigDict(extra="forbid")


def _model(name: str, doc: str, columns, *, output: bool = False) -> type[BaseModel]:
    fields = {column.name: _field(column, output=output) for column in columns}
    model = _create_model(
        name,
        __base__=BaseModel if output else _Strict,
        __doc__=doc,
        **fields,
    )
    return model


_KEY = ("agency", "encounter_id")

Encounter = _model(
    "Encounter",
    "One encounter, keyed by agency and encounter ID: a new one is created, an existing "
    "one of your provider is updated to exactly what is sent.",
    dd.ENCOUNTERS.columns,
)
EncounterFields = _model(
    "EncounterFields",
    "One encounter, without its key (the agency and encounter ID are in the address). "
    "Fields left out or null are blank.",
    [column for column in dd.ENCOUNTERS.columns if column.name not in _KEY],
)
EncounterOut = _model(
    "EncounterRecord",
    "One encounter as the portal holds it: every field, null where blank.",
    dd.ENCOUNTERS.columns,
    output=True,
)
VolumeFields = _model(
    "CallVolumeFields",
    "One agency's call volume for one month (the agency and month are in the address).",
    [column for column in dd.VOLUME.columns if column.name not in ("agency", "month")],
)
VolumeOut = _model(
    "CallVolumeRecord",
    "One agency's call volume for one month, as the portal holds it.",
    dd.VOLUME.columns,
    output=True,
)


class EncounterBatch(_Strict):
    """Up to 5,000 encounters, written all together or not at all."""

    encounters: list[Encounter] = Field(  # type: ignore[valid-type]
        description=(
            f"From 1 to {INGEST_MAX_ITEMS:,} encounters. An error in any of them writes "
            "none, and the answer lists every error with its item's index (from 0)."
        ),
        min_length=1,
        max_length=INGEST_MAX_ITEMS,
    )


class WriteResult(BaseModel):
    """What a write did. Sending the same data again changes nothing: every record is
    then counted as unchanged."""

    created: int = Field(description="Records that were new.", examples=[1])
    updated: int = Field(description="Existing records that were changed.", examples=[0])
    unchanged: int = Field(
        description="Records that were already exactly as sent (nothing was written).",
        examples=[0],
    )
    detail: str = Field(
        description="The same in words.", examples=["1 record created, nothing else changed."]
    )


class ProblemError(BaseModel):
    """One reason a request was not accepted."""

    item: int | None = Field(
        description="The index of the item (from 0) in the batch; 0 for a single record; "
        "null for the request as a whole."
    )
    field: str = Field(
        description='The field (a column of the data dictionary), or "" for the whole item.'
    )
    reason: str = Field(description="What is wrong, in plain words.")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (media type application/problem+json)."""

    type: str = Field(description="Identifies the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What happened here, and what to do.")
    instance: str = Field(description="The path of the request.")
    errors: list[ProblemError] | None = Field(
        None, description="Validation problems only (400, 422): every error found."
    )


# --- Between typed JSON and the dictionary's text rows -----------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def item_row(item: dict, **key: str) -> dict[str, str]:
    """A typed item as the dictionary's text row (what a CSV row gives), the key fields
    from the address added. Only fields that were sent appear."""
    row = {name: _text(value) for name, value in item.items()}
    row.update(key)
    return row


def typed_item(spec: dd.FileSpec, row: dict[str, str]) -> dict:
    """A record read back as the CSV export writes it, with typed JSON values."""
    typed: dict[str, Any] = {}
    for column in spec.columns:
        value = (row.get(column.name) or "").strip()
        if column.kind == dd.CODES:
            typed[column.name] = [code for code in value.split(";") if code]
        elif not value:
            typed[column.name] = None
        elif column.kind == dd.WHOLE:
            typed[column.name] = int(value)
        else:
            typed[column.name] = value
    return typed
