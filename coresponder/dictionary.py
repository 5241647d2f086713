"""The co-responder data dictionary (version 1), as code: one source for the form, the
import, the export and the measures. It follows the program's shared data dictionary
(version 1): every field, code and rule that partners agreed on is stated here once.

`check_encounter_row(row)` and `check_volume_row(row)` take one row of text values keyed
by column name and return (cleaned values, errors); errors are (column, reason) pairs.
A code not listed here is an error, never silently mapped. The dictionary judges how a
value is written (a date or a month must exist); whether it is plausible (dated before the
program started, or in the future) is coresponder.quality's call.
"""

from core import dates

ENCOUNTER_COLUMNS = [
    "encounter_id",
    "agency",
    "provider",
    "date",
    "time",
    "cad_incident",
    "referral_source",
    "contact_type",
    "concerns",
    "assessment",
    "disposition",
    "linked_to_services",
    "service_type",
    "age_group",
    "gender",
    "veteran",
    "person_key",
    "minutes",
    "use_of_force",
]
VOLUME_COLUMNS = ["agency", "month", "mh_calls", "total_calls"]

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


def _choice(row, column, codes, errors, *, required):
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            errors.append((column, "is required"))
        return ""
    if value not in codes:
        errors.append((column, f"“{value}” is not a listed code ({', '.join(codes)})"))
        return ""
    return value


def _text(row, column, errors, *, max_length, required=False):
    value = (row.get(column) or "").strip()
    if required and not value:
        errors.append((column, "is required"))
    elif len(value) > max_length:
        errors.append((column, f"is longer than {max_length} characters"))
    return value


def _whole(row, column, errors, *, low, high=None, required=False):
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            errors.append((column, "is required"))
        return None
    if not value.isdigit():
        errors.append((column, f"“{value}” is not a whole number"))
        return None
    number = int(value)
    if number < low or (high is not None and number > high):
        bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
        errors.append((column, f"{number} is out of range ({bounds})"))
        return None
    return number


def check_encounter_row(row: dict) -> tuple[dict, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    cleaned: dict = {}
    cleaned["encounter_id"] = _text(row, "encounter_id", errors, max_length=64, required=True)
    cleaned["agency"] = _choice(row, "agency", AGENCIES, errors, required=True)
    cleaned["provider"] = _choice(row, "provider", PROVIDERS, errors, required=True)
    raw_date = (row.get("date") or "").strip()
    cleaned["date"] = None
    if not raw_date:
        errors.append(("date", "is required"))
    else:
        try:
            cleaned["date"] = dates.real_date(raw_date)
        except dates.DateInputError as error:
            errors.append(("date", str(error).rstrip(".")))
    raw_time = (row.get("time") or "").strip()
    cleaned["time"] = None
    if raw_time:
        try:
            cleaned["time"] = dates.real_time(raw_time)
        except dates.DateInputError as error:
            errors.append(("time", str(error).rstrip(".")))
    cleaned["cad_incident"] = _text(row, "cad_incident", errors, max_length=32)
    cleaned["referral_source"] = _choice(
        row, "referral_source", REFERRAL_SOURCES, errors, required=True
    )
    cleaned["contact_type"] = _choice(row, "contact_type", CONTACT_TYPES, errors, required=True)
    raw_concerns = (row.get("concerns") or "").strip()
    concerns = [part.strip() for part in raw_concerns.split(";") if part.strip()]
    if not concerns:
        errors.append(("concerns", "is required (one or more codes separated by ;)"))
    unknown = [c for c in concerns if c not in CONCERNS]
    if unknown:
        errors.append(("concerns", f"“{unknown[0]}” is not a listed code ({', '.join(CONCERNS)})"))
    if len(set(concerns)) != len(concerns):
        errors.append(("concerns", "lists the same code twice"))
    cleaned["concerns"] = [c for c in CONCERNS if c in concerns]  # dictionary order
    cleaned["assessment"] = _choice(row, "assessment", YES_NO, errors, required=True)
    cleaned["disposition"] = _choice(row, "disposition", DISPOSITIONS, errors, required=True)
    cleaned["linked_to_services"] = _choice(
        row, "linked_to_services", YES_NO, errors, required=True
    )
    cleaned["service_type"] = _choice(row, "service_type", SERVICE_TYPES, errors, required=False)
    if cleaned["linked_to_services"] == "yes" and not (row.get("service_type") or "").strip():
        errors.append(("service_type", "is required when linked_to_services is yes"))
    if cleaned["linked_to_services"] == "no" and (row.get("service_type") or "").strip():
        errors.append(("service_type", "must be blank when linked_to_services is no"))
    cleaned["age_group"] = _choice(row, "age_group", AGE_GROUPS, errors, required=False)
    cleaned["gender"] = _choice(row, "gender", GENDERS, errors, required=False)
    cleaned["veteran"] = _choice(row, "veteran", YES_NO, errors, required=False)
    cleaned["person_key"] = _text(row, "person_key", errors, max_length=64)
    cleaned["minutes"] = _whole(row, "minutes", errors, low=0, high=1440)
    cleaned["use_of_force"] = _choice(row, "use_of_force", YES_NO, errors, required=False)
    return cleaned, errors


def check_volume_row(row: dict) -> tuple[dict, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    cleaned: dict = {"agency": _choice(row, "agency", AGENCIES, errors, required=True)}
    raw_month = (row.get("month") or "").strip()
    cleaned["month"] = None
    if not raw_month:
        errors.append(("month", "is required"))
    else:
        try:
            cleaned["month"] = dates.real_month(raw_month)
        except dates.DateInputError as error:
            errors.append(("month", str(error).rstrip(".")))
    cleaned["mh_calls"] = _whole(row, "mh_calls", errors, low=0, required=True)
    cleaned["total_calls"] = _whole(row, "total_calls", errors, low=0)
    if (
        cleaned["total_calls"] is not None
        and cleaned["mh_calls"] is not None
        and cleaned["total_calls"] < cleaned["mh_calls"]
    ):
        errors.append(("total_calls", "is smaller than mh_calls"))
    return cleaned, errors
