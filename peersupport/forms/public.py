"""The public request form for 911 peer support.

Minimum necessary: the form asks what the coordinator needs to arrange support and to reach
the person asking, and nothing about what happened: there is no free-text story field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.publicforms import HoneypotMixin
from accounts.selectors import OrganizationKind, agencies_in_region
from core import dates
from core.forms import reveals
from peersupport.models import ContactMethod, IncidentKind, RequestType, Urgency
from peersupport.services import RequestData

if TYPE_CHECKING:
    from accounts.models import Organization

OUTSIDE_REGION = "outside"
MAX_PEOPLE = 500
# Digits with the usual separators, and an optional extension ("x 12", "ext. 12").
PHONE_PATTERN = re.compile(r"^\+?[\d\s().\-]+(?:\s*(?:x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)
PHONE_MESSAGE = "Enter a phone number with its area code, such as 816-555-0100."


def _too_long(what: str, limit: int) -> str:
    return f"{what} can be at most {limit} characters (you typed %(show_value)d)."


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def agency_choices(agencies) -> list:
    """The region's agencies grouped by kind (911 centers first), then “outside the region”."""
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for agency in agencies:
        by_kind.setdefault(agency.kind, []).append((str(agency.pk), agency.name))
    groups = [(kind.label, by_kind[kind.value]) for kind in OrganizationKind if kind in by_kind]
    return [
        ("", "Choose your agency"),
        *groups,
        (OUTSIDE_REGION, "Outside the MARC region"),
    ]


class SupportRequestForm(HoneypotMixin, forms.Form):
    """A request for peer support, sent without an account. The honeypot comes last."""

    field_order = [
        "request_type",
        "incident_kind",
        "incident_date",
        "people_affected",
        "urgency",
        "requester_role",
        "agency",
        "outside_agency_name",
        "contact_name",
        "contact_method",
        "contact_phone",
        "contact_email",
        "best_time",
    ]

    request_type = forms.ChoiceField(
        label="What kind of support would help?",
        choices=RequestType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of support that would help.",
            "invalid_choice": "Choose the kind of support that would help.",
        },
    )
    incident_kind = forms.ChoiceField(
        label="What kind of incident was it?",
        choices=IncidentKind.choices,
        widget=forms.RadioSelect,
        help_text="Please do not describe what happened: you can talk about it with a peer.",
        error_messages={
            "required": "Choose the kind of incident, or “Other”.",
            "invalid_choice": "Choose the kind of incident, or “Other”.",
        },
    )
    incident_date = dates.DateField(
        label="Date of the incident",
        help_text="The day it happened, or the day it began.",
        error_messages={"required": "Enter the date of the incident."},
    )
    people_affected = forms.IntegerField(
        label="How many people were affected?",
        min_value=1,
        max_value=MAX_PEOPLE,
        help_text="An estimate is fine. For a group debriefing, count everyone who may attend.",
        error_messages={
            key: f"Enter how many people were affected: a number from 1 to {MAX_PEOPLE}."
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    urgency = forms.ChoiceField(
        label="How soon is support needed?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how soon support is needed.",
            "invalid_choice": "Choose how soon support is needed.",
        },
    )
    requester_role = forms.CharField(
        label="Your role",
        max_length=100,
        help_text="For example, call-taker, dispatcher, shift supervisor or battalion chief.",
        error_messages={
            "required": "Enter your role.",
            "max_length": _too_long("Your role", 100),
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    agency = reveals(
        forms.ChoiceField(
            label="Your 911 center or agency",
            help_text="If it is not in the list, choose “Outside the MARC region” at the end.",
            error_messages={
                "required": "Choose your 911 center or agency, or “Outside the MARC region”.",
                "invalid_choice": "Choose your 911 center or agency, or “Outside the MARC region”.",
            },
        ),
        {OUTSIDE_REGION: ["outside_agency_name"]},
    )
    outside_agency_name = forms.CharField(
        label="If outside the MARC region, the agency's name",
        required=False,
        max_length=200,
        help_text=(
            "Only if you chose “Outside the MARC region”. Requests from outside the region are "
            "welcome; a coordinator approves them first."
        ),
        error_messages={"max_length": _too_long("The agency's name", 200)},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    contact_name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="A first name is enough.",
        error_messages={
            "required": "Enter your name, so the coordinator knows whom to ask for.",
            "max_length": _too_long("Your name", 120),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_method = reveals(
        forms.ChoiceField(
            label="How should we reach you?",
            choices=ContactMethod.choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose how we should reach you: phone call, text message or email.",
                "invalid_choice": (
                    "Choose how we should reach you: phone call, text message or email."
                ),
            },
        ),
        {
            ContactMethod.PHONE: ["contact_phone"],
            ContactMethod.TEXT: ["contact_phone"],
            ContactMethod.EMAIL: ["contact_email"],
        },
    )
    contact_phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        help_text="Needed if you choose a phone call or a text message.",
        error_messages={"max_length": _too_long("The phone number", 40)},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="Needed if you choose email.",
        error_messages={
            "invalid": "Enter an email address in the form name@example.org.",
            "max_length": _too_long("The email address", 254),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    best_time = forms.CharField(
        label="Best time to reach you (optional)",
        required=False,
        max_length=100,
        help_text="For example, weekdays after 3 pm.",
        error_messages={"max_length": _too_long("The best time", 100)},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies: dict[str, Organization] = {
            str(agency.pk): agency for agency in agencies_in_region()
        }
        self.fields["agency"].choices = agency_choices(self.agencies.values())
        self.today = timezone.localdate()
        self.earliest = year_before(self.today)

    def clean_incident_date(self) -> dt.date:
        day = self.cleaned_data["incident_date"]
        if day > self.today:
            raise forms.ValidationError("The date of the incident cannot be in the future.")
        if day < self.earliest:
            raise forms.ValidationError(
                "This form is for incidents in the past year. For something longer ago, "
                f"please call the Peer Support Line at {settings.PEER_SUPPORT_LINE}: "
                "a peer is glad to talk."
            )
        return day

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"]
        digits = re.sub(r"\D", "", re.split(r"x|ext", phone, flags=re.IGNORECASE)[0])
        if phone and (not PHONE_PATTERN.match(phone) or not 10 <= len(digits) <= 15):
            raise forms.ValidationError(PHONE_MESSAGE)
        return phone

    def clean(self):
        data = super().clean()

        def left_empty(name: str) -> bool:  # a field that failed already has its own message
            return name in data and not data[name]

        if data.get("agency") == OUTSIDE_REGION and left_empty("outside_agency_name"):
            self.add_error(
                "outside_agency_name",
                "Enter the name of your agency, since it is outside the MARC region.",
            )
        method = data.get("contact_method")
        if method == ContactMethod.PHONE and left_empty("contact_phone"):
            self.add_error(
                "contact_phone", "Enter the phone number to call, since you chose a call."
            )
        elif method == ContactMethod.TEXT and left_empty("contact_phone"):
            self.add_error(
                "contact_phone", "Enter the mobile number to text, since you chose text."
            )
        elif method == ContactMethod.EMAIL and left_empty("contact_email"):
            self.add_error("contact_email", "Enter your email address, since you chose email.")
        return data

    def request_data(self) -> RequestData:
        """The cleaned form as the service's input."""
        data = self.cleaned_data
        outside = data["agency"] == OUTSIDE_REGION
        return RequestData(
            request_type=data["request_type"],
            incident_kind=data["incident_kind"],
            incident_date=data["incident_date"],
            requester_role=data["requester_role"],
            agency=None if outside else self.agencies[data["agency"]],
            outside_agency_name=data["outside_agency_name"] if outside else "",
            people_affected=data["people_affected"],
            urgency=data["urgency"],
            contact_name=data["contact_name"],
            contact_method=data["contact_method"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            best_time=data["best_time"],
        )
