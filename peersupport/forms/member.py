"""Forms of a team member's pages. They validate; peersupport.services acts.

Activity is what was done (date, service, people, hours), never what was said: there is
no narrative field, on purpose.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone

from core import dates
from peersupport.models import ServiceType

MAX_PEOPLE_REACHED = 500
MAX_HOURS = Decimal(24)


class ActivityForm(forms.Form):
    date = dates.DateField(help_text="The day the support took place.")
    service_type = forms.ChoiceField(
        label="Service",
        choices=[("", "Choose the service"), *ServiceType.choices],
    )
    people_reached = forms.IntegerField(
        label="People reached",
        min_value=1,
        max_value=MAX_PEOPLE_REACHED,
        help_text="How many people took part or were supported.",
    )
    hours = forms.DecimalField(
        max_digits=4,
        decimal_places=2,
        max_value=MAX_HOURS,
        help_text="Time spent, in hours (1.5 for an hour and a half).",
    )
    follow_up_needed = forms.BooleanField(label="Follow-up needed", required=False)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return date

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours <= 0:
            raise forms.ValidationError("Enter more than 0 hours.")
        return hours


class OnCallForm(forms.Form):
    """The one thing a member changes on their own roster entry."""

    on_call = forms.TypedChoiceField(
        choices=[("1", "On call"), ("0", "Not on call")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
