"""The public training calendar: the list, the month grid and event pages.

All three are anonymous pages served through the page cache (@public_page). The lists and
grids show every event's seats ("calendar"); an event page shows its own ("event:<pk>"),
so training/signals.py re-renders only the pages a change shows on.

The month grid pages only between the first and the last month with a published event
(always including this month); other months are 404s with no link to them, so a crawler
following "previous" stops instead of walking back for ever.
"""

import datetime as dt
import html
import re

from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe

from core import jsonld, pagecache
from core.markdown import render_markdown
from core.urls import absolute_url
from training import selectors
from training.filters import EventFilterForm, events_filtered
from training.ical import calendar_links, feed_links, map_url
from training.models import CECategory, Event, EventStatus

PAGE_SIZE = 20
MONTH_IGNORES = ("start", "end")  # the month grid's own date range replaces these filters


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


@require_safe
@pagecache.public_page("calendar")
def calendar_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET)
    page = Paginator(events_filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = selectors.filter_querystring(form)
    month = (form.is_valid() and form.cleaned_data["start"]) or timezone.localdate()
    month_filters = selectors.filter_querystring(form, exclude=MONTH_IGNORES)
    context = {
        "form": form,
        "page": page,
        "days": selectors.days_of(page.object_list),
        "filters": filters,
        "filtered": bool(filters),
        "feed": feed_links(filters, request),
        "month_url": _with_query(
            reverse("training:month", args=[month.year, month.month]), month_filters
        ),
    }
    return render(request, "training/public/calendar_list.html", context)


@require_safe
def month_current(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    url = reverse("training:month", args=[today.year, today.month])
    return redirect(_with_query(url, request.GET.urlencode()))


def _month_bounds() -> tuple[dt.date, dt.date]:
    """The first days of the first and the last month the grid shows."""
    this_month = timezone.localdate().replace(day=1)
    span = Event.objects.public().aggregate(first=Min("starts_at"), last=Max("ends_at"))
    first = timezone.localdate(span["first"]).replace(day=1) if span["first"] else this_month
    last = timezone.localdate(span["last"]).replace(day=1) if span["last"] else this_month
    return min(first, this_month), max(last, this_month)


@require_safe
@pagecache.public_page("calendar")
def calendar_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    first, last = _month_bounds()
    in_range = dt.MINYEAR <= year <= dt.MAXYEAR and 1 <= month <= 12
    if not (in_range and first <= dt.date(year, month, 1) <= last):
        raise Http404("There are no events in that month.")
    query = request.GET.copy()
    for name in MONTH_IGNORES:
        query.pop(name, None)
    form = EventFilterForm(query)
    grid = selectors.month_grid(form, year=year, month=month)
    filters = selectors.filter_querystring(form)

    def month_url(date: dt.date) -> str | None:
        if not first <= date.replace(day=1) <= last:
            return None
        return _with_query(reverse("training:month", args=[date.year, date.month]), filters)

    context = {
        "form": form,
        "grid": grid,
        "filters": filters,
        "filtered": bool(filters),
        "feed": feed_links(filters, request),
        "previous_url": month_url(grid.previous),
        "next_url": month_url(grid.next),
        "list_url": _with_query(reverse("training:calendar"), filters),
    }
    return render(request, "training/public/calendar_month.html", context)


@require_safe
@pagecache.public_page()
def event_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    pagecache.depends_on(request, f"event:{pk}")  # before the event and its seats are read
    event = selectors.event_get_public(pk=pk)
    if slug != event.slug:
        return redirect(event, permanent=True)
    area = event.program_area if event.program_area and event.program_area.is_public else None
    context = {
        "event": event,
        "entry": selectors.CalendarEntry.of(event, now=timezone.now()),
        "day": selectors.event_day(event),
        "seats_left": selectors.seats_left(event),
        "credit": (
            selectors.credit_hours_label(event.duration_minutes)
            if event.ce_category != CECategory.NONE
            else ""
        ),
        "area": area,
        "registration": selectors.registration_window(event),
        "description": render_markdown(event.description),
        "documents": list(event.documents.all()),
        "register_url": reverse("training:register", args=[event.pk]),
        "calendar": calendar_links(event, request),
        "map_url": map_url(event.address),
    }
    context["jsonld"] = jsonld.block(event_jsonld(event, context, request))
    response = render(request, "training/public/event_detail.html", context)
    return jsonld.allow(response, context["jsonld"])


# --- Structured data of an event page (schema.org Event, core.jsonld) -----------------------

SCHEMA = "https://schema.org/"
EVENT_STATUS = {
    EventStatus.SCHEDULED: "EventScheduled",
    EventStatus.POSTPONED: "EventPostponed",
    EventStatus.CANCELLED: "EventCancelled",
}
# "600 Broadway, Suite 200, Kansas City, MO 64105": street, city, state and ZIP code.
US_ADDRESS = re.compile(
    r"(?P<streetAddress>.+),\s*(?P<addressLocality>[^,]+),\s*(?P<addressRegion>[A-Z]{2})"
    r"\s+(?P<postalCode>\d{5}(?:-\d{4})?)\Z"
)


def plain_text(markdown: str) -> str:
    """An event's Markdown description as one line of plain text."""
    text = html.unescape(strip_tags(render_markdown(markdown)))
    return " ".join(text.split())


def postal_address(address: str) -> dict:
    """The event's one-line address, split into its parts when it reads like a US address."""
    match = US_ADDRESS.match(address.strip())
    fields = match.groupdict() if match else {"streetAddress": address.strip()}
    return jsonld.postal_address({**fields, "addressCountry": "US"})


def event_location(event: Event) -> tuple[list[dict], str]:
    """The places of an event (a Place, a VirtualLocation, or both) and its attendance mode."""
    places = []
    if event.venue_name or event.address:
        place = {"@type": "Place", "name": event.venue_name or event.address}
        if event.address:
            place["address"] = postal_address(event.address)
        places.append(place)
    if event.virtual_url:
        places.append({"@type": "VirtualLocation", "url": event.virtual_url})
    if event.virtual_url and len(places) == 2:
        mode = "MixedEventAttendanceMode"
    elif event.virtual_url:
        mode = "OnlineEventAttendanceMode"
    else:
        mode = "OfflineEventAttendanceMode"
    return places, mode


def event_jsonld(event: Event, context: dict, request: HttpRequest) -> dict:
    """The event as schema.org reads it: when, where, whether it takes place, and the seats
    (free, "sold out" once every seat is taken), from the same values the page prints."""
    page_url = absolute_url(event.get_absolute_url(), request)
    places, mode = event_location(event)
    seats_left = context["seats_left"]
    on_sale = event.registration_opens_at or event.created_at
    offer = {
        "@type": "Offer",
        "price": "0",
        "priceCurrency": "USD",
        "availability": SCHEMA + ("SoldOut" if seats_left == 0 else "InStock"),
        # The form while registration is open; the event's page otherwise.
        "url": absolute_url(context["register_url"], request)
        if context["registration"].open
        else page_url,
        "validFrom": timezone.localtime(on_sale).isoformat(),
    }
    if event.registration_closes_at:
        offer["validThrough"] = timezone.localtime(event.registration_closes_at).isoformat()
    data = {
        "@context": jsonld.CONTEXT,
        "@type": "Event",
        "name": event.title,
        "description": plain_text(event.description)
        or f"{event.get_kind_display()} on {context['day']}.",
        "url": page_url,
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": SCHEMA + EVENT_STATUS[event.status],
        "eventAttendanceMode": SCHEMA + mode,
        "organizer": jsonld.organizer(request),
        "isAccessibleForFree": True,
        "offers": offer,
    }
    if places:
        data["location"] = places[0] if len(places) == 1 else places
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = seats_left
    return data
