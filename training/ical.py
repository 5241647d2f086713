"""iCalendar (RFC 5545) files for events: one event's download and subscription feeds.

Every file carries a VTIMEZONE for the portal's time zone (America/Chicago) and gives
times with that TZID, so a 9:00 meeting stays at 9:00 on both sides of a DST change.
Each event keeps its UID for life and its SEQUENCE rises on every edit (event_touch), so
calendar programs update the copy they already have instead of adding a second one.
A cancelled registration gets `cancel_ics`: METHOD:CANCEL with the same UID and a higher
SEQUENCE, which is what makes a calendar program remove the event rather than keep it.

The "Add to calendar" links for Google Calendar and Outlook.com, the map link for a venue
and the subscribe links for a filtered calendar are built here too, next to the files
they stand in for.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Timezone
from icalendar import Event as VEvent

from core.markdown import render_markdown
from core.urls import absolute_url
from training.models import Event, EventStatus

PRODID = "-//MARC//Safety Portal//EN"
UID_DOMAIN = "marc-safety-portal"

ICAL_STATUS = {
    EventStatus.SCHEDULED: "CONFIRMED",
    EventStatus.POSTPONED: "TENTATIVE",
    EventStatus.CANCELLED: "CANCELLED",
}
# Many calendar programs show a cancelled or tentative event just like any other, so the
# title says it too.
SUMMARY_PREFIX = {
    EventStatus.POSTPONED: "Postponed: ",
    EventStatus.CANCELLED: "Cancelled: ",
}
STATUS_NOTE = {
    EventStatus.POSTPONED: "This event is postponed. A new date will be announced.",
    EventStatus.CANCELLED: "This event is cancelled.",
}
# Downloads and invitations remind the person a day ahead (calendar programs let them
# change it); a feed carries no reminder, since its subscriber did not pick each event.
REMINDER_BEFORE = dt.timedelta(days=1)
GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR_URL = "https://outlook.live.com/calendar/0/deeplink/compose"
MAP_URL = "https://www.google.com/maps/search/"


def event_ics(event: Event) -> bytes:
    """One event as a calendar file, for the download link and email attachments."""
    calendar = _calendar(name=event.title, events=[event])
    if event.status != EventStatus.CANCELLED:
        for vevent in calendar.walk("VEVENT"):
            vevent.add_component(_reminder(event))
    return calendar.to_ical()


def cancel_ics(event: Event) -> bytes:
    """The file that takes an event out of a person's calendar: METHOD:CANCEL, the UID of
    the copy they have, a SEQUENCE above it and STATUS:CANCELLED."""
    calendar = _calendar(name=event.title, events=[event], method="CANCEL")
    for vevent in calendar.walk("VEVENT"):
        vevent["sequence"] = event.sequence + 1
        vevent["status"] = "CANCELLED"
        vevent["transp"] = "TRANSPARENT"
    return calendar.to_ical()


def feed_ics(events: Iterable[Event], *, name: str) -> bytes:
    """A subscription feed; cancelled events in it stay, marked STATUS:CANCELLED."""
    events = list(events)
    calendar = _calendar(name=name, events=events)
    # RFC 7986 and its older Microsoft spelling: how often subscribers should refresh.
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar.to_ical()


def event_uid(event: Event) -> str:
    return f"{event.uid}@{UID_DOMAIN}"


def event_url(event: Event) -> str:
    """The event's public page as an absolute URL."""
    return absolute_url(event.get_absolute_url())


def _reminder(event: Event) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Tomorrow: {event.title}")
    alarm.add("trigger", -REMINDER_BEFORE)
    return alarm


def google_calendar_url(event: Event) -> str:
    """Google Calendar's "add event" page, filled in; times in UTC ("Z")."""
    dates = f"{_utc_stamp(event.starts_at)}/{_utc_stamp(event.ends_at)}"
    query = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": dates,
        "details": _description(event),
        "location": _location(event),
    }
    return f"{GOOGLE_CALENDAR_URL}?{urlencode(query)}"


def outlook_calendar_url(event: Event) -> str:
    """Outlook.com's "new event" page, filled in; times in ISO 8601 with their offset."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": event.starts_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "enddt": event.ends_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "body": _description(event),
        "location": _location(event),
    }
    return f"{OUTLOOK_CALENDAR_URL}?{urlencode(query)}"


def calendar_links(event: Event, request: HttpRequest | None = None) -> dict[str, str]:
    """The three ways to add an event to a calendar, as absolute links (for emails too)."""
    return {
        "ics": absolute_url(reverse("training:event_ics", args=[event.pk]), request),
        "google": google_calendar_url(event),
        "outlook": outlook_calendar_url(event),
    }


def map_url(address: str) -> str:
    """A map of an address, which also offers directions; "" when there is no address."""
    if not address.strip():
        return ""
    return f"{MAP_URL}?{urlencode({'api': '1', 'query': ' '.join(address.split())})}"


def feed_links(filters: str, request: HttpRequest | None = None) -> dict[str, str]:
    """The feed of a calendar view, with the same filters (its query string): the address
    to paste into a calendar program and the webcal:// one that opens it in one."""
    path = reverse("training:feed") + (f"?{filters}" if filters else "")
    url = absolute_url(path, request)
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _calendar(*, name: str, events: list[Event], method: str = "PUBLISH") -> Calendar:
    tz = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", tz.key)
    calendar.add_component(_vtimezone(tz.key, *_year_span(events, tz)))
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for event in events:
        calendar.add_component(_vevent(event, tz=tz, stamp=stamp))
    return calendar


def _year_span(events: list[Event], tz: ZoneInfo) -> tuple[int, int]:
    """The first and the last year the events touch (this year if there are none)."""
    if not events:
        year = timezone.localtime(timezone=tz).year
        return year, year
    first = min(e.starts_at for e in events).astimezone(tz).year
    last = max(e.ends_at for e in events).astimezone(tz).year
    return first, last


@functools.lru_cache(maxsize=32)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE from January 1 of first_year to the end of the year after last_year.

    icalendar lists the transitions of those years (as RDATEs) from the tz database.
    Cached because that search takes milliseconds; the component is only read after this.
    """
    return Timezone.from_tzinfo(
        ZoneInfo(tzid),
        tzid=tzid,
        first_date=dt.date(first_year, 1, 1),
        last_date=dt.date(last_year + 2, 1, 1),
    )


def _vevent(event: Event, *, tz: ZoneInfo, stamp: dt.datetime) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", event.sequence)
    vevent.add("last-modified", event.updated_at.astimezone(dt.UTC).replace(microsecond=0))
    vevent.add("created", event.created_at.astimezone(dt.UTC).replace(microsecond=0))
    vevent.add("dtstart", event.starts_at.astimezone(tz))
    vevent.add("dtend", event.ends_at.astimezone(tz))
    vevent.add("summary", SUMMARY_PREFIX.get(event.status, "") + event.title)
    vevent.add("description", _description(event))
    location = _location(event)
    if location:
        vevent.add("location", location)
    vevent.add("url", event_url(event))
    vevent.add("status", ICAL_STATUS[event.status])
    vevent.add("categories", [event.get_kind_display()])
    vevent.add("class", "PUBLIC")
    vevent.add("transp", "TRANSPARENT" if event.status == EventStatus.CANCELLED else "OPAQUE")
    return vevent


def _location(event: Event) -> str:
    place = ", ".join(part for part in (event.venue_name, event.address) if part)
    return place or event.virtual_url


def _description(event: Event) -> str:
    parts = []
    if event.status in STATUS_NOTE:
        parts.append(STATUS_NOTE[event.status])
    text = markdown_to_text(event.description)
    if text:
        parts.append(text)
    if event.virtual_url:
        parts.append(f"Join online: {event.virtual_url}")
    parts.append(f"Details and registration: {event_url(event)}")
    return "\n\n".join(parts)


def markdown_to_text(markdown: str) -> str:
    """A Markdown body as plain text: paragraphs, "- " list items, links as "text (url)"."""
    if not (markdown or "").strip():
        return ""
    parser = _TextParser()
    parser.feed(str(render_markdown(markdown)))
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[tuple[str | None, int]] = []
        self.ordered: list[int | None] = []
        self.first_cell = True
        self.in_pre = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        if tag == "pre":
            self.in_pre = True
        elif tag in ("ol", "ul"):
            if not self.ordered:  # a nested list follows its item's line directly
                self.out.append("\n\n")
            self.ordered.append(0 if tag == "ol" else None)
        elif tag == "li":
            number = self.ordered[-1] if self.ordered else None
            if number is None:
                bullet = "- "
            else:
                self.ordered[-1] = number + 1
                bullet = f"{number + 1}. "
            self.out.append("\n" + "  " * max(len(self.ordered) - 1, 0) + bullet)
        elif tag == "br":
            self.out.append("\n")
        elif tag == "tr":
            self.out.append("\n")
            self.first_cell = True
        elif tag in ("td", "th"):
            if not self.first_cell:
                self.out.append(" | ")
            self.first_cell = False
        elif tag == "img":
            self.out.append(attributes.get("alt") or "")
        elif tag == "a":
            self.links.append((attributes.get("href"), len(self.out)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        if tag == "pre":
            self.in_pre = False
        elif tag in ("ol", "ul") and self.ordered:
            self.ordered.pop()
            if not self.ordered:
                self.out.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.out[start:]).strip()
            if href and href.startswith("/"):
                href = absolute_url(href)
            if href and href != label and href != f"mailto:{label}":
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        # The line breaks between block tags are layout, not text; the tags place ours.
        if self.in_pre or data.strip() or "\n" not in data:
            self.out.append(data)

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.out).splitlines()]
        paragraphs, blank = [], False
        for line in lines:
            if line.strip():
                paragraphs.append(line)
                blank = False
            elif not blank and paragraphs:
                paragraphs.append("")
                blank = True
        return "\n".join(paragraphs).strip()
