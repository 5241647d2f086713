"""iCalendar downloads and feeds, each parsed back with icalendar as a calendar program would."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.training.factories import CommitteeFactory, EventFactory, RegistrationFactory, in_days
from training.ical import event_ics, feed_ics
from training.models import Audience, EventKind, EventStatus
from training.services import event_touch

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def vevents(calendar: Calendar) -> list:
    return calendar.walk("VEVENT")


def only_vevent(calendar: Calendar):
    (vevent,) = vevents(calendar)
    return vevent


def titles(calendar: Calendar) -> set[str]:
    return {str(vevent["SUMMARY"]) for vevent in vevents(calendar)}


def download(client, event):
    return client.get(reverse("training:event_ics", kwargs={"pk": event.pk}))


def feed(client, **filters) -> Calendar:
    response = client.get(reverse("training:feed"), filters)
    assert response.status_code == 200
    return parse(response.content)


def chicago(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=CHICAGO)


# --- The calendar file -----------------------------------------------------------------


def test_event_file_is_a_published_calendar_with_one_event_and_chicago_timezone():
    event = EventFactory(title="Radio interoperability drill")

    content = event_ics(event)
    calendar = parse(content)

    assert str(calendar["PRODID"]) == "-//MARC//Safety Portal//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Radio interoperability drill"
    assert str(calendar["X-WR-TIMEZONE"]) == "America/Chicago"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert calendar.get_missing_tzids() == set()
    vevent = only_vevent(calendar)
    assert str(vevent["SUMMARY"]) == "Radio interoperability drill"
    assert str(vevent["UID"]) == f"{event.uid}@marc-safety-portal"
    assert vevent.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
    (stamp_line,) = [line for line in content.split(b"\r\n") if line.startswith(b"DTSTAMP")]
    assert stamp_line.endswith(b"Z")


@pytest.mark.parametrize("month,utc_hour", [(7, 14), (1, 15)])
def test_nine_oclock_stays_nine_oclock_local_in_summer_and_winter(client, month, utc_hour):
    year = timezone.localtime().year + 1
    event = EventFactory(
        starts_at=chicago(year, month, 15, 9), ends_at=chicago(year, month, 15, 11)
    )

    content = download(client, event).content
    calendar = parse(content)

    assert f"DTSTART;TZID=America/Chicago:{year}{month:02}15T090000\r\n".encode() in content
    assert f"DTEND;TZID=America/Chicago:{year}{month:02}15T110000\r\n".encode() in content
    vevent = only_vevent(calendar)
    assert vevent["DTSTART"].params["TZID"] == "America/Chicago"
    start = vevent.decoded("DTSTART")
    assert (start.hour, start.minute) == (9, 0)
    assert start == event.starts_at
    # The VTIMEZONE in the file alone (not the reader's tz database) gives the right offset.
    own_tz = calendar.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    wall_clock = start.replace(tzinfo=None).replace(tzinfo=own_tz)
    assert wall_clock.astimezone(dt.UTC).hour == utc_hour


def test_uid_is_stable_across_downloads_and_edits_while_sequence_rises(client):
    event = EventFactory(title="Shelter operations")
    first = only_vevent(parse(download(client, event).content))
    second = only_vevent(parse(download(client, event).content))

    event.title = "Shelter operations and logistics"
    event_touch(event=event, fields=["title"])
    edited = only_vevent(parse(download(client, event).content))

    assert str(first["UID"]) == str(second["UID"]) == str(edited["UID"])
    assert str(first["UID"]) == f"{event.uid}@marc-safety-portal"
    assert first.decoded("SEQUENCE") == second.decoded("SEQUENCE") == 0
    assert edited.decoded("SEQUENCE") == 1
    assert str(edited["SUMMARY"]) == "Shelter operations and logistics"
    assert edited.decoded("LAST-MODIFIED") >= first.decoded("LAST-MODIFIED")


@pytest.mark.parametrize(
    "status,ical_status,summary_prefix",
    [
        (EventStatus.SCHEDULED, "CONFIRMED", ""),
        (EventStatus.POSTPONED, "TENTATIVE", "Postponed: "),
        (EventStatus.CANCELLED, "CANCELLED", "Cancelled: "),
    ],
)
def test_event_status_is_sent_to_calendars(client, status, ical_status, summary_prefix):
    event = EventFactory(title="Mass-casualty tabletop", status=status)

    vevent = only_vevent(parse(download(client, event).content))

    assert str(vevent["STATUS"]) == ical_status
    assert str(vevent["SUMMARY"]) == f"{summary_prefix}Mass-casualty tabletop"


def test_cancelling_an_event_reaches_subscribers_as_cancelled_with_a_higher_sequence(client):
    event = EventFactory(title="Hazmat awareness")
    before = only_vevent(feed(client))

    event.status = EventStatus.CANCELLED
    event_touch(event=event, fields=["status"])
    after = only_vevent(feed(client))

    assert str(before["STATUS"]) == "CONFIRMED"
    assert str(after["STATUS"]) == "CANCELLED"
    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1


def test_event_details_are_plain_text_with_absolute_links():
    event = EventFactory(
        kind=EventKind.EXERCISE,
        venue_name="Lenexa Fire Station 1",
        address="9620 Pflumm Rd, Lenexa, KS",
        virtual_url="https://meet.example.org/drill",
        description="Bring your **radio** and read [the plan](/programs/plan/) first.\n\n"
        "- Sign in at 8:45\n- Lunch provided",
    )

    vevent = only_vevent(parse(event_ics(event)))

    description = str(vevent["DESCRIPTION"])
    assert "<" not in description and "**" not in description
    assert f"Bring your radio and read the plan ({settings.SITE_URL}/programs/plan/)" in (
        description
    )
    assert "- Sign in at 8:45\n- Lunch provided" in description
    assert "Join online: https://meet.example.org/drill" in description
    url = f"{settings.SITE_URL}/calendar/events/{event.pk}/{event.slug}/"
    assert str(vevent["URL"]) == url
    assert f"Details and registration: {url}" in description
    assert str(vevent["LOCATION"]) == "Lenexa Fire Station 1, 9620 Pflumm Rd, Lenexa, KS"
    assert vevent.categories == ["Exercise"]


def test_online_only_event_gives_its_link_as_location():
    event = EventFactory(venue_name="", address="", virtual_url="https://meet.example.org/x")

    vevent = only_vevent(parse(event_ics(event)))

    assert str(vevent["LOCATION"]) == "https://meet.example.org/x"


def test_raw_file_uses_crlf_and_folds_long_lines_at_75_octets():
    long_text = "Décontamination — " + "practice on the triage area and the staging zone. " * 12
    event = EventFactory(description=long_text.strip())

    content = event_ics(event)

    assert content.endswith(b"END:VCALENDAR\r\n")
    lines = content.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines), "the description should be folded"
    assert lines[-1] == b""
    assert str(only_vevent(parse(content))["DESCRIPTION"]).startswith(long_text.strip())


# --- The download view -----------------------------------------------------------------


def test_event_download_is_an_attachment_named_after_the_event(client):
    event = EventFactory(slug="regional-exercise")

    response = download(client, event)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="regional-exercise.ics"'
    assert "max-age=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert str(only_vevent(parse(response.content))["UID"]) == f"{event.uid}@marc-safety-portal"


def test_event_download_url_is_the_ics_path():
    event = EventFactory()

    assert reverse("training:event_ics", kwargs={"pk": event.pk}) == (
        f"/calendar/events/{event.pk}.ics"
    )
    assert reverse("training:feed") == "/calendar/feed.ics"


def test_unpublished_event_cannot_be_downloaded(client):
    event = EventFactory(published=False)

    assert download(client, event).status_code == 404


def test_download_of_unknown_event_is_not_found(client):
    assert client.get("/calendar/events/999999.ics").status_code == 404


def test_download_refuses_post(client):
    event = EventFactory()

    response = client.post(reverse("training:event_ics", kwargs={"pk": event.pk}))

    assert response.status_code == 405


# --- The feeds -------------------------------------------------------------------------


def test_feed_holds_upcoming_and_last_30_days_but_not_older_or_unpublished(client):
    EventFactory(title="Next week", starts_at=in_days(7))
    EventFactory(title="Last week", starts_at=in_days(-7))
    EventFactory(title="Two months ago", starts_at=in_days(-60))
    EventFactory(title="Draft", starts_at=in_days(7), published=False)
    EventFactory(title="Called off", starts_at=in_days(3), status=EventStatus.CANCELLED)

    calendar = feed(client)

    assert titles(calendar) == {"Next week", "Last week", "Cancelled: Called off"}
    assert str(calendar["X-WR-CALNAME"]) == "MARC training calendar"
    assert str(calendar["X-WR-TIMEZONE"]) == "America/Chicago"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert calendar.get_missing_tzids() == set()
    cancelled = next(v for v in vevents(calendar) if "Called off" in str(v["SUMMARY"]))
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_feed_response_is_a_cacheable_calendar(client):
    response = client.get(reverse("training:feed"))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "max-age=300" in response["Cache-Control"]
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert parse(response.content).walk("VTIMEZONE")


def test_feed_start_filter_reaches_further_back_than_30_days(client):
    EventFactory(title="Two months ago", starts_at=in_days(-60))
    EventFactory(title="Four months ago", starts_at=in_days(-120))
    start = (timezone.localdate() - dt.timedelta(days=90)).isoformat()

    assert titles(feed(client, start=start)) == {"Two months ago"}


def test_feed_end_filter_leaves_out_later_events(client):
    EventFactory(title="Soon", starts_at=in_days(5))
    EventFactory(title="Later", starts_at=in_days(50))
    end = (timezone.localdate() + dt.timedelta(days=20)).isoformat()

    assert titles(feed(client, end=end)) == {"Soon"}


def test_feed_kind_filter(client):
    EventFactory(title="Tabletop", kind=EventKind.EXERCISE)
    EventFactory(title="Class", kind=EventKind.TRAINING)

    calendar = feed(client, kind="exercise")

    assert titles(calendar) == {"Tabletop"}
    assert str(calendar["X-WR-CALNAME"]) == "MARC training calendar: Exercise"


def test_feed_audience_filter(client):
    EventFactory(title="For EMS and fire", audiences=[Audience.EMS, Audience.FIRE])
    EventFactory(title="For dispatch", audiences=[Audience.DISPATCH])

    assert titles(feed(client, audience="fire")) == {"For EMS and fire"}


def test_feed_host_filter(client):
    rhscc = CommitteeFactory(name="RHSCC", slug="rhscc")
    EventFactory(title="RHSCC meeting", host=rhscc)
    EventFactory(title="Other meeting", host=CommitteeFactory(slug="other"))

    calendar = feed(client, host="rhscc")

    assert titles(calendar) == {"RHSCC meeting"}
    assert str(calendar["X-WR-CALNAME"]) == "MARC training calendar: RHSCC"


def test_feed_seats_filter_leaves_out_full_and_cancelled_events(client):
    EventFactory(title="Open", capacity=2)
    EventFactory(title="No limit", capacity=None)
    full = EventFactory(title="Full", capacity=1)
    RegistrationFactory(event=full)
    EventFactory(title="Cancelled", status=EventStatus.CANCELLED)

    assert titles(feed(client, seats="on")) == {"Open", "No limit"}


def test_feed_ignores_a_filter_it_does_not_know(client):
    EventFactory(title="Tabletop", kind=EventKind.EXERCISE)

    assert titles(feed(client, kind="picnic", host="no-such-committee")) == {"Tabletop"}


def test_feed_with_no_events_is_still_a_valid_calendar(client):
    calendar = feed(client, kind="meeting")

    assert vevents(calendar) == []
    assert str(calendar["VERSION"]) == "2.0"


def test_feed_file_from_events_spanning_years_covers_each_year_with_the_timezone():
    this_year = timezone.localtime().year
    events = [
        EventFactory(starts_at=chicago(this_year + 1, 7, 1, 9)),
        EventFactory(starts_at=chicago(this_year + 3, 1, 10, 9)),
    ]

    calendar = parse(feed_ics(events, name="Test"))

    own_tz = calendar.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    for vevent in vevents(calendar):
        start = vevent.decoded("DTSTART")
        expected = start.utcoffset()
        assert start.replace(tzinfo=own_tz).utcoffset() == expected


def test_feed_query_count_does_not_grow_with_its_events(client):
    EventFactory()
    with CaptureQueriesContext(connection) as one:
        feed(client)
    EventFactory.create_batch(5)
    with CaptureQueriesContext(connection) as six:
        assert len(vevents(feed(client))) == 6

    assert len(six) == len(one)
