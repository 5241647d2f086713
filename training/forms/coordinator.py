"""Forms of the coordinator pages. They validate; training.coordination acts."""

from django import forms
from django.utils.text import slugify

from accounts.selectors import organization_by_name
from core import dates
from core.uploads import validate_document_file
from training.coordination import WalkIn
from training.models import (
    Audience,
    DocumentKind,
    Event,
    EventDocument,
    EventStatus,
    OverCapacityReason,
    RegistrantState,
    RegistrationStatus,
)

LOCAL_TIME_HELP = "Central time (Kansas City)."
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def local_datetime_field(**kwargs) -> forms.DateTimeField:
    """A typed date and time, shown and read in America/Chicago (the site's time zone)."""
    kwargs.setdefault("help_text", LOCAL_TIME_HELP)
    return dates.DateTimeField(**kwargs)


class AudienceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Audience.choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Who the event is for. None ticked: everyone.")
        super().__init__(**kwargs)


def virtual_url_field() -> forms.URLField:
    return forms.URLField(
        label="Virtual meeting link", required=False, max_length=200, assume_scheme="https"
    )


class EventForm(forms.ModelForm):
    audiences = AudienceField()
    virtual_url = virtual_url_field()
    slug = forms.SlugField(
        required=False,
        max_length=220,
        help_text="The event's web address. Empty: made from the title.",
    )
    starts_at = local_datetime_field(label="Starts")
    ends_at = local_datetime_field(label="Ends")
    registration_opens_at = local_datetime_field(
        label="Registration opens", required=False, help_text="Empty: open now. " + LOCAL_TIME_HELP
    )
    registration_closes_at = local_datetime_field(
        label="Registration closes",
        required=False,
        help_text="Empty: open until the event starts. " + LOCAL_TIME_HELP,
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "kind",
            "audiences",
            "program_area",
            "host",
            "ce_category",
            "starts_at",
            "ends_at",
            "venue_name",
            "address",
            "virtual_url",
            "capacity",
            "agency_seat_cap",
            "registration_required",
            "registration_opens_at",
            "registration_closes_at",
            "status",
            "published",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}
        labels = {"published": "Show on the public calendar", "host": "Host committee"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Cancelling has its own page, which tells every registrant; not a status edit.
        if self.instance.status != EventStatus.CANCELLED:
            self.fields["status"].choices = [
                choice for choice in EventStatus.choices if choice[0] != EventStatus.CANCELLED
            ]

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("title", ""))[:220]
        return slug or "event"

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must be after the start.")
        opens, closes = cleaned.get("registration_opens_at"), cleaned.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", "Registration must close after it opens.")
        capacity, cap = cleaned.get("capacity"), cleaned.get("agency_seat_cap")
        if capacity is not None and cap is not None and cap > capacity:
            self.add_error("agency_seat_cap", "One agency cannot have more seats than the event.")
        return cleaned

    def changes(self) -> dict:
        """The changed fields and their new values, for coordination.event_update."""
        return {name: self.cleaned_data[name] for name in self.changed_data}

    def values(self) -> dict:
        """Every field's value, for coordination.event_create."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class EventAdminForm(forms.ModelForm):
    """The admin's event form: audiences as checkboxes instead of a comma-separated list."""

    audiences = AudienceField()
    virtual_url = virtual_url_field()

    class Meta:
        model = Event
        fields = EventForm.Meta.fields


class EventCopyForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_at = local_datetime_field(
        label="New start",
        help_text="The end and the registration window move by the same amount. " + LOCAL_TIME_HELP,
    )


class EventDocumentForm(forms.ModelForm):
    class Meta:
        model = EventDocument
        fields = ["title", "kind", "file"]
        labels = {"kind": "Kind of document"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = DocumentKind.AGENDA
        self.fields["file"].help_text = (
            "PDF, Word, Excel, PowerPoint or OpenDocument; at most 20 MB. Agendas and minutes "
            "are shown on the public event page."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The content decides, not the name: a web page or script renamed .pdf is refused.
        validate_document_file(upload)
        if upload.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB.")
        return upload


class WaitlistMoveForm(forms.Form):
    position = forms.IntegerField(min_value=1, label="Move to position")
    reason = forms.CharField(
        max_length=500,
        label="Reason",
        help_text="Recorded in the audit log.",
        error_messages={"required": "Give a reason for moving this person on the waitlist."},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason for moving this person on the waitlist.")
        return reason


ATTENDANCE_CHOICES = [
    (RegistrationStatus.CONFIRMED, "Not marked yet"),
    (RegistrationStatus.ATTENDED, "Attended"),
    (RegistrationStatus.NO_SHOW, "No-show"),
]


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(choices=ATTENDANCE_CHOICES, label="Attendance")
    minutes_attended = forms.IntegerField(
        min_value=0,
        required=False,
        label="Minutes attended",
        help_text="Only if they left early or came late. Empty: the whole event.",
    )
    is_instructor = forms.BooleanField(required=False, label="Instructor")

    def __init__(self, *args, event: Event | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean(self):
        cleaned = super().clean()
        minutes = cleaned.get("minutes_attended")
        if minutes is None:
            return cleaned
        if cleaned.get("status") != RegistrationStatus.ATTENDED:
            self.add_error("minutes_attended", "Minutes apply only to someone who attended.")
        elif self.event is not None and minutes > self.event.duration_minutes:
            self.add_error(
                "minutes_attended",
                f"The event lasts {self.event.duration_minutes} minutes; enter at most that.",
            )
        return cleaned


class MessageForm(forms.Form):
    message_id = forms.UUIDField(widget=forms.HiddenInput)
    subject = forms.CharField(max_length=150)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10_000,
        label="Message",
        help_text="Plain text. The event's title, date and place are added below it.",
    )


class CancelEventForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        label="Note to registrants",
        help_text="Optional, e.g. whether the event will be rescheduled.",
    )


class WalkInForm(forms.Form):
    """Someone at the door who did not register. When every seat is taken the form also
    asks why they may go over capacity (a short list: one tap on a phone, and the same
    words in every audit entry)."""

    name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter the person's name."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    agency = forms.CharField(
        label="Agency or organization",
        max_length=200,
        error_messages={"required": "Enter their agency or organization."},
        help_text="Pick from the list as you type, or type a name that is not listed.",
        widget=forms.TextInput(attrs={"list": "organizations", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="For their certificate and training history.",
        error_messages={
            "required": "Enter their email address.",
            "invalid": "Enter an email address in the form name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    over_capacity_reason = forms.ChoiceField(
        label="Why may they go over capacity?",
        choices=OverCapacityReason.choices,
        widget=forms.RadioSelect,
        help_text="Every seat is taken. The reason is kept with the registration and in "
        "the audit log.",
        error_messages={"required": "Every seat is taken: choose why this person may go over."},
    )

    def __init__(self, *args, full: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "walk-in-%s")
        super().__init__(*args, **kwargs)
        self.full = full
        if not full:
            del self.fields["over_capacity_reason"]

    def walk_in(self) -> WalkIn:
        """The cleaned form as the service's input; the agency matched to the directory,
        as public registration does (training.forms.public)."""
        data = self.cleaned_data
        agency = organization_by_name(data["agency"])
        return WalkIn(
            name=data["name"],
            email=data["email"],
            agency_name=agency.name if agency else data["agency"],
            agency_id=agency.pk if agency else None,
            state=agency.state if agency and agency.state in RegistrantState.values else "",
            over_capacity_reason=data.get("over_capacity_reason", ""),
        )
