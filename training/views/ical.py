"""Calendar files: one event's download, and feeds that calendar programs subscribe to."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from training.filters import EventFilterForm, events_filtered
from training.ical import event_ics, feed_ics
from training.models import Event

CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_NAME = "MARC training calendar"
# A subscriber's calendar keeps what happened lately, not only what is still to come.
FEED_PAST_DAYS = 30
MAX_AGE = 300


@require_safe
def event_download(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.public(), pk=pk)
    response = HttpResponse(event_ics(event), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{event.slug}.ics"
    )
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    """All published events, or those matching the calendar's filters (same query string).

    Cancelled events stay in the feed, so subscribers see them as STATUS:CANCELLED.
    """
    form = EventFilterForm(request.GET)
    events = events_filtered(form, upcoming_only=False)
    if not (form.is_valid() and form.cleaned_data.get("start")):
        events = events.filter(ends_at__gte=timezone.now() - dt.timedelta(days=FEED_PAST_DAYS))
    response = HttpResponse(feed_ics(events, name=_feed_name(form)), content_type=CONTENT_TYPE)
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _feed_name(form: EventFilterForm) -> str:
    """E.g. "MARC training calendar: Exercise, EMS" for a filtered feed."""
    if not form.is_valid():
        return FEED_NAME
    data = form.cleaned_data
    labels = []
    for field in ("kind", "audience"):
        if data.get(field):
            labels.append(dict(form.fields[field].choices)[data[field]])
    for field in ("area", "host"):
        if data.get(field):
            labels.append(str(data[field]))
    if data.get("seats"):
        labels.append("seats left")
    return f"{FEED_NAME}: {', '.join(labels)}" if labels else FEED_NAME
