"""The program managers' form on /staff/reports/: build the reports of past months.

The form reads what was typed and asks reports.services.months_refusal whether the months
may be built, so that the page shows the same reasons the service would refuse with.
"""

import datetime as dt

from django import forms
from django.utils import timezone

from core.dates import MonthField
from reports import services
from reports.models import ReportKind

ALL_KINDS = "all"


class MonthsBuildForm(forms.Form):
    kind = forms.ChoiceField(
        label="Reports",
        choices=[(ALL_KINDS, "All reports"), *ReportKind.choices],
        initial=ALL_KINDS,
        error_messages={
            "required": "Choose which reports to build.",
            "invalid_choice": "Choose which reports to build from the list.",
        },
    )
    start = MonthField(
        label="From month",
        help_text="Written YYYY-MM, like 2025-03.",
        error_messages={"required": "Enter the first month to build, written YYYY-MM."},
    )
    end = MonthField(
        label="To month",
        required=False,
        help_text="Leave it empty to build one month.",
    )

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["kind"].widget.attrs["class"] = "form-select"
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update({"class": "form-control", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.has_error("end"):
            return data
        if start is None:  # "From" is refused already: say what is wrong with "To" too
            refusal = end and services.months_refusal(start=end, end=end, today=self.today)
            if refusal:
                self.add_error("end", refusal.message)
            return data
        data["end"] = end = end or start
        refusal = services.months_refusal(start=start, end=end, today=self.today)
        if refusal is not None:
            self.add_error(refusal.field or None, refusal.message)
        return data

    def kinds(self) -> list[str]:
        kind = self.cleaned_data["kind"]
        return list(ReportKind.values) if kind == ALL_KINDS else [kind]
