"""Pydantic's validation errors as the API's {item, field, reason} errors, in plain words.

Pydantic places an error by its location: ("body", "payload", "encounters", 3, "minutes")
is item 3's minutes in a batch; ("body", "payload", "minutes") the minutes of the one
record of a PUT (item 0); ("path", "agency") the agency in the address (item 0 of a PUT,
which the address is part of). A problem of the request as a whole has item null.
"""

from coresponder.services import INGEST_MAX_ITEMS

_BODY_PARAMETER = "payload"  # the name of every endpoint's body parameter
_BATCH_FIELD = "encounters"

_REASONS = {
    "missing": "is required",
    "extra_forbidden": "is not a field of the data dictionary",
    "string_type": "must be text (a JSON string)",
    "int_type": "must be a whole number (a JSON number without quotes)",
    "int_parsing": "must be a whole number (a JSON number without quotes)",
    "int_from_float": "must be a whole number (a JSON number without quotes)",
    "list_type": 'must be a list of codes, for example ["mental-health", "housing"]',
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
}


def _reason(error: dict, *, batch_level: bool) -> str:
    kind = error.get("type", "")
    if error.get("null") and kind not in ("missing", "extra_forbidden"):
        return "is required"
    if batch_level:
        if kind == "too_long":
            actual = error.get("ctx", {}).get("actual_length")
            count = f"has {actual:,} items" if isinstance(actual, int) else "has too many items"
            return f"{count}: a batch has {INGEST_MAX_ITEMS:,} at most"
        if kind == "too_short":
            return "has no items: send at least one encounter"
        if kind == "list_type":
            return "must be a list of encounters"
        if kind == "extra_forbidden":
            return 'is not a field of a batch: send {"encounters": [...]}'
    if kind == "value_error":
        return error.get("msg", "").removeprefix("Value error, ")
    return _REASONS.get(kind, error.get("msg", "is not valid"))


def _placed(loc: tuple, *, single: bool) -> tuple[int | None, str, bool]:
    """(item, field, whether the error is about the batch's list itself)."""
    source, rest = (loc[0], list(loc[1:])) if loc else ("", [])
    if source == "body" and rest and rest[0] == _BODY_PARAMETER:
        rest = rest[1:]
    if single:
        return 0, str(rest[0]) if rest else "", False
    if source == "body" and rest and rest[0] == _BATCH_FIELD:
        if len(rest) >= 2 and isinstance(rest[1], int):
            return rest[1], str(rest[2]) if len(rest) >= 3 else "", False
        return None, _BATCH_FIELD, True
    return None, str(rest[0]) if rest else "", not rest


def validation_errors(errors: list[dict], *, single: bool) -> list[dict]:
    """Every error of a request that did not validate, ordered by item (the whole
    request's first) and then as pydantic found them (the dictionary's column order)."""
    placed = []
    for error in errors:
        item, field, batch_level = _placed(tuple(error.get("loc", ())), single=single)
        placed.append(
            {"item": item, "field": field, "reason": _reason(error, batch_level=batch_level)}
        )
    return sorted(placed, key=lambda e: -1 if e["item"] is None else e["item"])
