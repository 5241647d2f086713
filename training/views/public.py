"""The public training calendar: the list, the month grid and event pages.

All three are anonymous pages served through the page cache (@public_page). The lists and
grids show every event's seats ("calendar"); an event page shows its own ("event:<pk>"),
so training/signals.py re-renders only the pages a change shows on.

The month grid pages only between the first and the last month with a published event
(always including this month); other months are 404s with no link to them, so a crawler
following "previous" stops instead of walking back for ever.
"""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import pagecache
from core.markdown import render_markdown
from training import selectors
from training.filters import EventFilterForm, events_filtered
from training.ical import calendar_links, feed_links, map_url
from training.models import CECategory, Event

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
    return render(request, "training/public/event_detail.html", context)
