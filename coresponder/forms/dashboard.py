"""The dashboard's choice of figures: a period (a preset or dates) and an agency and
provider (coresponder.views.dashboard explains the query string).

The presets are resolved on the day of the request, in the portal's time zone; each says
how its previous period is found (coresponder.periods.previous_period): the calendar
ones compare with the same days of the previous month or year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from core import dates
from coresponder.quality import program_start

DEFAULT_MONTHS = 12
MAX_MONTHS = 120


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    # The previous period: this many months back (the same days of the previous month or
    # year), or None to go by the dates (coresponder.periods.previous_period).
    months: int | None


PRESETS = [
    Preset("this-month", "This month", 1),
    Preset("last-month", "Last month", 1),
    Preset("this-year", "This year", 12),
    Preset("last-year", "Last year", 12),
    Preset("last-12-months", "Last 12 months", 12),
    Preset("since-start", "Since the program's start", None),
]
BY_KEY = {p.key: p for p in PRESETS}
DEFAULT_PRESET = "last-12-months"


def preset_range(key: str, today: dt.date, start_of_program: dt.date) -> tuple[dt.date, dt.date]:
    """The days a preset covers on `today` (both ends included)."""
    this_month = dates.month_start(today)
    if key == "this-month":
        return this_month, today
    if key == "last-month":
        return dates.add_months(this_month, -1), this_month - dt.timedelta(days=1)
    if key == "this-year":
        return dt.date(today.year, 1, 1), today
    if key == "last-year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if key == "last-12-months":
        return dates.add_months(this_month, 1 - DEFAULT_MONTHS), today
    if key == "since-start":
        return start_of_program, today
    raise ValueError(f"Unknown period {key!r}.")


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months: the current month so far and the eleven before it."""
    return preset_range(DEFAULT_PRESET, today or timezone.localdate(), program_start())


def _date_field(label: str, example: str, help_text: str) -> forms.DateField:
    return dates.DateField(label=label, required=False, example=example, help_text=help_text)


class DashboardForm(forms.Form):
    period = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[("", "Dates")] + [(p.key, p.label) for p in PRESETS],
    )
    start = _date_field("From", "2025-01-01", "Empty: from the program's start.")
    end = _date_field("To", "2025-12-31", "Empty: up to today.")
    agency = forms.ChoiceField(label="Agency", required=False)
    provider = forms.ChoiceField(label="Provider", required=False)

    def __init__(self, *args, agencies, providers, liaison: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {a.dictionary_code: a for a in agencies}
        self.providers = {p.dictionary_code: p for p in providers}
        if liaison:
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = [("", "All agencies")] + [
                (a.dictionary_code, a.name) for a in agencies
            ]
        self.fields["provider"].choices = [("", "All providers")] + [
            (p.dictionary_code, p.name) for p in providers
        ]

    @classmethod
    def from_query(cls, query, **kwargs) -> DashboardForm:
        data = {name: query.get(name, "") for name in ("period", "start", "end")}
        data["agency"], data["provider"] = query.get("agency", ""), query.get("provider", "")
        return cls(data, **kwargs)

    def clean(self):
        """Resolve the period: cleaned_data gets `range` (start, end) and `preset`."""
        cleaned = super().clean()
        if self.errors:
            return cleaned
        today = timezone.localdate()
        start, end = cleaned.get("start"), cleaned.get("end")
        preset = None
        if start is None and end is None:
            preset = BY_KEY[cleaned.get("period") or DEFAULT_PRESET]
            start, end = preset_range(preset.key, today, program_start())
        else:
            start, end = start or program_start(), end or today
            if end < start:
                raise forms.ValidationError("The last day must be on or after the first day.")
            if start > today:
                self.add_error("start", "The first day cannot be in the future.")
                return cleaned
            if dates.months_spanned(start, end) > MAX_MONTHS:
                raise forms.ValidationError(
                    f"Choose a period of at most {MAX_MONTHS // 12} years ({MAX_MONTHS} months)."
                )
        cleaned["range"], cleaned["preset"] = (start, end), preset
        return cleaned
