"""Forms of the co-responder entry pages. They validate; coresponder.services acts.

The data dictionary is the only judge of a record: the encounter form turns what was typed
into the row of text values the CSV import also reads, runs dictionary.check_encounter_row
and the date rule of coresponder.quality on it (as the import does) and puts each
(column, reason) at its field. The fields themselves check nothing, so
a rule is never stated twice (and never twice differently). What the form adds is who may
write what: a clinician's provider is fixed and their agencies are the ones they serve.
Dates and times are typed as text (core.dates.TypedInput, never a browser picker), and the
service type shows only when linked to services is yes (core.forms.reveals).
"""

import datetime as dt
import re

from django import forms

from core import dates
from core.forms import reveals
from coresponder import dictionary as dd
from coresponder import quality, services
from coresponder.csvio.parse import FORMULA_REASON, FREE_TEXT_COLUMNS, starts_like_formula
from coresponder.models import Clinician, Encounter

# The required columns of the dictionary (marked in the form; checked by the dictionary).
REQUIRED = {
    "encounter_id",
    "agency",
    "provider",
    "date",
    "referral_source",
    "contact_type",
    "concerns",
    "assessment",
    "disposition",
    "linked_to_services",
}
LABELS = {
    "encounter_id": "Encounter ID",
    "agency": "Agency",
    "provider": "Provider",
    "date": "Date",
    "time": "Time",
    "cad_incident": "CAD incident number",
    "referral_source": "Referral source",
    "contact_type": "Contact type",
    "concerns": "Concerns",
    "assessment": "Assessment or screening completed",
    "disposition": "Disposition",
    "linked_to_services": "Linked to services",
    "service_type": "Service type",
    "age_group": "Age group",
    "gender": "Gender",
    "veteran": "Veteran",
    "person_key": "Person key",
    "minutes": "Minutes",
    "use_of_force": "Use of force",
    "month": "Month",
    "mh_calls": "Mental-health calls",
    "total_calls": "Total calls",
}
NOT_RECORDED = ("", "Not recorded")


def codes(values) -> list[tuple[str, str]]:
    return [(code, dd.label(code)) for code in values]


def dictionary_message(column: str, reason: str) -> str:
    """A dictionary reason as a sentence at its field: 'is required' → 'Date is required.'"""
    for name, label in LABELS.items():
        if "_" in name:
            reason = re.sub(rf"\b{name}\b", f"“{label.lower()}”", reason)
    if reason.startswith("is required ("):  # the CSV's "(… separated by ;)" is no help here
        reason = "is required"
    if reason.split(" ", 1)[0] in ("is", "must", "lists"):
        reason = f"{LABELS.get(column, column)} {reason}"
    return reason if reason.endswith(".") else reason + "."


# --- Fields that only carry text to the dictionary -------------------------------------


class FirstOptionFocus:
    """Radio buttons and checkboxes: autofocus (when set) on the first option only."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if option["index"] not in (0, "0"):
            option["attrs"].pop("autofocus", None)
        return option


class RadioGroup(FirstOptionFocus, forms.RadioSelect):
    pass


class CheckboxGroup(FirstOptionFocus, forms.CheckboxSelectMultiple):
    pass


class TextField(forms.CharField):
    """Text for the dictionary: `required` only marks the field; the dictionary checks."""

    def validate(self, value):
        pass


class CodeListField(forms.Field):
    """Ticked codes, as a list of text for the dictionary (which checks them)."""

    widget = CheckboxGroup

    def __init__(self, *, choices, **kwargs):
        super().__init__(widget=CheckboxGroup(choices=choices), **kwargs)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(code).strip() for code in value]

    def validate(self, value):
        pass


def text_field(column: str, *, max_length: int | None = None, **widget_attrs) -> TextField:
    attrs = {"maxlength": str(max_length)} if max_length else {}
    attrs.update(widget_attrs)
    return TextField(
        label=LABELS[column],
        required=column in REQUIRED,
        widget=forms.TextInput(attrs=attrs),
    )


def radio_field(column: str, values, *, help_text: str = "") -> TextField:
    choices = codes(values)
    if column not in REQUIRED:
        choices.append(NOT_RECORDED)
    return TextField(
        label=LABELS[column],
        required=column in REQUIRED,
        widget=RadioGroup(choices=choices),
        help_text=help_text,
    )


class DictionaryForm(forms.Form):
    """A form whose rules are a dictionary check: `check()` returns (cleaned, errors)."""

    use_required_attribute = False  # the server says what is missing, at the field

    def row(self) -> dict[str, str]:
        row = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            row[name] = ";".join(value) if isinstance(value, list) else (value or "")
        return row

    def full_clean(self):
        """Errors found: the focus goes to the first field with one."""
        super().full_clean()
        for name in self.fields:
            if self.has_error(name):
                self.fields[name].widget.attrs["autofocus"] = True
                break

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, text) for the summary at the top: each message linked to its field (a
        radio group or checkboxes: its first option), named unless it names itself."""
        items = [("", str(error)) for error in self.non_field_errors()]
        for field in self:
            grouped = isinstance(
                field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            )
            anchor = f"{field.auto_id}_0" if grouped else field.id_for_label
            for error in field.errors:
                text = error if error.startswith(str(field.label)) else f"{field.label}: {error}"
                items.append((anchor, text))
        return items

    def add_dictionary_errors(self, errors: list[tuple[str, str]]) -> None:
        for column, reason in errors:
            field = column if column in self.fields else None
            if field is None or not self.has_error(field):
                self.add_error(field, dictionary_message(column, reason))


# --- Encounters ------------------------------------------------------------------------


def row_from_encounter(encounter: Encounter) -> dict:
    """An encounter as the form's initial values (the dictionary's text codes)."""
    yes_no = {True: "yes", False: "no", None: ""}
    return {
        "encounter_id": encounter.encounter_id,
        "agency": encounter.agency.dictionary_code,
        "provider": encounter.provider.dictionary_code,
        "date": encounter.date.isoformat(),
        "time": encounter.time.strftime("%H:%M") if encounter.time else "",
        "cad_incident": encounter.cad_incident,
        "referral_source": encounter.referral_source,
        "contact_type": encounter.contact_type,
        "concerns": list(encounter.concerns),
        "assessment": yes_no[encounter.assessment],
        "disposition": encounter.disposition,
        "linked_to_services": yes_no[encounter.linked_to_services],
        "service_type": encounter.service_type,
        "age_group": encounter.age_group,
        "gender": encounter.gender,
        "veteran": yes_no[encounter.veteran],
        "person_key": encounter.person_key,
        "minutes": "" if encounter.minutes is None else str(encounter.minutes),
        "use_of_force": yes_no[encounter.use_of_force],
    }


class EncounterForm(DictionaryForm):
    """One co-responder contact. A clinician's provider is theirs (no field); a program
    manager chooses it. Agencies: the clinician's own (plus the record's, when editing)."""

    encounter_id = text_field("encounter_id", max_length=64, autocomplete="off")
    agency = TextField(label=LABELS["agency"], required=True)
    provider = radio_field("provider", dd.PROVIDERS)
    date = TextField(label=LABELS["date"], required=True, widget=dates.TypedInput("date"))
    time = TextField(
        label=LABELS["time"],
        required=False,
        widget=dates.TypedInput("time"),
        help_text=f"When the contact began. {dates.TIME_HELP} Optional.",
    )
    cad_incident = TextField(
        label=LABELS["cad_incident"],
        required=False,
        widget=forms.TextInput(attrs={"maxlength": "32", "autocomplete": "off"}),
        help_text="The department's CAD number, for reconciliation only. Optional.",
    )
    referral_source = radio_field("referral_source", dd.REFERRAL_SOURCES)
    contact_type = radio_field("contact_type", dd.CONTACT_TYPES)
    concerns = CodeListField(
        label=LABELS["concerns"],
        required=True,
        choices=codes(dd.CONCERNS),
        help_text="Tick every presenting concern.",
    )
    assessment = radio_field(
        "assessment",
        dd.YES_NO,
        help_text="A field assessment or mental health screening was completed.",
    )
    disposition = radio_field("disposition", dd.DISPOSITIONS)
    linked_to_services = reveals(
        radio_field(
            "linked_to_services",
            dd.YES_NO,
            help_text="The person was connected to a behavioral health service.",
        ),
        {"yes": ["service_type"]},
    )
    service_type = radio_field(
        "service_type",
        dd.SERVICE_TYPES,
        help_text="Only when linked to services is yes: then it is required.",
    )
    age_group = radio_field("age_group", dd.AGE_GROUPS)
    gender = radio_field("gender", dd.GENDERS)
    veteran = radio_field("veteran", dd.YES_NO)
    person_key = TextField(
        label=LABELS["person_key"],
        required=False,
        widget=forms.TextInput(attrs={"maxlength": "64", "autocomplete": "off"}),
        help_text=(
            "Your agency's pseudonymous key for the person, used only to count repeat "
            "contacts. Never a name, date of birth or Social Security number. Optional."
        ),
    )
    minutes = TextField(
        label=LABELS["minutes"],
        required=False,
        widget=forms.NumberInput(attrs={"min": "0", "max": "1440", "inputmode": "numeric"}),
        help_text="Whole minutes you spent on the contact, 0 to 1440. Optional.",
    )
    use_of_force = radio_field(
        "use_of_force", dd.YES_NO, help_text="Officers used force during the contact."
    )

    SECTIONS = (
        ("The call", ("encounter_id", "agency", "provider", "date", "time", "cad_incident")),
        (
            "The contact",
            ("referral_source", "contact_type", "concerns", "assessment", "disposition"),
        ),
        ("Services", ("linked_to_services", "service_type")),
        (
            "The person and the contact (optional)",
            ("age_group", "gender", "veteran", "person_key", "minutes", "use_of_force"),
        ),
    )

    def __init__(
        self,
        *args,
        clinician: Clinician | None,
        manager: bool,
        instance: Encounter | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.manager = manager
        start = quality.program_start().isoformat()  # a setting: read when the form is made
        self.fields["date"].help_text = (
            f"Local date of the contact, from the program's start ({start}) to today. "
            + dates.date_help()
        )
        self.fixed_provider = None if manager else clinician.provider
        orgs = services.organizations_by_code()
        if manager:
            allowed = [code for code in dd.AGENCIES if code in orgs]
        else:
            served = set(clinician.agencies.values_list("dictionary_code", flat=True))
            if instance is not None:
                served.add(instance.agency.dictionary_code)
            allowed = [code for code in dd.AGENCIES if code in served]
        self.allowed_agencies = allowed
        agency_choices = [(code, orgs[code].name) for code in allowed if code in orgs]
        if len(agency_choices) > 5:
            widget = forms.Select(choices=[("", "Choose the agency"), *agency_choices])
        else:
            widget = RadioGroup(choices=agency_choices)
        self.fields["agency"].widget = widget
        if self.fixed_provider is not None:
            del self.fields["provider"]
        else:
            self.fields["provider"].widget.choices = [
                (code, orgs[code].name if code in orgs else dd.label(code)) for code in dd.PROVIDERS
            ]
        self._set_focus()

    def _set_focus(self) -> None:
        """Autofocus on the first field that needs the user: the first one with an error,
        or on a new form the encounter ID (date and agency come prefilled)."""
        if self.is_bound:
            return  # set after validation (DictionaryForm.full_clean)
        if self.instance is None:
            self.fields["encounter_id"].widget.attrs["autofocus"] = True

    def sections(self):
        for title, names in self.SECTIONS:
            yield title, [self[name] for name in names if name in self.fields]

    def row(self) -> dict[str, str]:
        row = super().row()
        if self.fixed_provider is not None:
            row["provider"] = self.fixed_provider.dictionary_code
        return row

    def clean(self):
        cleaned_data = super().clean()
        row = self.row()
        cleaned, errors = dd.check_encounter_row(row)
        if cleaned["date"] is not None:
            problem = quality.encounter_date_problem(cleaned["date"], today=services.today())
            if problem:
                errors.append(("date", problem))
        # The same rule as the CSV import, so an export of any record stays exact and safe.
        errors += [
            (column, FORMULA_REASON)
            for column in FREE_TEXT_COLUMNS
            if starts_like_formula(row.get(column) or "")
        ]
        self.add_dictionary_errors(errors)
        agency = cleaned["agency"]
        if agency and agency not in self.allowed_agencies:
            self.add_error("agency", "Choose one of the agencies you serve.")
        elif agency and cleaned["encounter_id"] and not self.has_error("encounter_id"):
            duplicates = Encounter.objects.filter(
                agency__dictionary_code=agency, encounter_id=cleaned["encounter_id"]
            )
            if self.instance is not None:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                self.add_error("encounter_id", self.duplicate_message(agency))
        self.dictionary_cleaned = cleaned
        return cleaned_data

    def duplicate_message(self, agency: str) -> str:
        return (
            f"{dd.AGENCIES.get(agency, agency)} already has a record with this encounter ID; "
            "IDs are unique per agency."
        )

    def values(self) -> dict:
        """Model field values, for services.encounter_save."""
        return services.encounter_values(self.dictionary_cleaned, services.organizations_by_code())


class EncounterFilterForm(forms.Form):
    """The list's filters: a month (YYYY-MM) and an agency."""

    month = dates.MonthField(required=False)
    agency = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "All agencies"), *dd.AGENCIES.items()]

    def month_start(self) -> dt.date | None:
        return self.cleaned_data.get("month") if self.is_valid() else None


# --- Months and call volume ------------------------------------------------------------


class MonthCloseForm(forms.Form):
    month = dates.MonthField()

    def clean_month(self) -> dt.date:
        month = self.cleaned_data["month"]
        if month >= dates.month_start(services.today()):
            raise forms.ValidationError("Only a month that has ended can be closed.")
        return month


class VolumeForm(DictionaryForm):
    """One agency and month of call volume, checked by dictionary.check_volume_row."""

    agency = TextField(label=LABELS["agency"], required=True)
    month = TextField(
        label=LABELS["month"],
        required=True,
        widget=dates.TypedInput("month"),
        help_text="Year-month (YYYY-MM), for example 2026-03.",
    )
    mh_calls = TextField(
        label=LABELS["mh_calls"],
        required=True,
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
        help_text="Calls for service the department's CAD coded as mental-health related.",
    )
    total_calls = TextField(
        label=LABELS["total_calls"],
        required=False,
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
        help_text="All calls for service that month, at least the mental-health calls. Optional.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = services.organizations_by_code()
        self.fields["agency"].widget = forms.Select(
            choices=[
                ("", "Choose the agency"),
                *((code, orgs[code].name) for code in dd.AGENCIES if code in orgs),
            ]
        )

    def clean(self):
        cleaned_data = super().clean()
        cleaned, errors = dd.check_volume_row(self.row())
        self.add_dictionary_errors(errors)
        if cleaned["month"] is not None:
            problem = quality.volume_month_problem(cleaned["month"], today=services.today())
            if problem:
                self.add_dictionary_errors([("month", problem)])
        self.dictionary_cleaned = cleaned
        return cleaned_data

    def checks_after_save(self) -> list[quality.Check]:
        """The saved month's warnings (no mental-health calls, coverage over 100%): the
        numbers are kept as typed, and these say what to look at again."""
        cleaned = self.dictionary_cleaned
        month = cleaned["month"]
        return quality.data_checks(start=month, end=month, agency=cleaned["agency"])

    def values(self) -> dict:
        cleaned = self.dictionary_cleaned
        return {
            "agency": services.organizations_by_code()[cleaned["agency"]],
            "month": cleaned["month"],
            "mh_calls": cleaned["mh_calls"],
            "total_calls": cleaned["total_calls"],
        }
