"""Public forms of the training calendar."""

from django import forms

from accounts.publicforms import HoneypotMixin
from accounts.selectors import organization_by_name
from training.models import RegistrantState
from training.services import RegistrationData


class RegistrationForm(HoneypotMixin, forms.Form):
    """Registration without an account. The honeypot comes last, after the real fields."""

    field_order = ["name", "email", "agency", "role", "state", "accessibility_needs"]

    name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send your confirmation here, with a link to cancel.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address in the form name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    agency = forms.CharField(
        label="Agency or organization",
        max_length=200,
        help_text="For example, Johnson County Emergency Communications.",
        error_messages={"required": "Enter your agency or organization."},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    role = forms.CharField(
        label="Role or job title",
        max_length=120,
        help_text="For example, call-taker, paramedic or emergency manager.",
        error_messages={"required": "Enter your role or job title."},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    state = forms.ChoiceField(
        label="State where you work",
        choices=RegistrantState.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the state where you work: Missouri or Kansas.",
            "invalid_choice": "Choose the state where you work: Missouri or Kansas.",
        },
    )
    accessibility_needs = forms.CharField(
        label="Accessibility needs (optional)",
        required=False,
        max_length=1000,
        help_text=(
            "Anything that would help you take part, such as an interpreter or step-free "
            "access. This is shared only with the training coordinator."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def registration_data(self) -> RegistrationData:
        """The cleaned form as the service's input; the agency matched to the directory."""
        data = self.cleaned_data
        agency = organization_by_name(data["agency"])
        return RegistrationData(
            name=data["name"],
            email=data["email"],
            agency_name=agency.name if agency else data["agency"],
            agency_id=agency.pk if agency else None,
            role=data["role"],
            state=data["state"],
            accessibility_needs=data["accessibility_needs"],
        )
