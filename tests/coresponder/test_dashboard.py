"""The co-responder dashboard: who sees what, the CSV file, the charts, the audit log."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, AuditOutcome
from accounts.roles import Role
from coresponder.models import MonthlyCallVolume
from coresponder.views.dashboard import default_period
from tests.coresponder.factories import clinician_for, encounter, org

pytestmark = pytest.mark.django_db

URL = reverse("coresponder:dashboard:index")
CSV_URL = reverse("coresponder:dashboard:csv")
PERIOD = {"start": "2025-01-01", "end": "2025-03-31"}
SVG_NS = "{http://www.w3.org/2000/svg}"


def chart_url(name: str) -> str:
    return reverse("coresponder:dashboard:chart", kwargs={"name": name})


ALL_URLS = [URL, CSV_URL, chart_url("encounters"), chart_url("coverage")]


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
    assert len(header) == 3 + 13  # breakdown, row, code and the thirteen shared measures
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
    assert client.get(chart_url("coverage"), query).status_code == 400


# --- The CSV file -----------------------------------------------------------------------


def test_the_csv_file_holds_every_table(data, program_manager, staff_client):
    response = staff_client(program_manager).get(CSV_URL, PERIOD)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "coresponder-measures-2025-01-01-to-2025-03-31.csv" in response["Content-Disposition"]
    rows = csv_table(response)
    header = rows[0]
    assert header[:5] == ["Breakdown", "Row", "Code", "Mental-health calls", "Encounters"]
    assert "Assessment coverage (%)" in header
    assert "Clinician time (minutes)" in header
    assert header[-2:] == ["Substance-use concern", "Linked to substance-use treatment"]
    by_key = {(r[0], r[2]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert [r[0] for r in rows[1:]].count("Agency") == 8
    assert [r[0] for r in rows[1:]].count("Provider") == 2
    january = by_key[("Month", "2025-01")]
    assert january["Row"] == "January 2025"
    assert (january["Mental-health calls"], january["Encounters"]) == ("40", "2")
    assert january["Assessment coverage (%)"] == "5.0"  # 2 on-site assessments of 40 calls
    grandview = by_key[("Agency", "grandview")]
    assert (grandview["Encounters"], grandview["On-site assessments"]) == ("4", "0")
    assert grandview["Arrest or custody avoided, share (%)"] == ""  # no on-scene encounter
    whole = by_key[("Whole", "")]
    assert whole["Encounters"] == "9"
    assert whole["Clinician time (minutes)"] == str(5 * 50 + 4 * 20)
    assert whole["Substance-use concern"] == "3"
    assert whole["Linked to substance-use treatment"] == "2"


def test_the_liaisons_csv_file_is_their_agencys(data, blue_springs_liaison, staff_client):
    response = staff_client(blue_springs_liaison).get(CSV_URL, PERIOD)
    assert "blue-springs" in response["Content-Disposition"]
    rows = csv_table(response)
    agencies = [r for r in rows if r[0] == "Agency"]
    assert [r[2] for r in agencies] == ["blue-springs"]
    whole = dict(zip(rows[0], rows[-1], strict=True))
    assert whole["Encounters"] == "5"


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
    assert "5 of 99 calls (5.1%), from 5.0% in January 2025 to 5.1% in February 2025" in svg


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
    ]
    for event in events:
        assert event.actor_id == program_manager.pk
        assert event.detail["start"] == "2025-01-01"
        assert event.detail["end"] == "2025-03-31"
        assert event.detail["agency"] == "grandview"
        assert event.detail["provider"] == "burrell"
        assert event.detail["substance_use"] is True


@pytest.mark.parametrize("url", [URL, CSV_URL, chart_url("encounters")])
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
