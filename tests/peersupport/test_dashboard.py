"""The staff dashboard of peer support: figures computed by hand, the period, access."""

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from peersupport import dashboard
from peersupport.dashboard import Period
from peersupport.models import RequestStatus, SupportRequest
from peersupport.services import activity_log
from tests.peersupport.factories import member_for, move, submitted_request

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
URL = reverse("peersupport:dashboard:index")
CSV_URL = reverse("peersupport:dashboard:monthly_csv")
FIRST_HALF_2025 = {"start": "2025-01-01", "end": "2025-06-30"}


def chicago(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)


def submitted_at(when: dt.datetime, **overrides) -> SupportRequest:
    """A request submitted through the service, then dated `when` (submitted_at is auto)."""
    support_request, _ = submitted_request(**overrides)
    SupportRequest.objects.filter(pk=support_request.pk).update(submitted_at=when)
    support_request.refresh_from_db()
    return support_request


def contacted_after(support_request, wait: dt.timedelta, *, by) -> SupportRequest:
    """Assigned and contacted through the service; the first contact dated `wait` later."""
    move(support_request, RequestStatus.ASSIGNED, RequestStatus.CONTACTED, by=by)
    SupportRequest.objects.filter(pk=support_request.pk).update(
        first_contact_at=support_request.submitted_at + wait
    )
    support_request.refresh_from_db()
    return support_request


# --- Time to first contact --------------------------------------------------------------


def test_median_and_90th_percentile_of_time_to_first_contact_interpolate_in_postgres(
    peer_coordinator, peer_coordinator_client
):
    for n, hours in enumerate([1, 2, 3, 4, 10], start=1):
        request = submitted_at(chicago(2025, 3, n, 9, 0))
        contacted_after(request, dt.timedelta(hours=hours), by=peer_coordinator)
    submitted_at(chicago(2025, 3, 20, 9, 0))  # not contacted yet: left out
    outside = submitted_at(chicago(2024, 12, 31, 9, 0))  # before the period: left out
    contacted_after(outside, dt.timedelta(hours=100), by=peer_coordinator)

    figures = dashboard.first_contact_times(Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))

    assert figures.requests == 5
    assert figures.median == dt.timedelta(hours=3)
    # percentile_cont(0.9): position 0.9 × (5 − 1) = 3.6 → 4 h + 0.6 × (10 h − 4 h) = 7.6 h
    assert figures.p90 == dt.timedelta(hours=7, minutes=36)
    page = peer_coordinator_client.get(URL, FIRST_HALF_2025).content.decode()
    assert "3 h 0 min" in page
    assert "7 h 36 min" in page


def test_time_to_first_contact_without_any_contact_shows_a_dash(peer_coordinator_client):
    submitted_at(chicago(2025, 2, 1, 9, 0))
    figures = dashboard.first_contact_times(Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))
    assert (figures.requests, figures.median, figures.p90) == (0, None, None)
    assert figures.median_display == "–"


@pytest.mark.parametrize(
    "minutes,shown",
    [(0, "0 min"), (45, "45 min"), (60, "1 h 0 min"), (456, "7 h 36 min"), (3005, "50 h 5 min")],
)
def test_durations_read_as_hours_and_minutes(minutes, shown):
    assert dashboard.hours_minutes(dt.timedelta(minutes=minutes)) == shown


# --- Requests by month ------------------------------------------------------------------


def test_requests_by_month_count_each_kind_and_show_empty_months(peer_coordinator_client):
    submitted_at(chicago(2025, 1, 5, 10), request_type="group")
    submitted_at(chicago(2025, 1, 28, 10), request_type="group")
    submitted_at(chicago(2025, 1, 30, 10), request_type="phone")
    submitted_at(chicago(2025, 3, 2, 10), request_type="in_person")
    submitted_at(chicago(2025, 3, 15, 10), request_type="command")
    # 11:30 pm on March 31 in Kansas City is April 1 in UTC: it belongs to March.
    submitted_at(chicago(2025, 3, 31, 23, 30), request_type="phone")
    submitted_at(chicago(2024, 12, 31, 23, 59), request_type="group")  # before the period
    submitted_at(chicago(2025, 5, 1, 0, 10), request_type="group")  # after the period

    rows = dashboard.requests_by_month(Period(dt.date(2025, 1, 1), dt.date(2025, 4, 30)))

    assert [
        (r.month, r.debriefings, r.in_person, r.by_phone, r.one_to_one, r.command) for r in rows
    ] == [
        (dt.date(2025, 1, 1), 2, 0, 1, 1, 0),
        (dt.date(2025, 2, 1), 0, 0, 0, 0, 0),
        (dt.date(2025, 3, 1), 0, 1, 1, 2, 1),
        (dt.date(2025, 4, 1), 0, 0, 0, 0, 0),
    ]
    page = peer_coordinator_client.get(URL, {"start": "2025-01-01", "end": "2025-04-30"})
    assert page.context["figures"].months == rows
    assert page.context["figures"].months_total.one_to_one == 3
    assert "February 2025" in page.content.decode()


def test_the_monthly_table_downloads_as_csv(peer_coordinator_client):
    submitted_at(chicago(2025, 1, 5, 10), request_type="group")
    submitted_at(chicago(2025, 3, 2, 10), request_type="in_person")
    submitted_at(chicago(2025, 3, 3, 10), request_type="phone")

    response = peer_coordinator_client.get(CSV_URL, {"start": "2025-01-01", "end": "2025-03-31"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="peer-support-monthly-2025-01-01-to-2025-03-31.csv"'
        in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        dashboard.MONTHLY_CSV_HEADERS,
        ["2025-01", "1", "0", "0", "0", "0"],
        ["2025-02", "0", "0", "0", "0", "0"],
        ["2025-03", "0", "1", "1", "2", "0"],
    ]


# --- Incident kinds, out of region, activity, open requests ------------------------------


def test_incident_kinds_are_counted_with_every_kind_listed():
    for kind in ("child", "child", "suicide", "ois"):
        submitted_at(chicago(2025, 2, 10, 12), incident_kind=kind)
    submitted_at(chicago(2025, 8, 1, 12), incident_kind="lodd")  # after the period

    counts = {
        row.label: row.count
        for row in dashboard.incident_kinds(Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))
    }

    assert counts == {
        "Death": 0,
        "Suicide": 1,
        "Officer-involved shooting": 1,
        "Child death or injury": 2,
        "Mass-casualty incident": 0,
        "Line-of-duty death": 0,
        "Other": 0,
    }


def test_out_of_region_requests_are_split_by_the_pre_approval_decision(peer_coordinator):
    def outside(day: int) -> SupportRequest:
        return submitted_at(chicago(2025, 4, day, 8), outside_agency_name="Wichita 911")

    move(outside(1), RequestStatus.APPROVED, RequestStatus.ASSIGNED, by=peer_coordinator)
    move(outside(2), RequestStatus.DECLINED, RequestStatus.CLOSED, by=peer_coordinator)
    # Approved first, declined later for another reason: the pre-approval was granted.
    move(outside(3), RequestStatus.APPROVED, RequestStatus.DECLINED, by=peer_coordinator)
    outside(4)  # still awaiting approval
    submitted_at(chicago(2025, 4, 5, 8))  # inside the region: not counted
    move(
        submitted_at(chicago(2025, 9, 1, 8), outside_agency_name="Omaha 911"),
        RequestStatus.APPROVED,
        by=peer_coordinator,
    )  # after the period

    figures = dashboard.out_of_region(Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))

    assert (figures.requests, figures.approved, figures.declined, figures.undecided) == (
        4,
        2,
        1,
        1,
    )


def test_people_reached_and_hours_are_summed_by_service_type(peer_coordinator, team_member):
    request = submitted_at(chicago(2025, 5, 1, 9))
    move(request, RequestStatus.ASSIGNED, by=peer_coordinator)

    def log(day: dt.date, service: str, people: int, hours: str) -> None:
        activity_log(
            support_request=request,
            member=team_member,
            date=day,
            service_type=service,
            people_reached=people,
            hours=Decimal(hours),
            follow_up_needed=False,
            by=peer_coordinator,
        )

    log(dt.date(2025, 5, 2), "debriefing", 9, "2.5")
    log(dt.date(2025, 5, 3), "debriefing", 4, "1.25")
    log(dt.date(2025, 5, 9), "follow_up", 2, "0.5")
    log(dt.date(2025, 6, 30), "one_on_one", 1, "1")  # the period's last day: counted
    log(dt.date(2025, 7, 1), "one_on_one", 50, "8")  # after the period

    services = dashboard.activity_by_service_type(Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))
    by_label = {row.label: row for row in services}

    assert len(services) == 9  # every service type, zeros included
    debriefing = by_label["Debriefing (CISD)"]
    assert (debriefing.activities, debriefing.people_reached, debriefing.hours) == (
        2,
        13,
        Decimal("3.75"),
    )
    assert by_label["Follow-up"].people_reached == 2
    assert by_label["One-on-one contact"].hours == Decimal("1")
    assert by_label["Defusing"].activities == 0
    assert by_label["Defusing"].hours == Decimal(0)
    figures = dashboard.dashboard(Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))
    assert figures.services_total.people_reached == 16
    assert figures.services_total.hours == Decimal("5.25")


def test_open_requests_are_counted_by_status_today_whatever_the_period(peer_coordinator):
    submitted_at(chicago(2020, 1, 1, 9))  # new, submitted long before any period
    submitted_at(timezone.now())
    move(submitted_at(timezone.now()), RequestStatus.ASSIGNED, by=peer_coordinator)
    move(
        submitted_at(timezone.now()),
        RequestStatus.ASSIGNED,
        RequestStatus.CONTACTED,
        RequestStatus.COMPLETED,
        RequestStatus.CLOSED,
        by=peer_coordinator,
    )  # closed: not open
    move(submitted_at(timezone.now()), RequestStatus.DECLINED, by=peer_coordinator)  # not open
    submitted_at(timezone.now(), outside_agency_name="Wichita 911")

    figures = dashboard.dashboard(Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))

    counts = {row.label: row.count for row in figures.open_by_status}
    assert counts == {
        "New": 2,
        "Awaiting approval (outside the region)": 1,
        "Approved": 0,
        "Assigned": 1,
        "Contacted": 0,
        "Completed": 0,
    }
    assert figures.open_total == 4


# --- The page ---------------------------------------------------------------------------


def test_the_page_names_nobody_and_shows_no_contact_details_or_references(
    peer_coordinator, peer_coordinator_client
):
    request = submitted_at(
        chicago(2025, 2, 3, 9),
        contact_name="Quinn Caller",
        contact_email="quinn@example.org",
        contact_phone="816-555-0199",
        best_time="Evenings after 6",
        requester_role="Night shift lead",
        outside_agency_name="Faraway County 911",
    )
    move(request, RequestStatus.APPROVED, by=peer_coordinator)
    contacted_after(request, dt.timedelta(hours=2), by=peer_coordinator)

    response = peer_coordinator_client.get(URL, FIRST_HALF_2025)

    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["figures"].out_of_region.requests == 1  # the request is counted
    for detail in (
        request.reference,
        "Quinn",
        "quinn@example.org",
        "555-0199",
        "Evenings after 6",
        "Night shift lead",
        "Faraway County",
    ):
        assert detail not in page


def test_the_query_count_does_not_grow_with_the_number_of_requests(
    peer_coordinator, peer_coordinator_client, team_member
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert peer_coordinator_client.get(URL, FIRST_HALF_2025).status_code == 200
        return len(captured)

    submitted_at(chicago(2025, 1, 5, 9))
    peer_coordinator_client.get(URL)  # the first visit also saves the session
    few = queries()
    for day in range(1, 21):
        request = submitted_at(chicago(2025, 2, day, 9), outside_agency_name="Elsewhere 911")
        move(request, RequestStatus.APPROVED, by=peer_coordinator)
        contacted_after(request, dt.timedelta(hours=day), by=peer_coordinator)
        activity_log(
            support_request=request,
            member=team_member,
            date=dt.date(2025, 2, day),
            service_type="one_on_one",
            people_reached=1,
            hours=Decimal("1"),
            follow_up_needed=False,
            by=peer_coordinator,
        )
    assert queries() == few


# --- The period -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today,start",
    [
        (dt.date(2025, 3, 15), dt.date(2024, 4, 1)),
        (dt.date(2025, 1, 1), dt.date(2024, 2, 1)),
        (dt.date(2025, 12, 31), dt.date(2025, 1, 1)),
    ],
)
def test_the_default_period_is_this_month_and_the_eleven_before(today, start):
    period = Period.default(today)
    assert (period.start, period.end) == (start, today)
    assert len(period.months) == period.month_count == 12


def test_without_dates_the_page_shows_the_last_twelve_months(peer_coordinator_client):
    response = peer_coordinator_client.get(URL)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.period == Period.default()
    assert len(figures.months) == 12
    assert figures.months[-1].month == timezone.localdate().replace(day=1)


def test_the_period_ends_are_whole_local_days():
    period = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert period.bounds == (chicago(2025, 3, 1), chicago(2025, 4, 1))


@pytest.mark.parametrize(
    "params,message",
    [
        ({"start": "2025-13-01", "end": "2025-12-31"}, "2025-13-01 does not exist"),
        ({"start": "2025-1-01", "end": "2025-12-31"}, "Enter the first day as a date"),
        ({"start": "2025-01-01", "end": "tomorrow"}, "Enter the last day as a date"),
        (
            {"start": "2025-06-01", "end": "2025-05-31"},
            "The last day must be on or after the first day.",
        ),
        ({"start": "2099-01-01", "end": "2099-02-01"}, "The first day cannot be in the future."),
        ({"start": "2015-01-01", "end": "2025-01-01"}, "Choose a period of at most 5 years"),
        ({"start": "2020-01-01", "end": "9999-12-31"}, "between 1900 and 2199"),
    ],
)
def test_a_wrong_period_is_refused_with_a_clear_message(peer_coordinator_client, params, message):
    response = peer_coordinator_client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "figures" not in response.context
    assert "No figures shown: the period needs correcting." in response.content.decode()
    assert peer_coordinator_client.get(CSV_URL, params).status_code == 400


def test_an_empty_date_falls_back_to_the_default(peer_coordinator_client):
    response = peer_coordinator_client.get(
        URL, {"start": "", "end": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert response.context["figures"].period == Period(
        Period.default().start, timezone.localdate()
    )


# --- Who may see it ---------------------------------------------------------------------


@pytest.mark.parametrize("url", [URL, CSV_URL])
@pytest.mark.parametrize(
    "roles,status",
    [
        ([Role.PEER_SUPPORT_COORDINATOR], 200),
        ([Role.PROGRAM_MANAGER], 200),
        ([Role.PEER_TEAM_MEMBER], 403),
        ([Role.TRAINING_COORDINATOR], 403),
        ([], 403),
    ],
)
def test_only_coordinators_and_program_managers_see_the_dashboard(
    make_staff, staff_client, roles, status, url
):
    user = make_staff(roles=roles)
    if Role.PEER_TEAM_MEMBER in roles:
        member_for(user)
    assert staff_client(user).get(url).status_code == status


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login"))


def test_a_coordinator_without_two_factor_sees_no_figures(make_staff, client):
    client.force_login(make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR], enrolled=False))
    response = client.get(URL)
    assert response.status_code == 302
    assert "/two_factor/" in response["Location"] or "/login/" in response["Location"]


def test_a_period_of_exactly_five_years_is_accepted(peer_coordinator_client):
    response = peer_coordinator_client.get(URL, {"start": "2020-01-01", "end": "2024-12-31"})
    assert response.status_code == 200
    assert len(response.context["figures"].months) == 60
