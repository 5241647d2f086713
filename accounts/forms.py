from django import forms
from django.contrib.auth.forms import PasswordResetForm

HONEYPOT_FIELD = "website"


class HoneypotMixin(forms.Form):
    """A field people never see or fill; a bot that fills it gets a clear error, not success.

    The field sits in a block hidden with CSS and from assistive technology
    (templates/includes/honeypot.html), and is left out of tab order.
    """

    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data.get(HONEYPOT_FIELD):
            raise forms.ValidationError(
                "This form was filled in by an automated tool, so it was not sent. "
                "If you are a person, clear the hidden “Leave this field empty” box and try again."
            )
        return ""


class StaffPasswordResetForm(HoneypotMixin, PasswordResetForm):
    pass
