"""Calendar filters, shared by the list, the month grid and the iCalendar feeds.

The filters live in the URL's query string, so a filtered view can be bookmarked, shared
and subscribed to as a feed.
"""

import datetime as dt

from django import forms
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from core import dates
from programs.selectors import areas_published
from training.models import SEAT_STATUSES, Audience, Committee, Event, EventKind


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *EventKind.choices], required=False)
    audience = forms.ChoiceField(choices=[("", "All audiences"), *Audience.choices], required=False)
    area = forms.ModelChoiceField(
        queryset=None,  # set per form: "published" means published by now, not at start-up
        to_field_name="slug",
        required=False,
        empty_label="All program areas",
        label="Program area",
    )
    host = forms.ModelChoiceField(
        queryset=Committee.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All hosts",
        label="Host committee",
    )
    start = dates.DateField(required=False, label="From")
    end = dates.DateField(required=False, label="To")
    seats = forms.BooleanField(required=False, label="Only events with seats left")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas_published()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return cleaned


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events_filtered(form: EventFilterForm, *, upcoming_only: bool = True) -> QuerySet[Event]:
    """Published events matching a bound filter form (invalid fields are ignored)."""
    events = Event.objects.public().select_related("host", "program_area")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("kind"):
        events = events.filter(kind=data["kind"])
    if data.get("audience"):
        events = events.filter(audiences__contains=[data["audience"]])
    if data.get("area"):
        events = events.filter(program_area=data["area"])
    if data.get("host"):
        events = events.filter(host=data["host"])
    if data.get("start"):
        events = events.filter(ends_at__gte=_day_start(data["start"]))
    elif upcoming_only:
        events = events.filter(ends_at__gte=timezone.now())
    if data.get("end"):
        events = events.filter(starts_at__lt=_day_start(data["end"] + dt.timedelta(days=1)))
    events = events.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_STATUSES))
    )
    if data.get("seats"):
        events = events.filter(
            Q(capacity__isnull=True) | Q(capacity__gt=F("seats_taken")),
            status="scheduled",
        )
    return events.order_by("starts_at", "id")
