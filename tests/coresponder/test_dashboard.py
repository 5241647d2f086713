"""The co-responder dashboard: who sees what, the CSV file, the charts, the audit log."""

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, AuditOutcome
from accounts.roles import Role
from coresponder.charts import chart_description
from coresponder.forms.dashboard import default_period
from coresponder.measures import MonthPoint
from coresponder.models import MonthlyCallVolume
from tests.coresponder.factories import clinician_for, encounter, org

pytestmark = pytest.mark.django_db

URL = reverse("coresponder:dashboard:index")
CSV_URL = reverse("coresponder:dashboard:csv")
PERIOD = {"start": "2025-01-01", "end": "2025-03-31"}
SVG_NS = "{http://www.w3.org/2000/svg}"


def chart_url(name: str) -> str:
    return reverse("coresponder:dashboard:chart", kwargs={"name": name})


ALL_URLS = [
    URL,
    CSV_URL,
    chart_url("encounters"),
    chart_url("coverage"),
    chart_url("agencies"),
]
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def data():
    """Blue Springs: 5 encounters in 2025 Q1, 3 of them with the substance-use concern and
    2 linked to substance-use treatment; Grandview: 4 encounters, none of that."""
    for n in range(5):
        substance = n < 3
        encounter(
            encounter_id=f"BS-SECRET-{n}",
            agency="blue-springs",
            provider="rediscover",
            date=f"2025-0{1 + n % 3}-1{n}",
            concerns="mental-health;substance-use" if substance else "mental-health",
            person_key=f"secret-person-{n % 2}",
            minutes="50",
            **(
                {"linked_to_services": "yes", "service_type": "substance-use-treatment"}
                if n < 2
                else {}
            ),
        )
    for n in range(4):
        encounter(
            agency="grandview",
            provider="burrell",
            date=f"2025-02-2{n}",
            contact_type="phone",
            minutes="20",
        )
    for month, calls in (("2025-01", 40), ("2025-02", 30), ("2025-03", 20)):
        MonthlyCallVolume.objects.create(
            agency=org("blue-springs"), month=dt.date.fromisoformat(month + "-01"), mh_calls=calls
        )
    MonthlyCallVolume.objects.create(agency=org("grandview"), month=dt.date(2025, 2, 1), mh_calls=9)


@pytest.fixture
def earlier():
    """For PERIOD's comparisons: 6 Blue Springs encounters from October to December 2024
    (the previous period) and 12 Grandview ones from January to March 2024 (the same
    period a year before), all on-site assessments; 60 and 100 mental-health calls."""
    for n in range(6):
        encounter(agency="blue-springs", provider="rediscover", date=f"2024-1{n % 3}-0{n + 1}")
    for n in range(12):
        encounter(agency="grandview", provider="burrell", date=f"2024-0{1 + n % 3}-1{n % 10}")
    for month, calls in (("2024-10", 20), ("2024-11", 20), ("2024-12", 20)):
        volume("blue-springs", month, calls)
    for month, calls in (("2024-01", 50), ("2024-02", 30), ("2024-03", 20)):
        volume("grandview", month, calls)


def volume(agency: str, month: str, mh_calls: int) -> None:
    MonthlyCallVolume.objects.create(
        agency=org(agency), month=dt.date.fromisoformat(month + "-01"), mh_calls=mh_calls
    )


def csv_table(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- Who may open it ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_URLS)
def test_a_program_manager_opens_every_part(data, program_manager, staff_client, url):
    response = staff_client(program_manager).get(url, PERIOD)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ALL_URLS)
def test_a_liaison_opens_every_part(data, blue_springs_liaison, staff_client, url):
    assert staff_client(blue_springs_liaison).get(url, PERIOD).status_code == 200


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize(
    "roles", [[Role.CORESPONDER_CLINICIAN], [Role.PEER_TEAM_MEMBER], [Role.SITE_EDITOR], []]
)
def test_other_staff_are_refused(data, make_staff, staff_client, url, roles):
    user = make_staff(roles=roles)
    if Role.CORESPONDER_CLINICIAN in roles:
        clinician_for(user, provider="rediscover", agencies=("blue-springs",))
    response = staff_client(user).get(url, PERIOD)
    assert response.status_code == 403
    assert b"BS-SECRET" not in response.content
    assert AuditEvent.objects.filter(outcome=AuditOutcome.DENIED, actor_id=user.pk).exists()


@pytest.mark.parametrize("url", ALL_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url, PERIOD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:login"))


def test_a_manager_without_two_factor_is_sent_to_sign_in(make_staff, client):
    client.force_login(make_staff(roles=[Role.PROGRAM_MANAGER], enrolled=False))
    response = client.get(URL)
    assert response.status_code == 302


@pytest.mark.parametrize("url", ALL_URLS)
def test_a_liaison_whose_account_has_no_agency_is_refused(data, make_staff, staff_client, url):
    user = make_staff(roles=[Role.AGENCY_LIAISON])
    response = staff_client(user).get(url, PERIOD)
    assert response.status_code == 403
    if url == URL:
        assert b"not linked to a partner agency" in response.content


@pytest.mark.parametrize("url", ALL_URLS)
def test_a_liaison_asking_for_another_agency_is_refused(
    data, blue_springs_liaison, staff_client, url
):
    client = staff_client(blue_springs_liaison)
    response = client.get(url, {**PERIOD, "agency": "grandview"})
    assert response.status_code == 403
    denied = AuditEvent.objects.get(outcome=AuditOutcome.DENIED, actor_id=blue_springs_liaison.pk)
    assert denied.object_type == "coresponder.dashboard"
    assert denied.object_id == "grandview"
    # Naming their own agency is the same as naming none.
    assert client.get(url, {**PERIOD, "agency": "blue-springs"}).status_code == 200


# --- What they see ----------------------------------------------------------------------


def test_a_manager_sees_every_agency_provider_and_the_substance_use_figures(
    data, program_manager, staff_client
):
    response = staff_client(program_manager).get(URL, PERIOD)
    html = response.content.decode()
    report = response.context["report"]
    assert report.total.encounters == 9
    assert report.total.substance_use == 3
    assert report.total.substance_use_treatment == 2
    assert report.total.mh_calls == 99
    for name in ("Blue Springs Police Department", "Grandview Police Department", "Burrell"):
        assert name in html
    assert "Substance-use concern" in html
    assert "Linked to substance-use treatment" in html
    assert '<td class="text-end fw-bold">9</td>' in html  # encounters, whole period
    assert "January 2025" in html and "March 2025" in html


def test_a_manager_narrows_to_one_agency_and_one_provider(data, program_manager, staff_client):
    client = staff_client(program_manager)
    report = client.get(URL, {**PERIOD, "agency": "grandview"}).context["report"]
    assert (report.total.encounters, report.total.mh_calls) == (4, 9)
    assert [a.code for a in report.agencies] == ["grandview"]
    report = client.get(URL, {**PERIOD, "provider": "rediscover"}).context["report"]
    assert report.total.encounters == 5
    assert [p.code for p in report.providers] == ["rediscover"]


def test_a_liaison_sees_their_own_agency_only(data, blue_springs_liaison, staff_client):
    response = staff_client(blue_springs_liaison).get(URL, PERIOD)
    html = response.content.decode()
    report = response.context["report"]
    assert report.total.encounters == 5
    assert report.total.mh_calls == 90
    assert [a.code for a in report.agencies] == ["blue-springs"]
    assert "Blue Springs Police Department" in html
    assert "Grandview" not in html
    assert 'name="agency"' not in html  # no agency to choose


def test_a_liaison_never_sees_substance_use_in_the_page_file_or_charts(
    data, make_staff, staff_client
):
    # Also a clinician of the provider (who may see substance use on the entry pages):
    # the police role still rules on the dashboard.
    user = make_staff(roles=[Role.AGENCY_LIAISON], organization=org("blue-springs"))
    clinician_for(user, provider="rediscover", agencies=("blue-springs",))
    client = staff_client(user)
    page = client.get(URL, PERIOD)
    assert page.status_code == 200
    assert page.context["report"].total.substance_use is None
    file = client.get(CSV_URL, PERIOD)
    svgs = [client.get(chart_url(name), PERIOD) for name in ("encounters", "coverage")]
    for response in (page, file, *svgs):
        assert response.status_code == 200
        assert "substance" not in response.content.decode("utf-8-sig").lower()
    header = csv_table(file)[0]
    assert len(header) == 6 + 13  # period, from, to, breakdown, row, code, 13 shared measures
    for event in AuditEvent.objects.filter(object_type="coresponder.dashboard"):
        assert event.detail["substance_use"] is False


def test_no_record_is_ever_listed(data, program_manager, staff_client):
    client = staff_client(program_manager)
    for url in (URL, CSV_URL):
        content = client.get(url, PERIOD).content
        assert b"BS-SECRET" not in content
        assert b"secret-person" not in content


def test_the_default_period_is_the_last_twelve_months(program_manager, staff_client):
    response = staff_client(program_manager).get(URL)
    start, end = default_period()
    report = response.context["report"]
    assert (report.start, report.end) == (start, end)
    assert start.day == 1
    assert len(report.months) == 12
    assert report.months[-1].code == f"{end:%Y-%m}"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2025-03-01", "end": "2025-01-01"}, "on or after the first day"),
        ({"start": "01/03/2025"}, "YYYY-MM-DD"),
        ({"start": "2010-01-01", "end": "2025-01-01"}, "at most 10 years"),
        ({"start": "2099-01-01", "end": "2099-02-01"}, "cannot be in the future"),
        ({"start": "0999-01-01", "end": "2025-02-01"}, "between 1900 and 2199"),
        ({"provider": "nobody"}, "Select a valid choice"),
        ({"period": "next-year"}, "Select a valid choice"),
    ],
)
def test_a_wrong_choice_shows_no_figures_and_says_why(
    program_manager, staff_client, query, message
):
    client = staff_client(program_manager)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "report" not in response.context
    assert f'href="{URL}?period=this-month"' in response.content.decode()  # a way out
    assert client.get(chart_url("coverage"), query).status_code == 400


# --- Periods and comparisons --------------------------------------------------------------


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHICAGO)


def days(start: str, end: str) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


# (the moment in Chicago, the period, its days, the previous period, a year before);
# None: left out (it would end before the program's start, January 1, 2020).
PRESET_CASES = [
    # New Year's Eve, a quarter of an hour before midnight: already 2026 in UTC.
    (
        "2025-12-31 23:45",
        "this-month",
        days("2025-12-01", "2025-12-31"),
        days("2025-11-01", "2025-11-30"),
        days("2024-12-01", "2024-12-31"),
    ),
    (
        "2025-12-31 23:45",
        "last-month",
        days("2025-11-01", "2025-11-30"),
        days("2025-10-01", "2025-10-31"),
        days("2024-11-01", "2024-11-30"),
    ),
    (
        "2025-12-31 23:45",
        "this-year",
        days("2025-01-01", "2025-12-31"),
        days("2024-01-01", "2024-12-31"),
        days("2024-01-01", "2024-12-31"),
    ),
    (
        "2025-12-31 23:45",
        "last-year",
        days("2024-01-01", "2024-12-31"),
        days("2023-01-01", "2023-12-31"),
        days("2023-01-01", "2023-12-31"),
    ),
    (
        "2025-12-31 23:45",
        "last-12-months",
        days("2025-01-01", "2025-12-31"),
        days("2024-01-01", "2024-12-31"),
        days("2024-01-01", "2024-12-31"),
    ),
    (
        "2025-12-31 23:45",
        "since-start",
        days("2020-01-01", "2025-12-31"),
        None,  # 2014 to 2019: before the program
        days("2019-01-01", "2024-12-31"),
    ),
    # Half an hour into the new year.
    (
        "2026-01-01 00:30",
        "this-month",
        days("2026-01-01", "2026-01-01"),
        days("2025-12-01", "2025-12-01"),
        days("2025-01-01", "2025-01-01"),
    ),
    (
        "2026-01-01 00:30",
        "last-month",
        days("2025-12-01", "2025-12-31"),
        days("2025-11-01", "2025-11-30"),
        days("2024-12-01", "2024-12-31"),
    ),
    (
        "2026-01-01 00:30",
        "this-year",
        days("2026-01-01", "2026-01-01"),
        days("2025-01-01", "2025-01-01"),
        days("2025-01-01", "2025-01-01"),
    ),
    (
        "2026-01-01 00:30",
        "last-12-months",
        days("2025-02-01", "2026-01-01"),
        days("2024-02-01", "2025-01-01"),
        days("2024-02-01", "2025-01-01"),
    ),
    # Month ends: a leap day, the 31st, a day February does not have.
    (
        "2024-02-29 12:00",
        "this-month",
        days("2024-02-01", "2024-02-29"),
        days("2024-01-01", "2024-01-31"),
        days("2023-02-01", "2023-02-28"),
    ),
    (
        "2024-02-29 12:00",
        "this-year",
        days("2024-01-01", "2024-02-29"),
        days("2023-01-01", "2023-02-28"),
        days("2023-01-01", "2023-02-28"),
    ),
    (
        "2024-03-31 12:00",
        "this-month",
        days("2024-03-01", "2024-03-31"),
        days("2024-02-01", "2024-02-29"),
        days("2023-03-01", "2023-03-31"),
    ),
    (
        "2024-03-01 00:10",
        "last-month",
        days("2024-02-01", "2024-02-29"),
        days("2024-01-01", "2024-01-31"),
        days("2023-02-01", "2023-02-28"),
    ),
    (
        "2025-03-30 12:00",
        "this-month",
        days("2025-03-01", "2025-03-30"),
        days("2025-02-01", "2025-02-28"),
        days("2024-03-01", "2024-03-30"),
    ),
]


@pytest.mark.parametrize(("moment", "period", "expected", "previous", "before"), PRESET_CASES)
def test_a_preset_covers_the_right_days_on_the_day_it_is_asked(
    program_manager, staff_client, settings, moment, period, expected, previous, before
):
    settings.CORESPONDER_PROGRAM_START = dt.date(2020, 1, 1)
    client = staff_client(program_manager)
    with time_machine.travel(local(moment), tick=False):
        response = client.get(URL, {"period": period})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.start, report.end) == expected
    found = report.previous and (report.previous.start, report.previous.end)
    assert found == previous
    assert (report.year_before.start, report.year_before.end) == before
    html = response.content.decode()
    current = re.search(r'<a [^>]*aria-current="true"[^>]*>([^<]+)</a>', html)
    assert current is not None
    assert html_unescape(current.group(1)) == response.context["scope"].preset.label
    if previous == before:
        assert "The previous period is the same period a year before" in html
        assert [c.key for c in response.context["compared"]] == ["year-before"]
    if previous is None:
        assert "There is no previous period to compare with" in html


def test_the_page_says_which_periods_it_compares(program_manager, staff_client):
    client = staff_client(program_manager)
    with time_machine.travel(local("2025-12-31 23:45"), tick=False):
        html = client.get(URL, {"period": "this-month"}).content.decode()
    assert "This month: December 1 to December 31, 2025, all agencies, all providers." in html
    assert (
        "Compared with the previous period, November 1 to November 30, 2025 and the same "
        "period a year before, December 1 to December 31, 2024."
    ) in html


def test_a_first_day_alone_shows_everything_since_that_date(program_manager, staff_client):
    client = staff_client(program_manager)
    with time_machine.travel(local("2025-06-20 10:00"), tick=False):
        response = client.get(URL, {"start": "2025-06-01"})
    report = response.context["report"]
    assert (report.start, report.end) == days("2025-06-01", "2025-06-20")
    # Not whole months: as many days (20) just before it.
    assert (report.previous.start, report.previous.end) == days("2025-05-12", "2025-05-31")
    assert (report.year_before.start, report.year_before.end) == days("2024-06-01", "2024-06-20")
    # The file and the charts ask for the same: since that date (no last day).
    assert response.context["filters"] == "start=2025-06-01"


def test_a_last_day_alone_counts_from_the_programs_start(program_manager, staff_client, settings):
    settings.CORESPONDER_PROGRAM_START = dt.date(2024, 7, 1)
    response = staff_client(program_manager).get(URL, {"end": "2025-09-30"})
    report = response.context["report"]
    assert (report.start, report.end) == days("2024-07-01", "2025-09-30")
    assert report.previous is None  # April 2023 to June 2024: before the program
    assert (report.year_before.start, report.year_before.end) == days("2023-07-01", "2024-09-30")
    html = response.content.decode()
    assert "it would end before the program's start (July 1, 2024)" in html
    # Ending before the program's start, the same period a year before is left out too.
    report = staff_client(program_manager).get(URL, {"end": "2025-03-31"}).context["report"]
    assert report.previous is None and report.year_before is None


def test_typed_dates_win_over_the_period_kept_by_the_form(program_manager, staff_client):
    client = staff_client(program_manager)
    response = client.get(URL, {"period": "this-month", **PERIOD})
    report = response.context["report"]
    assert (report.start, report.end) == days("2025-01-01", "2025-03-31")
    assert response.context["scope"].preset is None
    # Whole months: compared with the three months before.
    assert (report.previous.start, report.previous.end) == days("2024-10-01", "2024-12-31")
    # Empty dates keep the period.
    response = client.get(URL, {"period": "last-year", "start": "", "end": ""})
    assert response.context["scope"].preset.key == "last-year"


def test_the_period_links_keep_the_agency_and_provider(program_manager, staff_client):
    response = staff_client(program_manager).get(
        URL, {**PERIOD, "agency": "grandview", "provider": "burrell"}
    )
    links = [p["query"] for p in response.context["presets"]]
    assert links[0] == "period=this-month&agency=grandview&provider=burrell"
    assert all("agency=grandview&provider=burrell" in link for link in links)
    html = response.content.decode()
    assert '<input type="hidden" name="period"' in html


def test_each_measure_is_compared_with_the_previous_period_and_a_year_before(
    data, earlier, program_manager, staff_client
):
    response = staff_client(program_manager).get(URL, PERIOD)
    rows = {row["label"]: row for row in response.context["whole"]}

    def shown(label: str) -> list[str]:
        row = rows[label]
        return [row["value"]] + [v for c in row["compared"] for v in (c["value"], c["change"])]

    assert shown("Encounters") == ["9", "6", "Up 3 (+50.0%)", "12", "Down 3 (−25.0%)"]
    assert shown("Mental-health calls") == ["99", "60", "Up 39 (+65.0%)", "100", "Down 1 (−1.0%)"]
    # Shares change in percentage points: 5.1% now, 10.0% and 12.0% before.
    assert shown("Assessment coverage") == [
        "5.1%",
        "10.0%",
        "Down 4.9 percentage points",
        "12.0%",
        "Down 6.9 percentage points",
    ]
    assert shown("Substance-use concern") == [
        "3",
        "0",
        "Up 3 (none before)",
        "0",
        "Up 3 (none before)",
    ]
    assert shown("Involuntary holds") == ["0", "0", "No change", "0", "No change"]
    # All 12 encounters a year before were on scene and ended without custody.
    assert shown("Arrest or custody avoided, share")[3] == "100.0%"
    html = response.content.decode()
    assert "Up 3 (+50.0%)" in html and "Down 6.9 percentage points" in html
    assert "Previous period<span" in html and "October 1 to December 31, 2024" in html
    assert "Same period a year before<span" in html and "January 1 to March 31, 2024" in html


def test_the_agencies_are_compared_in_a_chart_and_a_table(
    data, earlier, program_manager, staff_client
):
    client = staff_client(program_manager)
    response = client.get(URL, PERIOD)
    rows = {row["label"]: row for row in response.context["agency_rows"]}
    blue_springs = rows["Blue Springs Police Department"]
    assert [blue_springs["value"]] + [c["value"] for c in blue_springs["compared"]] == [
        "5",
        "6",
        "0",
    ]
    assert [c["change"] for c in blue_springs["compared"]] == [
        "Down 1 (−16.7%)",
        "Up 5 (none before)",
    ]
    grandview = rows["Grandview Police Department"]
    assert [c["change"] for c in grandview["compared"]] == ["Up 4 (none before)", "Down 8 (−66.7%)"]
    html = response.content.decode()
    alt = response.context["agency_chart"]["alt"]
    assert f'alt="{alt}"' in html.replace("&#x27;", "'").replace("&quot;", '"')
    assert "the most encounters were in Blue Springs Police Department (5)" in alt
    assert "Against the previous period, 1 had more encounters, 1 fewer and 6 as many." in alt
    assert "Against the same period a year before, 1 had more encounters, 1 fewer" in alt
    assert f'src="{chart_url("agencies")}?start=2025-01-01&amp;end=2025-03-31"' in html
    # The chart itself says the same, from its own query.
    svg = client.get(chart_url("agencies"), PERIOD)
    root = ET.fromstring(svg.content)  # noqa: S314 (the portal's own output)
    assert root.find(f"{SVG_NS}desc").text == alt
    assert "Blue Springs Police Department" in svg.content.decode()


def test_a_liaisons_agency_chart_compares_their_agency_alone(
    data, earlier, blue_springs_liaison, staff_client
):
    client = staff_client(blue_springs_liaison)
    alt = client.get(URL, PERIOD).context["agency_chart"]["alt"]
    assert (
        "Blue Springs Police Department: 5 encounters this period, 6 in the previous period "
        "(down 1), 0 in the same period a year before (up 5)."
    ) in alt
    svg = client.get(chart_url("agencies"), PERIOD).content.decode()
    assert "Grandview" not in svg


# --- The provider table adds up -----------------------------------------------------------


def test_the_provider_table_has_a_row_that_makes_it_add_up(data, program_manager, staff_client):
    # A Burrell encounter in Blue Springs in January: both providers worked there then.
    encounter(agency="blue-springs", provider="burrell", date="2025-01-20", contact_type="phone")
    response = staff_client(program_manager).get(URL, PERIOD)
    report = response.context["report"]
    rediscover, burrell = report.providers
    rest = report.not_attributed
    # ReDiscover: Blue Springs' 90 calls; Burrell: Grandview's February (9) and Blue
    # Springs' January (40). Nobody's: none. Counted twice: Blue Springs' January.
    assert (rediscover.mh_calls, burrell.mh_calls, report.total.mh_calls) == (90, 49, 99)
    assert (rest.calls_without_provider, rest.calls_counted_again, rest.mh_calls) == (0, 40, -40)
    assert rediscover.encounters + burrell.encounters + rest.encounters == 10
    html = response.content.decode()
    provider_table = html[
        html.index('id="table-providers"') : html.index(
            "</table>", html.index('id="table-providers"')
        )
    ]
    assert "Not attributed to a provider" in provider_table
    assert '<td class="text-end fst-italic">−40</td>' in provider_table
    note = re.search(r'<p class="small" id="not-attributed-note">(.*?)</p>', html, re.S).group(1)
    assert "the 0 calls of agency-months in which no provider recorded an encounter" in note
    assert "less 40 counted under more than one provider" in note
    assert 'aria-describedby="not-attributed-note"' in provider_table


def test_narrowed_to_a_provider_there_is_no_row_to_add(data, program_manager, staff_client):
    response = staff_client(program_manager).get(URL, {**PERIOD, "provider": "burrell"})
    html = response.content.decode()
    assert "Not attributed to a provider" not in html
    assert 'id="not-attributed-note"' not in html


# --- Chart descriptions -----------------------------------------------------------------------


def points(*values: tuple[int, int]) -> list[MonthPoint]:
    """Month points from January 2025 on: (mental-health calls, encounters), and as many
    on-site assessments as encounters."""
    return [
        MonthPoint(month=dt.date(2025, 1 + n, 1), mh_calls=c, encounters=e, onsite_assessments=e)
        for n, (c, e) in enumerate(values)
    ]


def test_a_chart_description_follows_the_trend_in_the_order_of_time():
    # The highest month comes before the lowest one.
    text = chart_description("encounters", points((10, 4), (20, 9), (30, 2), (40, 5)))
    assert (
        "Encounters went from 4 in January 2025 to 5 in April 2025. "
        "The highest was 9 in February 2025, the lowest 2 in March 2025."
    ) in text
    assert (
        "Mental-health calls went from 10 in January 2025 to 40 in April 2025. "
        "The lowest was 10 in January 2025, the highest 40 in April 2025."
    ) in text
    # The lowest month comes first.
    text = chart_description("encounters", points((10, 3), (10, 1), (10, 8), (10, 6)))
    assert "The lowest was 1 in February 2025, the highest 8 in March 2025." in text
    assert "Mental-health calls stayed at 10 every month." in text
    assert "Over the period, 18 encounters and 40 mental-health calls." in text


def test_the_coverage_description_leaves_out_months_without_calls():
    text = chart_description("coverage", points((20, 2), (0, 0), (10, 5), (40, 4)))
    assert (
        "Coverage went from 10.0% in January 2025 to 10.0% in April 2025. "
        "The lowest was 10.0% in January 2025, the highest 50.0% in March 2025."
    ) in text
    assert "1 of the months had no call volume reported, so no coverage." in text
    assert "Over the period, 11 of 70 calls (15.7%)." in text


def test_a_one_month_chart_description_names_its_month():
    text = chart_description("encounters", points((12, 3)))
    assert "Encounters: 3 in January 2025." in text
    assert chart_description("coverage", []) == "No months in the chosen period."


# --- Wide tables ------------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every table of a page with the region that holds it."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.found: list[tuple[dict, dict | None, str]] = []
        self.stylesheets: list[str] = []
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        if tag == "table":
            parent = self.stack[-1][1] if self.stack and self.stack[-1][0] == "div" else None
            self.found.append((attrs, parent, ""))
        if tag == "caption":
            self._caption = []
        if tag not in ("link", "img", "input", "br", "meta"):
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            table, parent, _ = self.found[-1]
            self.found[-1] = (table, parent, self.stack[-1][1].get("id", ""))
            self._caption = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)


def test_every_table_scrolls_in_its_own_labelled_region_with_its_first_column_kept(
    data, earlier, program_manager, staff_client
):
    html = staff_client(program_manager).get(URL, PERIOD).content.decode()
    page = Tables()
    page.feed(html)
    assert len(page.found) == 5  # whole period, agencies compared, month, agency, provider
    for table, region, caption_id in page.found:
        assert region is not None, table.get("id")
        assert region.get("role") == "region" and region.get("tabindex") == "0"
        assert "table-scroll" in region["class"].split()
        assert region.get("aria-labelledby") == caption_id != ""
    assert [href for href in page.stylesheets if "site" in href], page.stylesheets
    stylesheet = Path(django_settings.BASE_DIR, "static", "css", "site.css").read_text()
    pinned = ".table-scroll > .table > :not(caption) > tr > :first-child"
    rule = stylesheet[stylesheet.index(pinned) :]
    assert "position: sticky" in rule and "left: 0" in rule
    assert "style=" not in html.split("<main", 1)[1]  # no inline style (the CSP forbids it)


# --- Data to check -----------------------------------------------------------------------------


def test_the_data_to_check_lists_the_months_to_look_at(
    data, program_manager, blue_springs_liaison, staff_client
):
    # Blue Springs in April 2025: encounters, but no call volume entered.
    encounter(agency="blue-springs", provider="rediscover", date="2025-04-03")
    period = {"start": "2025-01-01", "end": "2025-04-30"}
    response = staff_client(program_manager).get(URL, period)
    html = response.content.decode()
    assert "Data to check" in html
    message = "Blue Springs Police Department, April 2025: 1 encounter but no call volume"
    assert message in html
    [check] = response.context["checks"]
    assert check.url and check.url in html.replace("&amp;", "&")
    # The liaison sees the same, without a link to pages they cannot open.
    response = staff_client(blue_springs_liaison).get(URL, period)
    [check] = response.context["checks"]
    assert check.url == ""
    assert message in response.content.decode()
    # A period without anything odd shows no panel.
    assert "Data to check" not in staff_client(program_manager).get(URL, PERIOD).content.decode()


# --- The CSV file -----------------------------------------------------------------------


def test_the_csv_file_holds_every_table(data, program_manager, staff_client):
    response = staff_client(program_manager).get(CSV_URL, PERIOD)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "coresponder-measures-2025-01-01-to-2025-03-31.csv" in response["Content-Disposition"]
    rows = csv_table(response)
    header = rows[0]
    assert header[:8] == [
        "Period",
        "From",
        "To",
        "Breakdown",
        "Row",
        "Code",
        "Mental-health calls",
        "Encounters",
    ]
    assert "Assessment coverage (%)" in header
    assert "Clinician time (minutes)" in header
    assert header[-2:] == ["Substance-use concern", "Linked to substance-use treatment"]
    this = [dict(zip(header, r, strict=True)) for r in rows[1:] if r[0] == "This period"]
    by_key = {(r["Breakdown"], r["Code"], r["Row"]): r for r in this}
    assert {(r["From"], r["To"]) for r in this} == {("2025-01-01", "2025-03-31")}
    assert [r["Breakdown"] for r in this].count("Agency") == 8
    assert [r["Breakdown"] for r in this].count("Provider") == 3  # and the row not attributed
    january = by_key[("Month", "2025-01", "January 2025")]
    assert (january["Mental-health calls"], january["Encounters"]) == ("40", "2")
    assert january["Assessment coverage (%)"] == "5.0"  # 2 on-site assessments of 40 calls
    grandview = by_key[("Agency", "grandview", "Grandview Police Department")]
    assert (grandview["Encounters"], grandview["On-site assessments"]) == ("4", "0")
    assert grandview["Arrest or custody avoided, share (%)"] == ""  # no on-scene encounter
    whole = by_key[("Whole", "", "Whole program")]
    assert whole["Encounters"] == "9"
    assert whole["Clinician time (minutes)"] == str(5 * 50 + 4 * 20)
    assert whole["Substance-use concern"] == "3"
    assert whole["Linked to substance-use treatment"] == "2"
    # The provider rows add up to the whole program, with the row not attributed.
    providers = [r for r in this if r["Breakdown"] == "Provider"]
    assert providers[-1]["Row"] == "Not attributed to a provider"
    assert providers[-1]["Assessment coverage (%)"] == ""
    for column in ("Mental-health calls", "Encounters", "People linked", "Repeat contacts"):
        assert sum(int(r[column]) for r in providers) == int(whole[column]), column
    # The comparisons: the three months before and the same months of 2024.
    compared = {(r[0], r[1], r[2], r[3]) for r in rows[1:] if r[0] != "This period"}
    assert compared == {
        ("Previous period", "2024-10-01", "2024-12-31", "Agency"),
        ("Previous period", "2024-10-01", "2024-12-31", "Whole"),
        ("Same period a year before", "2024-01-01", "2024-03-31", "Agency"),
        ("Same period a year before", "2024-01-01", "2024-03-31", "Whole"),
    }


def test_the_csv_file_has_the_pages_comparisons(data, earlier, program_manager, staff_client):
    client = staff_client(program_manager)
    rows = csv_table(client.get(CSV_URL, PERIOD))
    header = rows[0]
    wholes = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:] if r[3] == "Whole"}
    page = client.get(URL, PERIOD).context["report"]
    assert wholes["This period"]["Encounters"] == str(page.total.encounters) == "9"
    assert wholes["Previous period"]["Encounters"] == str(page.previous.total.encounters) == "6"
    before = wholes["Same period a year before"]
    assert before["Encounters"] == str(page.year_before.total.encounters) == "12"
    assert before["Mental-health calls"] == "100"


def test_the_liaisons_csv_file_is_their_agencys(data, blue_springs_liaison, staff_client):
    response = staff_client(blue_springs_liaison).get(CSV_URL, PERIOD)
    assert "blue-springs" in response["Content-Disposition"]
    rows = csv_table(response)
    agencies = {(r[0], r[5]) for r in rows if r[3] == "Agency"}
    assert agencies == {
        ("This period", "blue-springs"),
        ("Previous period", "blue-springs"),
        ("Same period a year before", "blue-springs"),
    }
    whole = [dict(zip(rows[0], r, strict=True)) for r in rows if r[3] == "Whole"][0]
    assert (whole["Period"], whole["Encounters"]) == ("This period", "5")


# --- The charts ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["encounters", "coverage"])
def test_a_chart_is_an_svg_image_with_a_title_and_a_text_alternative(
    data, program_manager, staff_client, name
):
    response = staff_client(program_manager).get(chart_url(name), PERIOD)
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 (the portal's own output)
    assert root.tag == f"{SVG_NS}svg"
    title = root.find(f"{SVG_NS}title").text
    desc = root.find(f"{SVG_NS}desc").text
    assert "January 2025 to March 2025" in title
    assert "By month" in desc
    # The image's own policy lets matplotlib's inline styles apply and nothing else.
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "default-src 'none'" in policy
    assert "script-src 'none'" in policy


def test_the_page_embeds_the_charts_with_their_text_alternatives(
    data, program_manager, staff_client
):
    response = staff_client(program_manager).get(URL, PERIOD)
    html = response.content.decode()
    query = "start=2025-01-01&amp;end=2025-03-31"
    assert f'src="{chart_url("encounters")}?{query}"' in html
    assert f'src="{chart_url("coverage")}?{query}"' in html
    assert "9 encounters and 99 mental-health calls" in html  # the encounters chart's alt
    assert "5 of 99 calls (5.1%)" in html  # the coverage chart's alt
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_chart_draws_the_month_tables_numbers(data, program_manager, staff_client):
    svg = staff_client(program_manager).get(chart_url("coverage"), PERIOD).content.decode()
    # January: 2 on-site assessments of 40 calls, February: 2 of 39, March: 1 of 20.
    assert (
        "Coverage went from 5.0% in January 2025 to 5.0% in March 2025. "
        "The lowest was 5.0% in January 2025, the highest 5.1% in February 2025."
    ) in svg
    assert "Over the period, 5 of 99 calls (5.1%)." in svg


def test_an_unknown_chart_is_not_found(program_manager, staff_client):
    assert staff_client(program_manager).get(chart_url("people"), PERIOD).status_code == 404


def test_a_period_without_data_still_draws(program_manager, staff_client):
    response = staff_client(program_manager).get(chart_url("coverage"), PERIOD)
    assert response.status_code == 200
    assert b"No call volume was reported" in response.content


# --- Audit and cost -------------------------------------------------------------------


def test_every_view_of_the_dashboard_is_audited_with_its_filters(
    data, program_manager, staff_client
):
    client = staff_client(program_manager)
    query = {**PERIOD, "agency": "grandview", "provider": "burrell"}
    for url in ALL_URLS:
        client.get(url, query)
    events = AuditEvent.objects.filter(object_type="coresponder.dashboard").order_by("id")
    assert [(e.action, e.detail["part"]) for e in events] == [
        (AuditAction.VIEW, "page"),
        (AuditAction.EXPORT, "csv"),
        (AuditAction.VIEW, "chart:encounters"),
        (AuditAction.VIEW, "chart:coverage"),
        (AuditAction.VIEW, "chart:agencies"),
    ]
    for event in events:
        assert event.actor_id == program_manager.pk
        assert event.detail["start"] == "2025-01-01"
        assert event.detail["end"] == "2025-03-31"
        assert event.detail["agency"] == "grandview"
        assert event.detail["provider"] == "burrell"
        assert event.detail["substance_use"] is True


@pytest.mark.parametrize("url", [URL, CSV_URL, chart_url("encounters"), chart_url("agencies")])
def test_the_number_of_queries_does_not_grow_with_the_data(
    data, program_manager, staff_client, url
):
    client = staff_client(program_manager)
    client.get(url, PERIOD)  # the session and the user are loaded once
    with CaptureQueriesContext(connection) as few:
        client.get(url, PERIOD)
    for n in range(30):
        encounter(
            agency=("raytown", "independence", "oak-grove")[n % 3],
            provider=("rediscover", "burrell")[n % 2],
            date=f"2025-0{1 + n % 3}-{1 + n % 28:02d}",
            person_key=f"p{n % 4}",
        )
        MonthlyCallVolume.objects.get_or_create(
            agency=org(("raytown", "independence", "oak-grove")[n % 3]),
            month=dt.date(2025, 1 + n % 3, 1),
            defaults={"mh_calls": 10},
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, PERIOD)
    assert response.status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 14


@pytest.mark.parametrize("url", [URL, CSV_URL, chart_url("agencies")])
def test_the_number_of_queries_does_not_grow_with_the_agencies(program_manager, staff_client, url):
    client = staff_client(program_manager)
    encounter(agency="blue-springs", date="2025-02-03", person_key="k")
    volume("blue-springs", "2025-02", 10)
    client.get(url, PERIOD)
    with CaptureQueriesContext(connection) as one:
        client.get(url, PERIOD)
    agencies = ["independence", "lees-summit", "grandview", "raytown", "buckner", "oak-grove"]
    for n, agency in enumerate(agencies):
        encounter(agency=agency, provider=("burrell", "rediscover")[n % 2], date="2025-02-03")
        encounter(agency=agency, date="2024-02-03", person_key="k")  # a year before
        volume(agency, "2025-02", 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, PERIOD)
    assert response.status_code == 200
    assert len(many) == len(one)
    if url == URL:
        agencies_shown = response.context["agency_rows"]
        assert sum(row["value"] == "1" for row in agencies_shown) == 7
