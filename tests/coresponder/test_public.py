"""The public figures page /co-responder/: yearly figures, suppressed, cacheable."""

import datetime as dt
import html as htmllib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coresponder.models import MonthlyCallVolume
from coresponder.public import COLUMNS, yearly_counts
from tests.coresponder.factories import encounter, org

pytestmark = pytest.mark.django_db

URL = reverse("coresponder:public")
LABELS = [c.label for c in COLUMNS]


def volume(year: int, mh_calls: int, *, agency="blue-springs", month=1) -> None:
    MonthlyCallVolume.objects.create(
        agency=org(agency), month=dt.date(year, month, 1), mh_calls=mh_calls
    )


def encounters(n: int, year: int, **fields) -> None:
    for i in range(n):
        encounter(date=f"{year}-03-{1 + i % 28:02d}", **fields)


def table_row(response, year: int) -> dict[str, str]:
    """The cells of one year's row, by column label, as a visitor reads them."""
    page = response.content.decode()
    row = re.search(rf'<tr>\s*<th scope="row">{year}\b.*?</tr>', page, re.S)
    assert row, f"no row for {year}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    texts = [htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    return dict(zip(LABELS, texts, strict=True))


@pytest.fixture
def program_years():
    # 2024: enough of everything to show it all.
    volume(2024, 250, agency="blue-springs")
    volume(2024, 150, agency="raytown", month=2)
    encounters(30, 2024, linked_to_services="yes", service_type="outpatient")  # on scene
    encounters(12, 2024, contact_type="phone")
    encounters(15, 2024, assessment="no")
    encounters(12, 2024, assessment="no", disposition="arrest")
    # 2023: a handful of encounters.
    volume(2023, 300)
    encounters(5, 2023)
    # 2025: 20 on-scene encounters of which 3 ended in arrest or custody.
    volume(2025, 250)
    encounters(17, 2025)
    encounters(2, 2025, disposition="arrest")
    encounters(1, 2025, disposition="other-custody")


def test_yearly_counts_follow_the_data_dictionary():
    encounter(date="2024-05-01")  # on scene, assessed, resolved
    encounter(date="2024-05-02", contact_type="phone")  # assessed, not on scene
    encounter(date="2024-05-03", contact_type="follow-up-visit", assessment="no")
    encounter(date="2024-05-04", disposition="involuntary-hold")  # not custody
    encounter(date="2024-05-05", disposition="other-custody")
    encounter(date="2024-05-06", linked_to_services="yes", service_type="crisis-center")
    volume(2024, 40)
    volume(2024, 2, agency="grandview", month=12)
    assert yearly_counts()[2024] == {
        "mh_calls": 42,
        "onsite_assessments": 4,
        "field_assessments": 5,
        "linked_encounters": 1,
        "on_scene": 4,
        "avoided": 3,
        "custody": 1,
        "assessed_elsewhere": 1,
        "on_scene_unassessed": 0,
    }


def test_a_year_with_enough_data_shows_every_figure(client, program_years):
    response = client.get(URL)
    assert response.status_code == 200
    assert table_row(response, 2024) == {
        "Mental-health calls": "400",
        "On-site assessments": "30",
        "Coverage": "8%",
        "Field assessments": "42",
        "Encounters linked to services": "30",
        "On-scene encounters": "57",
        "Arrest or custody avoided": "79%",
    }


def test_small_counts_read_fewer_than_11(client, program_years):
    row = table_row(client.get(URL), 2023)
    assert row["Mental-health calls"] == "300"
    assert row["On-site assessments"] == "fewer than 11"
    assert row["On-scene encounters"] == "fewer than 11"
    assert row["Coverage"] == "not shown"
    assert row["Encounters linked to services"] == "0"


def test_a_share_that_would_give_away_a_few_arrests_is_not_shown(client, program_years):
    row = table_row(client.get(URL), 2025)
    assert row["On-scene encounters"] == "20"
    assert row["Arrest or custody avoided"] == "not shown"  # 85% of 20 = 17, so 3 arrests
    assert row["Coverage"] == "8%"


def test_years_come_in_order_and_the_current_one_is_marked_so_far(client, program_years):
    today = dt.date.today()
    for _ in range(12):
        encounter(date=today.isoformat())
    page = client.get(URL).content.decode()
    years = [int(y) for y in re.findall(r'<th scope="row">(\d{4})', page)]
    assert years == [2023, 2024, 2025, today.year]
    assert re.search(rf'<th scope="row">{today.year} <span[^>]*>\(so far\)', page)
    assert page.count("(so far)") == 1


def test_the_page_explains_each_figure_and_the_suppression(client, program_years):
    page = htmllib.unescape(client.get(URL).content.decode())
    assert "<caption>" in page
    assert page.count('<th scope="col"') == len(COLUMNS) + 1
    for column in COLUMNS:
        assert column.explanation in page
    assert "counts encounters, not people" in page
    assert "any count from 1 to 10 is shown as <em>fewer than 11</em>" in page


def test_no_record_or_small_area_detail_reaches_the_page(client, program_years):
    encounter(
        date="2024-06-01",
        encounter_id="RT-SECRET-77",
        agency="raytown",
        provider="burrell",
        cad_incident="CAD-998877",
        person_key="pk-4f9a1c",
        concerns="substance-use",
        linked_to_services="yes",
        service_type="substance-use-treatment",
    )
    page = client.get(URL).content.decode()
    for detail in ("RT-SECRET-77", "CAD-998877", "pk-4f9a1c", "Raytown", "Blue Springs"):
        assert detail not in page
    for word in ("Burrell", "ReDiscover", "substance-use-treatment", "Substance use treatment"):
        assert word not in page


def test_without_call_volume_coverage_is_not_reported(client):
    encounters(12, 2024)
    row = table_row(client.get(URL), 2024)
    assert row["Mental-health calls"] == row["Coverage"] == "not reported"
    assert row["On-site assessments"] == "12"


def test_an_empty_program_says_so(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "No figures are published yet." in response.content.decode()


def test_anonymous_visitors_get_a_cacheable_page(client, program_years):
    first = client.get(URL)
    assert first.status_code == 200
    assert not first.cookies
    assert "private" not in first.get("Cache-Control", "")
    second = client.get(URL)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_the_page_only_answers_reads(client):
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200


def test_the_query_count_does_not_grow_with_the_years(client):
    volume(2024, 100)
    encounters(2, 2024)
    with CaptureQueriesContext(connection) as one_year:
        client.get(URL)
    for year in (2020, 2021, 2022, 2023):
        volume(year, 100)
        encounters(2, year)
    from core.pagecache import invalidate_all

    invalidate_all()
    with CaptureQueriesContext(connection) as five_years:
        client.get(URL)
    assert len(five_years) == len(one_year) <= 4
