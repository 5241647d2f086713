"""The monthly reports' figures on small data sets worked out by hand, and their files."""

import csv
import datetime as dt
import io
import zipfile
import zoneinfo
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from coresponder.models import MonthlyCallVolume
from peersupport.models import RequestStatus, SupportRequest
from peersupport.services import COORDINATOR, activity_log, request_transition
from reports import builders, rendering
from reports.models import ReportRun
from tests.coresponder.factories import encounter, org
from tests.peersupport.factories import member_for, submitted_request
from tests.training.factories import EventFactory, RegistrationFactory
from training.models import EventStatus
from training.models import RegistrationStatus as Status

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
MARCH = dt.date(2025, 3, 1)
SUBSTANCE_USE_LABELS = ("Substance-use concern", "Linked to substance-use treatment")


def chicago(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)


def figures(csv_bytes: bytes) -> dict[tuple[str, str, str], str]:
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert rows[0] == rendering.CSV_HEADER
    return {(s, m, c): v for s, m, c, v, _unit in rows[1:]}


def xlsx_text(xlsx: bytes) -> str:
    """Every cell of every sheet, as text (for "never appears anywhere" checks)."""
    workbook = load_workbook(io.BytesIO(xlsx))
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def build(kind: str, scope: str = "", period: dt.date = MARCH) -> builders.BuiltReport:
    return builders.build(ReportRun(kind=kind, period=period, scope=scope))


# --- Co-responder ----------------------------------------------------------------------


@pytest.fixture
def coresponder_data():
    """Encounters around March 2025 and the call volume of the months they fall in.

    date        agency        provider    contact    concerns               linked
    2024-12-30  grandview     rediscover  on-scene   mental-health          -        (last year)
    2025-01-09  grandview     rediscover  on-scene   mental-health          -
    2025-02-14  blue-springs  rediscover  on-scene   mental-health          -
    2025-03-05  blue-springs  rediscover  on-scene   mental-health          outpatient
    2025-03-10  blue-springs  burrell     phone      mental-health;su       -
    2025-03-20  grandview     rediscover  on-scene   mental-health          su treatment
    """
    for day, agency, provider, extra in [
        ("2024-12-30", "grandview", "rediscover", {}),
        ("2025-01-09", "grandview", "rediscover", {}),
        ("2025-02-14", "blue-springs", "rediscover", {}),
        (
            "2025-03-05",
            "blue-springs",
            "rediscover",
            {"linked_to_services": "yes", "service_type": "outpatient"},
        ),
        (
            "2025-03-10",
            "blue-springs",
            "burrell",
            {"contact_type": "phone", "concerns": "mental-health;substance-use"},
        ),
        (
            "2025-03-20",
            "grandview",
            "rediscover",
            {"linked_to_services": "yes", "service_type": "substance-use-treatment"},
        ),
    ]:
        encounter(date=day, agency=agency, provider=provider, **extra)
    for agency, month, calls in [
        ("blue-springs", "2025-03-01", 40),
        ("grandview", "2025-03-01", 10),
        ("blue-springs", "2025-02-01", 30),
        ("grandview", "2025-01-01", 20),
    ]:
        MonthlyCallVolume.objects.create(
            agency=org(agency), month=dt.date.fromisoformat(month), mh_calls=calls
        )


def test_program_report_has_month_previous_month_and_year_to_date(coresponder_data):
    built = build("coresponder")
    table = figures(built.csv)

    def measure(name: str) -> list[str]:
        return [
            table[("Program measures", name, column)]
            for column in ("March 2025", "February 2025", "Change", "Year to date (Jan–Mar 2025)")
        ]

    assert measure("Encounters") == ["3", "1", "2", "5"]
    assert measure("Mental-health calls") == ["50", "30", "20", "100"]
    assert measure("On-site assessments") == ["2", "1", "1", "4"]
    assert measure("Assessment coverage") == ["4.0", "3.3", "0.7", "4.0"]
    assert measure("Linked to services") == ["2", "0", "2", "2"]
    assert measure("Substance-use concern") == ["1", "0", "1", "1"]
    assert measure("Linked to substance-use treatment") == ["1", "0", "1", "1"]
    assert table[("By agency, March 2025", "Blue Springs Police Department", "Encounters")] == "2"
    assert table[("By provider, March 2025", "Burrell Behavioral Health", "Encounters")] == "1"
    assert "4.0%" in built.html and "Substance-use concern" in built.html


def test_the_provider_table_adds_up_to_the_program_with_a_not_attributed_row(coresponder_data):
    table = figures(build("coresponder").csv)
    providers = "By provider, March 2025"
    rows = ("ReDiscover", "Burrell Behavioral Health", "Not attributed to a provider")
    # Both providers worked in Blue Springs in March: its 40 calls are in both rows.
    calls = [table[(providers, row, "Mental-health calls")] for row in rows]
    assert calls == ["50", "40", "-40"]
    assert sum(int(c) for c in calls) == int(
        table[("Program measures", "Mental-health calls", "March 2025")]
    )
    encounters = [int(table[(providers, row, "Encounters")]) for row in rows]
    assert sum(encounters) == 3


def test_report_embeds_the_twelve_month_chart_as_an_inline_svg(coresponder_data):
    built = build("coresponder")
    assert 'src="data:image/svg+xml;base64,' in built.html
    assert "April 2024 to March 2025" in built.html  # the chart's title: the last 12 months
    by_month = figures(built.csv)
    assert by_month[("By month", "January 2025", "Encounters")] == "1"
    assert by_month[("By month", "March 2025", "Mental-health calls")] == "50"
    assert ("By month", "March 2024", "Encounters") not in by_month


def test_agency_report_has_no_substance_use_figures(coresponder_data):
    built = build("coresponder", "agency:blue-springs")
    table = figures(built.csv)

    assert table[("Program measures", "Encounters", "March 2025")] == "2"
    assert table[("Program measures", "Mental-health calls", "March 2025")] == "40"
    for text in (built.html, built.csv.decode("utf-8-sig"), xlsx_text(built.xlsx)):
        for label in SUBSTANCE_USE_LABELS:
            assert label not in text
    assert "Blue Springs Police Department" in built.html


def test_provider_report_keeps_substance_use_and_narrows_to_the_provider(coresponder_data):
    table = figures(build("coresponder", "provider:burrell").csv)
    assert table[("Program measures", "Encounters", "March 2025")] == "1"
    assert table[("Program measures", "Substance-use concern", "March 2025")] == "1"


def test_unknown_scope_is_an_error():
    with pytest.raises(ValueError, match="scope"):
        builders.document_for(kind="coresponder", period=MARCH, scope="agency:atlantis")


# --- Peer support ----------------------------------------------------------------------

CONTACT = {
    "contact_name": "Zelda Quixote",
    "contact_phone": "816-555-0199",
    "contact_email": "zelda.quixote@example.net",
    "contact_method": "email",
    "best_time": "Mornings before nine",
    "requester_role": "Night shift lead",
}


def submitted_at(when: dt.datetime, **overrides) -> SupportRequest:
    support_request, _ = submitted_request(**CONTACT, **overrides)
    SupportRequest.objects.filter(pk=support_request.pk).update(submitted_at=when)
    support_request.refresh_from_db()
    return support_request


def move(support_request, *statuses, by) -> SupportRequest:
    for status in statuses:
        support_request = request_transition(
            support_request=support_request, to_status=status, by=by, actor_role=COORDINATOR
        )
    return support_request


@pytest.fixture
def peer_data(make_staff):
    """March 2025: two debriefings and a phone call, one from outside the region."""
    coordinator = make_staff()
    member = member_for(make_staff())
    first = submitted_at(chicago(2025, 3, 3, 9), request_type="group", incident_kind="child")
    second = submitted_at(chicago(2025, 3, 17, 9), request_type="phone", incident_kind="suicide")
    outside = submitted_at(
        chicago(2025, 3, 31, 22),  # April 1 in UTC: still March in Chicago
        request_type="group",
        incident_kind="child",
        outside_agency_name="Faraway County ECC",
    )
    submitted_at(chicago(2025, 2, 27, 9), request_type="command")  # February: left out
    move(outside, RequestStatus.APPROVED, by=coordinator)
    for support_request, hours in ((first, 2), (second, 6)):
        move(support_request, RequestStatus.ASSIGNED, RequestStatus.CONTACTED, by=coordinator)
        SupportRequest.objects.filter(pk=support_request.pk).update(
            first_contact_at=support_request.submitted_at + dt.timedelta(hours=hours)
        )
    for day, service, people, hours in [(4, "debriefing", 9, "2.5"), (18, "one_on_one", 1, "1")]:
        activity_log(
            support_request=first,
            member=member,
            date=dt.date(2025, 3, day),
            service_type=service,
            people_reached=people,
            hours=Decimal(hours),
            follow_up_needed=False,
            by=coordinator,
        )
    return [first, second, outside]


def test_peer_support_report_counts_requests_contacts_and_activities(peer_data):
    table = figures(build("peersupport").csv)

    assert table[("Requests by type of support", "Group debriefings (CISD)", "Requests")] == "2"
    assert table[("Requests by type of support", "One-to-one, by phone", "Requests")] == "1"
    assert table[("Requests by type of support", "All requests", "Requests")] == "3"
    assert table[("Requests by kind of incident", "Child death or injury", "Requests")] == "2"
    assert table[("Requests by kind of incident", "Suicide", "Requests")] == "1"
    first_contact = "Time from request to first contact"
    assert table[(first_contact, "Median", "Figure")] == "240"  # minutes: (2 h + 6 h) / 2
    assert table[(first_contact, "90th percentile", "Figure")] == "336"  # 2 h + 0.9 × 4 h
    services = "Activities by service type"
    assert table[(services, "Debriefing (CISD)", "People reached")] == "9"
    assert table[(services, "All services", "People reached")] == "10"
    assert table[(services, "All services", "Hours")] == "3.50"
    assert table[("Requests from outside the region", "Received", "Requests")] == "1"
    assert table[("Requests from outside the region", "Approved", "Requests")] == "1"


def test_peer_support_report_has_no_contact_details_or_references(peer_data):
    built = build("peersupport")
    secrets = [*CONTACT.values(), "Faraway County ECC"]
    secrets += [r.reference for r in peer_data]
    secrets += [r.agency.name for r in peer_data if r.agency is not None]
    outputs = {
        "html": built.html,
        "csv": built.csv.decode("utf-8-sig"),
        "xlsx": xlsx_text(built.xlsx),
        "xlsx-raw": "\n".join(
            zipfile.ZipFile(io.BytesIO(built.xlsx)).read(name).decode("utf-8", "replace")
            for name in zipfile.ZipFile(io.BytesIO(built.xlsx)).namelist()
        ),
    }
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, (name, secret)
    assert "4 h 0 min" in built.html  # the figures are there


# --- Training --------------------------------------------------------------------------


@pytest.fixture
def training_data():
    """March 2025 (Chicago): a training with CE credit, two meetings; others left out."""
    course = EventFactory(
        kind="training",
        audiences=["dispatch", "ems"],
        ce_category="technical",
        starts_at=chicago(2025, 3, 4, 9),  # two hours
    )
    for status, extra in [
        (Status.ATTENDED, {}),  # 120 min: 2 h
        (Status.ATTENDED, {"is_instructor": True, "minutes_attended": 100}),  # 2 blocks × 2
        (Status.ATTENDED, {"minutes_attended": 49}),  # under one block: 0 h
        (Status.NO_SHOW, {}),
        (Status.CONFIRMED, {}),
        (Status.WAITLISTED, {"waitlist_position": 1}),
        (Status.CANCELLED, {}),
    ]:
        RegistrationFactory(event=course, status=status, **extra)
    meeting = EventFactory(kind="meeting", audiences=["dispatch"], starts_at=chicago(2025, 3, 10))
    RegistrationFactory(event=meeting, status=Status.ATTENDED)  # no CE category: no hours
    EventFactory(kind="meeting", audiences=["law"], starts_at=chicago(2025, 3, 31, 22))
    dropped = EventFactory(
        kind="exercise", starts_at=chicago(2025, 3, 12), status=EventStatus.CANCELLED
    )
    RegistrationFactory(event=dropped, status=Status.ATTENDED)
    EventFactory(kind="exercise", starts_at=chicago(2025, 3, 20), status=EventStatus.POSTPONED)
    EventFactory(kind="training", starts_at=chicago(2025, 2, 28, 23))  # February
    EventFactory(kind="training", starts_at=chicago(2025, 4, 1, 0))  # April


def test_training_report_counts_events_registrations_attendance_and_hours(training_data):
    table = figures(build("training").csv)

    assert table[("Events held by kind", "Training", "Events")] == "1"
    assert table[("Events held by kind", "Meeting", "Events")] == "2"
    assert table[("Events held by kind", "Exercise", "Events")] == "0"
    assert table[("Events held by kind", "All events", "Events")] == "3"
    assert table[("Events held by audience", "Dispatch / 911", "Events")] == "2"
    assert table[("Events held by audience", "EMS", "Events")] == "1"
    assert table[("Events held by audience", "Law enforcement", "Events")] == "1"
    attendance = "Registrations and attendance"
    assert table[(attendance, "Registrations (seats taken)", "Figure")] == "6"
    assert table[(attendance, "Attended", "Figure")] == "4"
    assert table[(attendance, "No-shows", "Figure")] == "1"
    assert table[(attendance, "Attendance rate", "Figure")] == "80.0"
    assert table[(attendance, "Still on a waitlist", "Figure")] == "1"
    hours = "Continuing-education credit hours awarded"
    assert table[(hours, "Technical", "Hours")] == "6"
    assert table[(hours, "All categories", "Hours")] == "6"


# --- Summary and files -----------------------------------------------------------------


def test_summary_puts_the_headlines_of_the_three_programs_on_one_page(
    coresponder_data, training_data
):
    built = build("summary")
    table = figures(built.csv)

    assert table[("Co-responder program", "Encounters", "March 2025")] == "3"
    assert table[("Co-responder program", "Encounters", "February 2025")] == "1"
    assert table[("Training calendar", "Events held", "March 2025")] == "3"
    assert table[("911 peer support", "Requests received", "March 2025")] == "0"
    for label in SUBSTANCE_USE_LABELS:
        assert label not in built.html


def test_pdf_and_xlsx_are_real_files_with_the_same_figures(training_data):
    built = build("training")

    assert built.pdf.startswith(b"%PDF")
    workbook = load_workbook(io.BytesIO(built.xlsx))
    assert "Events held by kind" in workbook.sheetnames
    sheet = workbook["Registrations and attendance"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Attended"] == 4
    assert rows["Attendance rate"] == 80.0


def test_formula_looking_text_is_neutralized_in_csv_and_xlsx():
    document = rendering.Document(
        title="T",
        period=MARCH,
        scope_label="",
        tables=[
            rendering.Table(
                '=HYPERLINK("http://x")',
                ["+cmd"],
                [rendering.Row("@SUM(A1)", [rendering.count(3)])],
                label_heading="-1",
            )
        ],
    )
    text = rendering.render_csv(document).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'+cmd" in text
    sheet = load_workbook(io.BytesIO(rendering.render_xlsx(document))).worksheets[0]
    assert [c.value for c in sheet[1]] == ["'-1", "'+cmd"]
    assert [c.value for c in sheet[2]] == ["'@SUM(A1)", 3]
