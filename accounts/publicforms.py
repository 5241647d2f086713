"""What guards every public form, in any app: a honeypot field against bots, and rate
limits per client address, counted in the shared cache."""

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

HONEYPOT_FIELD = "website"

RATE_LIMIT_MESSAGE = (
    "Too many forms were sent from your network in a short time, so this one was not sent. "
    "Everything you typed is still here: please wait a few minutes and send it again."
)


def over_rate_limit(request: HttpRequest, *, group: str, rate: str | None = None) -> bool:
    """Count this POST against the client's address; True once the limit is passed.

    If the cache cannot be reached the form is let through rather than refused.
    """
    try:
        return is_ratelimited(
            request,
            group=group,
            key="ip",
            rate=rate or settings.PUBLIC_FORM_RATE,
            method="POST",
            increment=True,
        )
    except Exception:
        return False


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
