import datetime as dt

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import apikeys
from accounts.publicforms import HoneypotMixin
from accounts.services import password_reset_email_queue
from core import dates


class StaffPasswordResetForm(HoneypotMixin, PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the outbox (core.outbox), like every email of the portal."""
        password_reset_email_queue(
            user=context["user"],
            email=to_email,
            subject=render_to_string(subject_template_name, context),
            link={name: context[name] for name in ("protocol", "domain", "uid", "token")},
        )


class ApiKeyIssueForm(forms.Form):
    """A program manager's new API key: a name, what it reaches, whose it is, until when.

    The expiry is a day: the key works to the end of it (accounts.apikeys checks the two
    years again, and the organization against the scope)."""

    name = forms.CharField(
        max_length=100,
        error_messages={"required": "Give the key a name, so that you can tell it apart."},
        help_text="A name that says who uses the key and for what, "
        "for example “ReDiscover nightly upload”.",
    )
    scope = forms.ChoiceField(
        label="What the key may reach",
        choices=apikeys.ApiScope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the key may reach."},
    )
    organization = forms.TypedChoiceField(
        label="Whose key it is",
        coerce=int,
        error_messages={
            "required": "Choose whose key it is.",
            "invalid_choice": "Choose an organization from the list.",
        },
        help_text="A key for encounters belongs to a behavioral-health provider; a key for "
        "call volume belongs to a police department. Only organizations with a data "
        "dictionary code are listed.",
    )
    expires_on = dates.DateField(
        label="Expires on",
        help_text="The key works until the end of this day, at most two years from today.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = []
        for scope, heading in (
            (apikeys.ApiScope.ENCOUNTERS, "Behavioral-health providers (encounters)"),
            (apikeys.ApiScope.CALL_VOLUME, "Police departments (call volume)"),
        ):
            choices = [(o.pk, o.name) for o in apikeys.organizations_for_scope(scope)]
            if choices:
                groups.append((heading, choices))
        self.fields["organization"].choices = [("", "Choose an organization"), *groups]
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + apikeys.DEFAULT_LIFETIME)

    def clean_expires_on(self) -> dt.date:
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError("Choose an expiry date after today.")
        if day > apikeys.latest_expiry(today):
            raise forms.ValidationError(
                f"A key may last at most two years: choose {apikeys.latest_expiry(today)} "
                "or an earlier day."
            )
        return day

    def clean(self):
        cleaned = super().clean()
        scope, pk = cleaned.get("scope"), cleaned.get("organization")
        if scope and pk is not None:
            organization = apikeys.organizations_for_scope(scope).filter(pk=pk).first()
            if organization is None:
                self.add_error("organization", apikeys.SCOPE_MISFIT[scope])
            else:
                cleaned["organization"] = organization
        return cleaned

    @property
    def expires_at(self) -> dt.datetime:
        """The moment the key stops working: the start of the day after the one chosen."""
        return apikeys.end_of_day(self.cleaned_data["expires_on"])
