"""Data-quality checks (coresponder.quality): the errors the encounter form and the import
refuse, and the warnings the import, the call-volume form and the dashboard show."""

import csv
import datetime as dt
import html
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from core.dates import add_months, month_start
from coresponder import quality, services
from coresponder.dictionary import ENCOUNTER_COLUMNS, VOLUME_COLUMNS
from coresponder.models import Encounter, ImportJob, ImportStatus, MonthlyCallVolume
from tests.coresponder.factories import encounter, org, row

pytestmark = pytest.mark.django_db

START = dt.date(2020, 1, 1)


def months_ago(count: int) -> dt.date:
    """The first day of a month that has ended, `count` months before the current one."""
    return add_months(month_start(services.today()), -count)


def assessed(month: dt.date, count: int, *, agency="blue-springs", provider="rediscover", **kw):
    """`count` on-site assessments (on scene, assessment done) in that month."""
    for number in range(count):
        encounter(
            agency=agency,
            provider=provider,
            date=(month + dt.timedelta(days=number % 28)).isoformat(),
            contact_type="on-scene",
            assessment="yes",
            **kw,
        )


def volume(month: dt.date, mh_calls: int, *, agency="blue-springs") -> MonthlyCallVolume:
    return MonthlyCallVolume.objects.create(agency=org(agency), month=month, mh_calls=mh_calls)


def encounters_link(agency: str, month: dt.date) -> str:
    return f"/staff/coresponder/encounters/?month={month:%Y-%m}&agency={agency}"


def volume_link(agency: str, month: dt.date) -> str:
    return f"/staff/coresponder/volume/?agency={agency}&month={month:%Y-%m}#volume-form"


def text_of(response) -> str:
    """The page's text as a reader sees it: entities decoded, white space collapsed."""
    return " ".join(html.unescape(response.content.decode()).split())


# --- The encounter's date: an error -----------------------------------------------------


def test_an_encounter_date_must_fall_between_the_program_start_and_today():
    today = dt.date(2026, 3, 14)
    assert quality.encounter_date_problem(START, today=today) is None
    assert quality.encounter_date_problem(today, today=today) is None
    assert quality.encounter_date_problem(dt.date(15, 11, 10), today=today) == (
        "0015-11-10 is before the program's start (2020-01-01): check the date"
    )
    assert quality.encounter_date_problem(dt.date(2019, 12, 31), today=today) == (
        "2019-12-31 is before the program's start (2020-01-01): check the date"
    )
    assert quality.encounter_date_problem(dt.date(2026, 3, 15), today=today) == (
        "2026-03-15 is in the future"
    )


def form_data(**overrides) -> dict:
    values = row(**{"date": services.today().isoformat(), **overrides})
    values["concerns"] = [c for c in values["concerns"].split(";") if c]
    return values


@pytest.mark.parametrize("typed", ["0015-11-10", "2019-12-31"])
def test_the_form_refuses_an_encounter_dated_before_the_program_start(clinician_client, typed):
    response = clinician_client.post(
        reverse("coresponder:entry:encounter_new"), form_data(date=typed)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == [
        f"{typed} is before the program's start (2020-01-01): check the date."
    ]
    page = text_of(response)
    assert f"Date: {typed} is before the program's start (2020-01-01)" in page  # the summary
    assert "from the program's start (2020-01-01) to today" in page  # the field's hint
    assert not Encounter.objects.exists()


def test_the_form_accepts_the_program_start_itself(clinician_client):
    response = clinician_client.post(
        reverse("coresponder:entry:encounter_new"), form_data(date="2020-01-01")
    )
    assert response.status_code == 302
    assert Encounter.objects.get().date == START


def test_the_form_says_a_well_written_date_that_does_not_exist_does_not_exist(clinician_client):
    response = clinician_client.post(
        reverse("coresponder:entry:encounter_new"), form_data(date="2023-02-30")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["date"] == [
        "2023-02-30 does not exist: February 2023 has 28 days."
    ]


def test_the_program_start_is_a_setting(clinician_client, settings):
    settings.CORESPONDER_PROGRAM_START = dt.date(2024, 7, 1)
    response = clinician_client.post(
        reverse("coresponder:entry:encounter_new"), form_data(date="2024-06-30")
    )
    assert response.context["form"].errors["date"] == [
        "2024-06-30 is before the program's start (2024-07-01): check the date."
    ]


def test_the_program_start_is_read_from_the_environment():
    assert django_settings.CORESPONDER_PROGRAM_START == START  # the default
    environment = {**os.environ, "CORESPONDER_PROGRAM_START": "2021-05-01"}
    environment.setdefault("SECRET_KEY", "only-for-this-test")
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(repr(settings.CORESPONDER_PROGRAM_START))",
        ],
        env={**environment, "DJANGO_SETTINGS_MODULE": "marc_safety.settings"},
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    assert printed.stdout.strip() == "datetime.date(2021, 5, 1)"


# --- The import ---------------------------------------------------------------------------


def csv_text(rows: list[dict], columns=ENCOUNTER_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def imported(client: Client, text: str, *, kind="encounters") -> ImportJob:
    upload = SimpleUploadedFile("data.csv", text.encode(), "text/csv")
    response = client.post(reverse("coresponder:data:import"), {"kind": kind, "file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])


def test_the_import_lists_an_impossible_date_at_its_row(program_manager_client):
    good = (services.today() - dt.timedelta(days=1)).isoformat()
    text = csv_text(
        [
            row(encounter_id="BS-1", date=good),
            row(encounter_id="BS-2", date="0015-11-10"),
            row(encounter_id="BS-3", date="2023-02-30"),
            row(encounter_id="BS-4", date="2019-12-31"),
        ]
    )
    job = imported(program_manager_client, text)
    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        {
            "row": 3,
            "column": "date",
            "reason": "0015-11-10 is before the program's start (2020-01-01): check the date",
        },
        {
            "row": 4,
            "column": "date",
            "reason": "2023-02-30 does not exist: February 2023 has 28 days",
        },
        {
            "row": 5,
            "column": "date",
            "reason": "2019-12-31 is before the program's start (2020-01-01): check the date",
        },
    ]
    assert not Encounter.objects.exists()
    page = text_of(
        program_manager_client.get(reverse("coresponder:data:import_job", args=[job.pk]))
    )
    assert "0015-11-10 is before the program's start (2020-01-01): check the date" in page
    assert "Data to check" not in page


def test_the_import_refuses_call_volume_for_a_month_before_the_start_or_to_come(
    program_manager_client,
):
    coming = add_months(month_start(services.today()), 1)
    rows = [
        {"agency": "raytown", "month": "2019-12", "mh_calls": "40"},
        {"agency": "raytown", "month": f"{coming:%Y-%m}", "mh_calls": "40"},
        {"agency": "raytown", "month": "2025-13", "mh_calls": "40"},
    ]
    job = imported(program_manager_client, csv_text(rows, VOLUME_COLUMNS), kind="volume")
    assert [(e["row"], e["reason"]) for e in job.errors] == [
        (2, "is before the program's start (2020-01-01)"),
        (3, "is in the future"),
        (4, "2025-13 does not exist: months run from 01 to 12"),
    ]


def test_an_import_stores_the_warnings_of_the_months_it_touched_and_shows_them(
    program_manager_client,
):
    touched, untouched = months_ago(2), months_ago(5)
    volume(touched, 18)
    assessed(touched, 40)
    assessed(untouched, 3, agency="raytown")  # no call volume, but not in the file
    text = csv_text(
        [
            row(
                encounter_id=f"BS-{n}",
                date=(touched + dt.timedelta(days=n)).isoformat(),
                contact_type="on-scene",
                assessment="yes",
            )
            for n in range(3)
        ]
        + [row(encounter_id="GV-1", agency="grandview", date=touched.isoformat())]
    )
    job = imported(program_manager_client, text)
    assert job.status == ImportStatus.DONE
    name = "Blue Springs Police Department"
    assert job.warnings == [
        {
            "severity": "warning",
            "code": "coverage-over-100",
            "message": f"{name}, {touched:%B %Y}: 43 on-site assessments for 18 mental-health "
            "calls (239% coverage). Check the call volume or the encounters.",
            "agency": "blue-springs",
            "month": touched.isoformat(),
            "url": encounters_link("blue-springs", touched),
            "link_text": "See the encounters",
        },
        {
            "severity": "warning",
            "code": "encounters-without-volume",
            "message": f"Grandview Police Department, {touched:%B %Y}: 1 encounter but no call "
            "volume, so the measures count the month as zero mental-health calls. "
            "Enter the month's call volume.",
            "agency": "grandview",
            "month": touched.isoformat(),
            "url": volume_link("grandview", touched),
            "link_text": "Enter the call volume",
        },
    ]
    response = program_manager_client.get(reverse("coresponder:data:import_job", args=[job.pk]))
    markup = response.content.decode()
    page = text_of(response)
    assert '<h2 class="h4" id="import-warnings-title">Data to check</h2>' in markup
    assert "2 agency-months look unlikely." in page
    assert "43 on-site assessments for 18 mental-health calls (239% coverage)" in page
    url = encounters_link("blue-springs", touched).replace("&", "&amp;")
    assert f'<a href="{url}" aria-describedby="import-warnings-1">See the encounters</a>' in markup
    assert "Raytown" not in page
    # The link leads to the rows of that agency and month.
    listed = program_manager_client.get(encounters_link("blue-springs", touched))
    assert listed.context["page"].paginator.count == 43


def test_a_clinicians_import_links_every_warning_to_their_encounters(clinician, clinician_client):
    month = months_ago(2)
    text = csv_text([row(encounter_id="BS-1", date=month.isoformat())])
    job = imported(clinician_client, text)
    assert job.status == ImportStatus.DONE
    assert [(w["code"], w["url"], w["link_text"]) for w in job.warnings] == [
        ("encounters-without-volume", encounters_link("blue-springs", month), "See the encounters")
    ]
    assert clinician_client.get(job.warnings[0]["url"]).status_code == 200


def test_a_clean_import_shows_no_panel(program_manager_client):
    month = months_ago(1)
    volume(month, 50)
    job = imported(program_manager_client, csv_text([row(date=month.isoformat())]))
    assert job.status == ImportStatus.DONE and job.warnings == []
    page = text_of(
        program_manager_client.get(reverse("coresponder:data:import_job", args=[job.pk]))
    )
    assert "Data to check" not in page


# --- The warnings ------------------------------------------------------------------------


def test_coverage_over_100_percent_is_a_warning_with_a_link_to_the_encounters():
    month = months_ago(3)
    volume(month, 18)
    assessed(month, 43)
    encounter(date=month.isoformat(), contact_type="phone", assessment="yes")  # not on site
    encounter(date=month.isoformat(), contact_type="on-scene", assessment="no")  # no assessment
    (check,) = quality.data_checks(start=month, end=month)
    assert check == quality.Check(
        severity="warning",
        code="coverage-over-100",
        message=f"Blue Springs Police Department, {month:%B %Y}: 43 on-site assessments for 18 "
        "mental-health calls (239% coverage). Check the call volume or the encounters.",
        agency="blue-springs",
        month=month,
        url=encounters_link("blue-springs", month),
        link_text="See the encounters",
    )


def test_coverage_of_exactly_100_percent_is_no_warning_and_just_over_says_so():
    month = months_ago(3)
    volume(month, 5)
    assessed(month, 5)
    assert quality.data_checks(start=month, end=month) == []
    volume(month, 200, agency="raytown")
    assessed(month, 201, agency="raytown", provider="burrell")
    (check,) = quality.data_checks(start=month, end=month)
    assert "201 on-site assessments for 200 mental-health calls (100.5% coverage)" in check.message


def test_a_month_with_encounters_but_no_call_volume_is_a_warning(program_manager_client):
    month = months_ago(1)
    encounter(agency="raytown", provider="burrell", date=month.isoformat())
    encounter(agency="raytown", provider="burrell", date=(month + dt.timedelta(days=3)).isoformat())
    (check,) = quality.data_checks(start=month, end=month)
    assert (check.code, check.agency, check.month) == (
        "encounters-without-volume",
        "raytown",
        month,
    )
    assert check.message == (
        f"Raytown Police Department, {month:%B %Y}: 2 encounters but no call volume, so the "
        "measures count the month as zero mental-health calls. Enter the month's call volume."
    )
    assert check.url == volume_link("raytown", month)
    form = program_manager_client.get(check.url.split("#")[0]).context["form"]
    assert (form["agency"].value(), form["month"].value()) == ("raytown", f"{month:%Y-%m}")


def test_the_current_month_is_not_asked_for_its_call_volume_before_it_ends():
    encounter(date=services.today().isoformat())
    assert quality.data_checks(start=services.today(), end=services.today()) == []


def test_a_call_volume_of_zero_mental_health_calls_is_a_warning():
    month = months_ago(4)
    volume(month, 0, agency="grain-valley")
    (check,) = quality.data_checks(start=month, end=month)
    assert check.code == "volume-without-mh-calls"
    assert check.message == (
        f"Grain Valley Police Department, {month:%B %Y}: the call volume has 0 mental-health "
        "calls. Check the number against the department's CAD."
    )
    assert check.url == volume_link("grain-valley", month)
    encounter(agency="grain-valley", date=month.isoformat())
    (check,) = quality.data_checks(start=month, end=month)
    assert ": the call volume has 0 mental-health calls, yet 1 encounter was recorded." in (
        check.message
    )


def test_the_warnings_come_by_month_then_agency_from_two_queries(django_assert_num_queries):
    early, late = months_ago(6), months_ago(2)
    volume(late, 0, agency="raytown")
    encounter(agency="grandview", date=late.isoformat())
    volume(early, 1, agency="independence")
    assessed(early, 2, agency="independence")
    encounter(agency="blue-springs", date=early.isoformat())
    with django_assert_num_queries(2):
        checks = quality.data_checks(start=early + dt.timedelta(days=20), end=late)
    assert [(c.month, c.agency, c.code) for c in checks] == [
        (early, "blue-springs", "encounters-without-volume"),
        (early, "independence", "coverage-over-100"),
        (late, "grandview", "encounters-without-volume"),
        (late, "raytown", "volume-without-mh-calls"),
    ]
    narrowed = quality.data_checks(start=early, end=late, agency="raytown")
    assert [c.agency for c in narrowed] == ["raytown"]
    assert quality.data_checks(start=late, end=early) == []


def test_narrowed_to_a_provider_the_checks_count_its_encounters_in_its_months():
    month = months_ago(2)
    volume(month, 4)
    assessed(month, 3, provider="rediscover")
    assessed(month, 3, provider="burrell")
    volume(month, 0, agency="raytown")  # a month ReDiscover did not work in
    everyone = quality.data_checks(start=month, end=month)
    assert [(c.agency, c.code) for c in everyone] == [
        ("blue-springs", "coverage-over-100"),
        ("raytown", "volume-without-mh-calls"),
    ]
    assert quality.data_checks(start=month, end=month, provider="rediscover") == []


# --- The call-volume form ---------------------------------------------------------------


def saved_messages(client: Client, data: dict) -> list[str]:
    response = client.post(reverse("coresponder:entry:volume"), data, follow=True)
    assert response.redirect_chain, response.content.decode()[:2000]
    return [str(m) for m in response.context["messages"]]


def test_the_volume_form_saves_zero_calls_and_warns(program_manager_client):
    month = months_ago(1)
    shown = saved_messages(
        program_manager_client, {"agency": "raytown", "month": f"{month:%Y-%m}", "mh_calls": "0"}
    )
    assert MonthlyCallVolume.objects.get().mh_calls == 0
    assert shown == [
        f"Saved Raytown Police Department, {month:%B %Y}: 0 mental-health calls.",
        f"Raytown Police Department, {month:%B %Y}: the call volume has 0 mental-health calls. "
        "Check the number against the department's CAD.",
    ]


def test_the_volume_form_warns_when_the_month_then_has_coverage_over_100(program_manager_client):
    month = months_ago(1)
    assessed(month, 12)
    data = {"agency": "blue-springs", "month": f"{month:%Y-%m}", "mh_calls": "5"}
    shown = saved_messages(program_manager_client, data)
    assert shown[1] == (
        f"Blue Springs Police Department, {month:%B %Y}: 12 on-site assessments for 5 "
        "mental-health calls (240% coverage). Check the call volume or the encounters."
    )
    assert saved_messages(program_manager_client, {**data, "mh_calls": "30"}) == [
        f"Saved Blue Springs Police Department, {month:%B %Y}: 30 mental-health calls."
    ]


def test_the_volume_form_refuses_a_month_before_the_program_start(program_manager_client):
    data = {"agency": "raytown", "month": "2019-12", "mh_calls": "40"}
    response = program_manager_client.post(reverse("coresponder:entry:volume"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["month"] == [
        "Month is before the program's start (2020-01-01)."
    ]


# --- The panel ---------------------------------------------------------------------------


def test_the_panel_lists_each_check_with_a_link_and_a_count_and_nothing_when_empty():
    month = dt.date(2025, 3, 1)
    checks = [
        quality.Check(
            "warning",
            "volume-without-mh-calls",
            "Raytown, March 2025: 0 calls.",
            "raytown",
            month,
            volume_link("raytown", month),
            "Correct the call volume",
        ),
        quality.Check("warning", "coverage-over-100", "Hidden link.", "raytown", month, ""),
    ]
    markup = render_to_string("coresponder/_data_to_check.html", {"checks": checks})
    assert 'aria-labelledby="data-to-check-title"' in markup
    assert '<h2 class="h4" id="data-to-check-title">Data to check</h2>' in markup
    assert "2 agency-months look unlikely." in markup
    assert (
        '<span id="data-to-check-1">Raytown, March 2025: 0 calls.</span> <a href="'
        + volume_link("raytown", month).replace("&", "&amp;")
        + '" aria-describedby="data-to-check-1">Correct the call volume</a>'
    ) in markup
    assert '<span id="data-to-check-2">Hidden link.</span></li>' in markup
    one = render_to_string("coresponder/_data_to_check.html", {"checks": checks[:1]})
    assert "1 agency-month looks unlikely." in one
    assert render_to_string("coresponder/_data_to_check.html", {"checks": []}).strip() == ""
