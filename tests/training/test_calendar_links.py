"""Issue 14: "Add to calendar", subscribing, the cancellation file, maps, month bounds and
the folded filters of the public training calendar."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from core.models import OutboxEmail
from core.outbox import email_message
from tests.training.factories import EventFactory, RegistrationFactory
from training.coordination import event_cancel
from training.emails import registration_email_queue
from training.ical import cancel_ics, event_ics, google_calendar_url, map_url, outlook_calendar_url
from training.links import registered_token
from training.models import EventKind, EventStatus, RegistrationStatus

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def chicago(year, month, day, hour=9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=CHICAGO)


def _vevent(ics: bytes):
    calendar = Calendar.from_ical(ics)
    return calendar, next(iter(calendar.walk("VEVENT")))


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


# --- Calendar files -------------------------------------------------------------------------


def test_download_reminds_a_day_before_and_a_cancelled_event_does_not():
    event = EventFactory()
    _, vevent = _vevent(event_ics(event))
    alarms = vevent.walk("VALARM")
    assert len(alarms) == 1
    assert alarms[0]["action"] == "DISPLAY"
    assert alarms[0].decoded("trigger") == -dt.timedelta(days=1)

    cancelled = EventFactory(status=EventStatus.CANCELLED)
    _, vevent = _vevent(event_ics(cancelled))
    assert vevent.walk("VALARM") == []


def test_cancel_file_removes_the_same_event_with_a_higher_sequence():
    event = EventFactory(sequence=3)
    _, invitation = _vevent(event_ics(event))
    calendar, cancel = _vevent(cancel_ics(event))
    assert calendar["method"] == "CANCEL"
    assert str(cancel["uid"]) == str(invitation["uid"])
    assert cancel["sequence"] == 4 > invitation["sequence"]
    assert cancel["status"] == "CANCELLED"


def test_cancelled_registration_email_carries_the_cancel_file():
    registration = RegistrationFactory(status=RegistrationStatus.CANCELLED)
    assert registration_email_queue(registration=registration, kind="cancelled")
    row = OutboxEmail.objects.get(key=f"registration:{registration.pk}:cancelled")
    message = email_message(row)
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar, vevent = _vevent(content.encode() if isinstance(content, str) else content)
    assert calendar["method"] == "CANCEL" and vevent["status"] == "CANCELLED"
    assert "takes it out of your calendar" in message.body


def test_confirmation_email_has_google_and_outlook_links_and_a_map():
    registration = RegistrationFactory()
    registration_email_queue(registration=registration, kind="confirmation")
    message = email_message(OutboxEmail.objects.get(key__endswith=":confirmation"))
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in text
        assert "https://outlook.live.com/calendar/0/deeplink/compose?" in text
        assert "https://www.google.com/maps/search/?api=1" in text
    assert len(message.attachments) == 1


# --- Google Calendar, Outlook.com and map links ---------------------------------------------


def test_google_calendar_link_is_filled_in_with_utc_times():
    event = EventFactory(
        title="Radio drill", starts_at=chicago(2026, 7, 1, 9), ends_at=chicago(2026, 7, 1, 11)
    )
    query = _query(google_calendar_url(event))
    assert query["action"] == "TEMPLATE"
    assert query["text"] == "Radio drill"
    assert query["dates"] == "20260701T140000Z/20260701T160000Z"
    assert (
        query["location"] == "MARC conference room, 600 Broadway, Suite 200, Kansas City, MO 64105"
    )
    assert event.get_absolute_url() in query["details"]


def test_outlook_link_is_filled_in():
    event = EventFactory(
        title="Radio drill", starts_at=chicago(2026, 1, 5, 9), ends_at=chicago(2026, 1, 5, 10)
    )
    url = outlook_calendar_url(event)
    assert url.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    query = _query(url)
    assert query["subject"] == "Radio drill"
    assert query["startdt"] == "2026-01-05T15:00:00+00:00"
    assert query["enddt"] == "2026-01-05T16:00:00+00:00"
    assert query["location"].startswith("MARC conference room")


def test_map_link_searches_the_address():
    url = map_url("600 Broadway,\n Kansas City")
    assert url.startswith("https://www.google.com/maps/search/?")
    assert _query(url) == {"api": "1", "query": "600 Broadway, Kansas City"}
    assert map_url("") == ""


# --- Pages ----------------------------------------------------------------------------------


def test_event_page_puts_registration_first_with_calendar_and_map_links(client):
    event = EventFactory(capacity=20)
    html = client.get(event.get_absolute_url()).content.decode()
    register = html.index('id="register-heading"')
    assert register < html.index("<dt>Date</dt>")
    assert "20 seats left" in html[register:]
    assert f'href="/calendar/events/{event.pk}/register/"' in html
    assert "https://calendar.google.com/calendar/render?" in html
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in html
    assert f"/calendar/events/{event.pk}.ics" in html
    assert "https://www.google.com/maps/search/?api=1&amp;query=600+Broadway" in html
    assert ">Map and directions<" in html


def test_confirmation_page_offers_add_to_calendar(client):
    registration = RegistrationFactory()
    html = client.get(f"/calendar/registered/{registered_token(registration)}/").content.decode()
    assert "Add to your calendar" in html
    assert "https://calendar.google.com/calendar/render?" in html


def test_list_offers_a_subscription_with_its_filters_and_the_feed_honours_them(client):
    EventFactory(title="Spring drill", kind=EventKind.EXERCISE)
    EventFactory(title="Spring course", kind=EventKind.TRAINING)
    html = client.get("/calendar/", {"kind": "exercise"}).content.decode()
    assert "webcal://" in html and "/calendar/feed.ics?kind=exercise" in html

    feed = client.get("/calendar/feed.ics", {"kind": "exercise"}).content.decode()
    assert "Spring drill" in feed and "Spring course" not in feed


def test_filters_are_folded_until_some_are_set(client):
    html = client.get("/calendar/").content.decode()
    assert '<details class="calendar-filters-toggle mb-3">' in html
    assert "<summary" in html and ">Filter events" in html
    html = client.get("/calendar/", {"kind": "exercise"}).content.decode()
    assert '<details class="calendar-filters-toggle mb-3" open>' in html


# --- Month bounds ---------------------------------------------------------------------------


@time_machine.travel(chicago(2026, 6, 15), tick=False)
def test_month_grid_pages_only_through_months_with_events(client):
    EventFactory(starts_at=chicago(2026, 3, 10))
    EventFactory(starts_at=chicago(2026, 9, 10))

    first = client.get("/calendar/month/2026/3/").content.decode()
    assert 'rel="prev"' not in first and 'href="/calendar/month/2026/4/"' in first
    last = client.get("/calendar/month/2026/9/").content.decode()
    assert 'rel="next"' not in last and 'href="/calendar/month/2026/8/"' in last

    assert client.get("/calendar/month/2026/2/").status_code == 404
    assert client.get("/calendar/month/2026/10/").status_code == 404
    assert client.get("/calendar/month/1/1/").status_code == 404


@time_machine.travel(chicago(2026, 6, 15), tick=False)
def test_month_grid_without_events_shows_only_this_month(client):
    html = client.get("/calendar/month/2026/6/").content.decode()
    assert 'rel="prev"' not in html and 'rel="next"' not in html
    assert client.get("/calendar/month/2026/5/").status_code == 404


def test_cancelling_an_event_sends_each_registrant_the_cancel_file():
    registration = RegistrationFactory()
    _, invitation = _vevent(event_ics(registration.event))
    event_cancel(event_id=registration.event_id)
    message = email_message(OutboxEmail.objects.get(to=registration.email))
    [(_, content, _)] = message.attachments
    calendar, vevent = _vevent(content.encode() if isinstance(content, str) else content)
    assert calendar["method"] == "CANCEL" and vevent["status"] == "CANCELLED"
    assert str(vevent["uid"]) == str(invitation["uid"])
    assert vevent["sequence"] > invitation["sequence"]
