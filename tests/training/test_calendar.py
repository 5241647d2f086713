"""The public training calendar: list, month grid, event pages, site search, home page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.urls import resolve
from django.utils import timezone

from programs.models import Status
from tests.programs.factories import AreaFactory
from tests.training.factories import (
    CommitteeFactory,
    EventFactory,
    RegistrationFactory,
    in_days,
)
from training.models import EventDocument, EventKind, EventStatus, RegistrationStatus

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def chicago(year, month, day, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def _get(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return response, response.content.decode()


def _listed_titles(client, params=None) -> list[str]:
    response, _ = _get(client, "/calendar/", params)
    return [entry.event.title for day in response.context["days"] for entry in day.entries]


def _day_cell(html: str, date: str) -> str:
    match = re.search(rf'<td id="day-{date}"[^>]*>(.*?)</td>', html, re.S)
    assert match, f"no cell for {date}"
    return match.group(1)


def _seat_holders(event, count, status=RegistrationStatus.CONFIRMED):
    for n in range(count):
        RegistrationFactory(
            event=event,
            status=status,
            waitlist_position=n + 1 if status == RegistrationStatus.WAITLISTED else None,
        )


# --- The list -----------------------------------------------------------------------------


def test_list_shows_upcoming_events_grouped_by_day_with_their_details(client):
    host = CommitteeFactory(name="Public Safety Communications Board", slug="pscb")
    start = in_days(3, hour=9)
    EventFactory(
        title="Radio interoperability drill",
        kind=EventKind.EXERCISE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue_name="Fire Station 7",
        host=host,
        audiences=["fire", "ems"],
    )
    EventFactory(
        title="Board meeting",
        kind=EventKind.MEETING,
        starts_at=start.replace(hour=13),
        ends_at=start.replace(hour=14, minute=30),
        venue_name="",
        address="",
        virtual_url="https://meet.example.org/board",
    )
    EventFactory(title="Last month's course", starts_at=in_days(-30), ends_at=in_days(-30, 11))
    EventFactory(title="Unpublished course", published=False)

    response, html = _get(client, "/calendar/")

    days = response.context["days"]
    assert [day.date for day in days] == [start.date()]
    assert [e.event.title for e in days[0].entries] == [
        "Radio interoperability drill",
        "Board meeting",
    ]
    assert f"{start:%A, %B %-d, %Y}" in html
    assert "Exercise" in html and "Meeting" in html
    tz = start.tzname()
    assert f"9:00 AM – 11:00 AM {tz}" in html
    assert f"1:00 PM – 2:30 PM {tz}" in html
    assert "Fire Station 7" in html and "<dd>Online</dd>" in html
    assert "Public Safety Communications Board" in html
    assert "Fire, EMS" in html
    assert "Last month&#x27;s course" not in html and "Unpublished course" not in html


@pytest.fixture
def filter_events():
    area = AreaFactory(slug="regional-911")
    drill = EventFactory(
        title="Radio drill",
        kind=EventKind.EXERCISE,
        audiences=["fire"],
        program_area=area,
        host=CommitteeFactory(slug="rhscc"),
        starts_at=in_days(5),
        ends_at=in_days(5, 11),
        capacity=1,
    )
    _seat_holders(drill, 1)  # full
    EventFactory(
        title="EMS course",
        kind=EventKind.TRAINING,
        audiences=["ems"],
        host=CommitteeFactory(slug="memc"),
        starts_at=in_days(40),
        ends_at=in_days(40, 11),
        capacity=None,
    )
    EventFactory(
        title="Board meeting",
        kind=EventKind.MEETING,
        audiences=["em"],
        host=CommitteeFactory(slug="pscb"),
        starts_at=in_days(20),
        ends_at=in_days(20, 11),
        capacity=10,
    )


@pytest.mark.parametrize(
    "params,expected",
    [
        ({}, ["Radio drill", "Board meeting", "EMS course"]),
        ({"kind": "exercise"}, ["Radio drill"]),
        ({"audience": "ems"}, ["EMS course"]),
        ({"area": "regional-911"}, ["Radio drill"]),
        ({"host": "pscb"}, ["Board meeting"]),
        ({"seats": "on"}, ["Board meeting", "EMS course"]),
        ("dates", ["Board meeting"]),
    ],
)
def test_each_filter_narrows_the_list(client, filter_events, params, expected):
    if params == "dates":
        params = {"start": in_days(15).date().isoformat(), "end": in_days(25).date().isoformat()}
    assert _listed_titles(client, params) == expected


def test_filter_form_shows_the_chosen_values_and_date_errors(client, filter_events):
    _, html = _get(client, "/calendar/", {"kind": "exercise"})
    assert '<option value="exercise" selected>' in html
    assert "Clear filters" in html
    response, html = _get(client, "/calendar/", {"start": "2030-05-10", "end": "2030-05-01"})
    assert "The end date is before the start date." in html


def test_filters_are_kept_in_pagination_links(client):
    for n in range(25):
        EventFactory(title=f"Exercise {n:02}", kind=EventKind.EXERCISE, starts_at=in_days(2 + n))
    EventFactory.create_batch(3, kind=EventKind.TRAINING)

    response, html = _get(client, "/calendar/", {"kind": "exercise"})
    assert response.context["page"].paginator.count == 25
    assert len(response.context["page"].object_list) == 20
    assert 'href="?kind=exercise&amp;page=2"' in html

    second = _listed_titles(client, {"kind": "exercise", "page": 2})
    assert second == [f"Exercise {n:02}" for n in range(20, 25)]


def test_month_view_link_keeps_the_filters(client):
    today = timezone.localdate()
    _, html = _get(client, "/calendar/", {"kind": "meeting", "audience": "em"})
    assert (
        f'href="/calendar/month/{today.year}/{today.month}/?kind=meeting&amp;audience=em"' in html
    )


def test_month_view_link_opens_the_month_of_the_start_date(client):
    _, html = _get(client, "/calendar/", {"kind": "meeting", "start": "2030-07-10"})
    assert 'href="/calendar/month/2030/7/?kind=meeting"' in html


def test_cancelled_and_postponed_events_are_labelled(client):
    EventFactory(title="Cancelled course", status=EventStatus.CANCELLED, starts_at=in_days(3))
    EventFactory(title="Postponed course", status=EventStatus.POSTPONED, starts_at=in_days(4))
    response, html = _get(client, "/calendar/")
    labels = {
        e.event.title: e.availability.label for d in response.context["days"] for e in d.entries
    }
    assert labels == {"Cancelled course": "Cancelled", "Postponed course": "Postponed"}
    assert 'event-availability-cancelled">Cancelled<' in html
    assert 'event-availability-postponed">Postponed<' in html


def test_seats_left_count_only_registrations_that_hold_a_seat(client):
    open_event = EventFactory(title="Open course", capacity=3, starts_at=in_days(3))
    _seat_holders(open_event, 1)
    _seat_holders(open_event, 1, RegistrationStatus.WAITLISTED)
    _seat_holders(open_event, 2, RegistrationStatus.CANCELLED)
    last_seat = EventFactory(title="Almost full", capacity=2, starts_at=in_days(4))
    _seat_holders(last_seat, 1, RegistrationStatus.CONFIRMED)
    full = EventFactory(title="Full course", capacity=2, starts_at=in_days(5))
    _seat_holders(full, 2)
    EventFactory(title="Unlimited", capacity=None, starts_at=in_days(6))

    _, html = _get(client, "/calendar/")
    assert ">2 seats left<" in html
    assert ">1 seat left<" in html
    assert ">Full – waitlist open<" in html
    assert ">No seat limit<" in html


def test_empty_calendar_and_filters_without_matches_say_so(client):
    _, html = _get(client, "/calendar/")
    assert "No trainings, exercises or meetings are scheduled right now." in html
    EventFactory(kind=EventKind.TRAINING)
    _, html = _get(client, "/calendar/", {"kind": "meeting"})
    assert "No events match these filters." in html
    assert 'href="/calendar/">Show all upcoming events' in html


@pytest.mark.parametrize(
    "day,start_utc_hour,tz",
    [((2026, 3, 9), 14, "CDT"), ((2026, 11, 2), 15, "CST")],
    ids=["after-spring-forward", "after-fall-back"],
)
def test_list_shows_local_time_on_the_local_day_across_dst(client, day, start_utc_hour, tz):
    year, month, date = day
    event = EventFactory(
        title="Morning course",
        starts_at=chicago(year, month, date, 9),
        ends_at=chicago(year, month, date, 11),
    )
    late = EventFactory(
        title="Late briefing",  # the next day in UTC, still the day before in Kansas City
        starts_at=chicago(year, month, date - 1, 23, 30),
        ends_at=chicago(year, month, date - 1, 23, 55),
    )
    assert event.starts_at.astimezone(dt.UTC).hour == start_utc_hour
    assert late.starts_at.astimezone(dt.UTC).date() == dt.date(year, month, date)

    params = {"start": f"{year}-{month:02}-01", "end": f"{year}-{month:02}-28"}
    response, html = _get(client, "/calendar/", params)

    days = {d.date: [e.event.title for e in d.entries] for d in response.context["days"]}
    assert days == {
        dt.date(year, month, date - 1): ["Late briefing"],
        dt.date(year, month, date): ["Morning course"],
    }
    heading = f"{dt.date(year, month, date):%A, %B %-d, %Y}"
    assert heading.startswith("Monday")
    section = html.split(heading, 1)[1]
    assert f"9:00 AM – 11:00 AM {tz}" in section.split("</section>", 1)[0]


# --- The month grid -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "year,month,date,tz_day_before",
    [(2026, 3, 9, 8), (2026, 11, 2, 1)],
    ids=["after-spring-forward", "after-fall-back"],
)
def test_month_grid_places_events_on_their_local_days_across_dst(
    client, year, month, date, tz_day_before
):
    EventFactory(
        title="Morning course",
        starts_at=chicago(year, month, date, 9),
        ends_at=chicago(year, month, date, 11),
    )
    EventFactory(
        title="Late briefing",
        starts_at=chicago(year, month, tz_day_before, 23, 30),
        ends_at=chicago(year, month, tz_day_before, 23, 55),
    )
    _, html = _get(client, f"/calendar/month/{year}/{month}/")

    cell = _day_cell(html, f"{year}-{month:02}-{date:02}")
    assert "9:00 AM" in cell and "Morning course" in cell and "Late briefing" not in cell
    before = _day_cell(html, f"{year}-{month:02}-{tz_day_before:02}")
    assert "11:30 PM" in before and "Late briefing" in before
    after = _day_cell(html, f"{year}-{month:02}-{date + 1:02}")
    assert "Morning course" not in after and "Late briefing" not in after


def test_month_grid_is_an_accessible_table(client):
    event = EventFactory(title="Spring exercise", starts_at=chicago(2026, 3, 18, 10))
    response, html = _get(client, "/calendar/month/2026/3/")
    assert "<caption>March 2026</caption>" in html
    assert html.count('<th scope="col">') == 7
    assert '<abbr title="Sunday">Sun</abbr>' in html
    assert f'href="{event.get_absolute_url()}"' in _day_cell(html, "2026-03-18")
    assert "Wednesday, March 18, 2026" in _day_cell(html, "2026-03-18")
    # March 2026 starts on a Sunday and ends on a Tuesday: April 1–4 fill the last week.
    weeks = response.context["grid"].weeks
    assert len(weeks) == 5 and all(len(week) == 7 for week in weeks)
    assert html.count("month-day-outside") == 4
    assert 'id="day-2026-04-01"' not in html


def test_month_grid_lists_a_multi_day_event_on_each_day(client):
    EventFactory(
        title="Two-day exercise",
        starts_at=chicago(2026, 4, 30, 8),
        ends_at=chicago(2026, 5, 1, 17),
    )
    _, april = _get(client, "/calendar/month/2026/4/")
    assert "Two-day exercise" in _day_cell(april, "2026-04-30")
    _, may = _get(client, "/calendar/month/2026/5/")
    assert "Two-day exercise" in _day_cell(may, "2026-05-01")
    assert "Two-day exercise" not in _day_cell(may, "2026-05-02")


def test_month_grid_filters_and_keeps_them_in_its_links(client):
    EventFactory(title="February course", starts_at=chicago(2026, 2, 5))
    EventFactory(title="April course", starts_at=chicago(2026, 4, 5))
    EventFactory(title="Drill", kind=EventKind.EXERCISE, starts_at=chicago(2026, 3, 5))
    EventFactory(title="Course", kind=EventKind.TRAINING, starts_at=chicago(2026, 3, 6))
    _, html = _get(client, "/calendar/month/2026/3/", {"kind": "exercise"})
    assert "Drill" in html and "Course" not in _day_cell(html, "2026-03-06")
    assert 'href="/calendar/month/2026/2/?kind=exercise"' in html
    assert 'href="/calendar/month/2026/4/?kind=exercise"' in html
    assert 'href="/calendar/?kind=exercise"' in html


def test_month_grid_ignores_date_range_filters(client):
    EventFactory(title="Early March drill", starts_at=chicago(2026, 3, 5))
    _, html = _get(client, "/calendar/month/2026/3/", {"start": "2026-03-20", "end": "2026-03-25"})
    assert "Early March drill" in _day_cell(html, "2026-03-05")
    assert "start=" not in html


def test_month_grid_links_across_the_year(client):
    EventFactory(starts_at=chicago(2026, 11, 5))
    EventFactory(starts_at=chicago(2027, 1, 5))
    _, html = _get(client, "/calendar/month/2026/12/")
    assert 'href="/calendar/month/2026/11/"' in html
    assert 'href="/calendar/month/2027/1/"' in html


def test_month_without_a_date_goes_to_the_current_month_with_the_filters(client):
    today = timezone.localdate()
    response = client.get("/calendar/month/", {"kind": "exercise"})
    assert response.status_code == 302
    assert response["Location"] == f"/calendar/month/{today.year}/{today.month}/?kind=exercise"


@pytest.mark.parametrize("url", ["/calendar/month/2026/13/", "/calendar/month/2026/0/"])
def test_impossible_months_are_not_found(client, url):
    assert client.get(url).status_code == 404


# --- The event page -----------------------------------------------------------------------


def test_event_page_shows_everything_a_registrant_needs(client):
    area = AreaFactory(title="Regional 911", slug="regional-911")
    start = in_days(10, hour=9)
    event = EventFactory(
        title="Crisis intervention for telecommunicators",
        kind=EventKind.TRAINING,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=120),
        venue_name="MARC conference center",
        address="600 Broadway, Kansas City, MO 64105",
        virtual_url="https://meet.example.org/cit",
        host=CommitteeFactory(name="Public Safety Communications Board"),
        program_area=area,
        audiences=["dispatch", "law"],
        ce_category="interpersonal",
        capacity=24,
        registration_closes_at=in_days(8, hour=17),
        description="Calming callers in **crisis**.\n\n<script>alert(1)</script>",
    )
    _seat_holders(event, 4)
    EventDocument.objects.create(
        event=event, title="Course agenda", kind="agenda", file=ContentFile(b"%PDF", "a.pdf")
    )

    _, html = _get(client, event.get_absolute_url())

    assert "<h1>Crisis intervention for telecommunicators</h1>" in html
    assert f"{start:%A, %B %-d, %Y}" in html
    assert f"9:00 AM – 11:00 AM {start.tzname()}" in html
    assert "America/Chicago" in html
    assert "MARC conference center" in html and "600 Broadway, Kansas City, MO 64105" in html
    assert 'href="https://meet.example.org/cit"' in html
    assert "Public Safety Communications Board" in html
    assert f'<a href="{area.get_absolute_url()}">Regional 911</a>' in html
    assert "Dispatch / 911, Law enforcement" in html
    assert "Interpersonal: 2 credit hours" in html
    assert "24 seats" in html and "20 left" in html
    closes = timezone.localtime(event.registration_closes_at)
    assert f"Registration is open until {closes:%B %-d, %Y} at 5:00 PM" in html
    assert "<strong>crisis</strong>" in html and "<script>alert(1)" not in html
    assert "Course agenda" in html and "(Agenda)" in html
    assert f'href="/calendar/events/{event.pk}/register/">Register</a>' in html
    assert f'/calendar/events/{event.pk}.ics">Apple, Outlook and others (.ics file)</a>' in html


@pytest.mark.parametrize(
    "minutes,label",
    [(49, "0 credit hours"), (50, "1 credit hour"), (90, "1 credit hour"), (240, "4 credit hours")],
)
def test_event_page_shows_missouri_credit_hours(client, minutes, label):
    start = in_days(10)
    event = EventFactory(
        ce_category="technical", starts_at=start, ends_at=start + dt.timedelta(minutes=minutes)
    )
    _, html = _get(client, event.get_absolute_url())
    assert f"Technical: {label}" in html


def test_event_without_ce_category_says_it_earns_no_credit(client):
    event = EventFactory(ce_category="")
    _, html = _get(client, event.get_absolute_url())
    assert "No continuing-education credit" in html and "credit hour" not in html


@pytest.mark.parametrize(
    "status,banner",
    [
        (EventStatus.CANCELLED, "<strong>Cancelled.</strong>"),
        (EventStatus.POSTPONED, "<strong>Postponed.</strong>"),
    ],
)
def test_cancelled_or_postponed_event_page_has_a_banner_and_no_register_button(
    client, status, banner
):
    event = EventFactory(status=status)
    _, html = _get(client, event.get_absolute_url())
    assert banner in html
    assert "/register/" not in html


def test_full_event_offers_the_waitlist(client):
    event = EventFactory(capacity=2)
    _seat_holders(event, 2)
    _, html = _get(client, event.get_absolute_url())
    assert "full – waitlist open" in html
    assert f'href="/calendar/events/{event.pk}/register/">Join the waitlist</a>' in html


def test_registration_not_yet_open_says_when_it_opens(client):
    event = EventFactory(registration_opens_at=in_days(3, hour=8))
    _, html = _get(client, event.get_absolute_url())
    assert "Registration opens on" in html
    assert "/register/" not in html


def test_draft_program_area_is_not_linked_from_an_event(client):
    area = AreaFactory(title="Secret area", status=Status.DRAFT)
    event = EventFactory(program_area=area)
    _, html = _get(client, event.get_absolute_url())
    assert "Secret area" not in html


def test_wrong_slug_redirects_to_the_event_page(client):
    event = EventFactory(slug="right-slug")
    response = client.get(f"/calendar/events/{event.pk}/wrong-slug/")
    assert response.status_code == 301
    assert response["Location"] == f"/calendar/events/{event.pk}/right-slug/"


def test_the_registration_form_url_is_not_taken_for_a_slug():
    event = EventFactory(slug="register-now")
    assert resolve(f"/calendar/events/{event.pk}/register/").view_name == "training:register"
    assert resolve(event.get_absolute_url()).view_name == "training:event"


def test_unpublished_or_missing_event_is_not_found(client):
    event = EventFactory(published=False)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get("/calendar/events/999999/nothing/").status_code == 404


# --- Caching, site search, home page, navigation -----------------------------------------


def test_registrations_update_the_seats_on_cached_pages(client):
    event = EventFactory(capacity=5)
    assert "5 seats left" in _get(client, "/calendar/")[1]
    assert _get(client, "/calendar/")[0]["X-Page-Cache"] == "hit"
    _seat_holders(event, 2)
    assert "3 seats left" in _get(client, "/calendar/")[1]
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status"])
    assert "<strong>Cancelled.</strong>" in _get(client, event.get_absolute_url())[1]


def test_site_search_finds_upcoming_and_recent_events(client):
    event = EventFactory(
        title="Cardiac arrest drill",
        kind=EventKind.EXERCISE,
        description="Coaching callers through CPR for a cardiac arrest.",
    )
    EventFactory(title="Cardiac course of 2019", starts_at=in_days(-400), ends_at=in_days(-400, 11))
    EventFactory(title="Cardiac draft", published=False)

    response, html = _get(client, "/search/", {"q": "cardiac"})

    hits = response.context["page"].object_list
    assert [(h.kind, h.title, h.url) for h in hits] == [
        ("Training · Exercise", "Cardiac arrest drill", event.get_absolute_url())
    ]
    assert "<mark>cardiac</mark>" in html


def test_home_page_lists_the_next_scheduled_events(client):
    later = EventFactory(title="Later course", starts_at=in_days(20))
    sooner = EventFactory(title="Sooner course", starts_at=in_days(2))
    EventFactory(title="Cancelled course", status=EventStatus.CANCELLED)
    EventFactory(title="Past course", starts_at=in_days(-2), ends_at=in_days(-2, 11))
    EventFactory(title="Draft course", published=False)

    response, html = _get(client, "/")

    upcoming = response.context["upcoming"]
    assert [(e.title, e.url) for e in upcoming] == [
        ("Sooner course", sooner.get_absolute_url()),
        ("Later course", later.get_absolute_url()),
    ]
    start = timezone.localtime(sooner.starts_at)
    assert upcoming[0].when == f"{start:%a, %b %-d, %Y} · 9:00 AM {start.tzname()}"
    assert f'<a href="{sooner.get_absolute_url()}">Sooner course</a>' in html
    assert "Cancelled course" not in html and "Past course" not in html


def test_home_page_shows_at_most_five_upcoming_events(client):
    for n in range(7):
        EventFactory(starts_at=in_days(n + 1))
    response, _ = _get(client, "/")
    assert len(response.context["upcoming"]) == 5


def test_main_navigation_links_the_calendar(client):
    _, html = _get(client, "/calendar/")
    assert 'href="/calendar/" aria-current="page">Training calendar</a>' in html
