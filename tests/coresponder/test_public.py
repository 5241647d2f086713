"""The public figures pages /co-responder/…: released figures only, suppressed, cacheable,
linked from the program's pages and highlight, and found by site search.

The clock is frozen in March 2026, so 2023 to 2025 are over and 2026 is running.
"""

import datetime as dt
import html as htmllib
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coresponder import services
from coresponder.models import MonthlyCallVolume
from coresponder.public import COLUMNS, counts_through, yearly_counts
from tests.coresponder.factories import encounter, org

pytestmark = pytest.mark.django_db

URL = reverse("coresponder:public")
LABELS = [c.label for c in COLUMNS]
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture(autouse=True)
def march_2026():
    with time_machine.travel(NOW, tick=True):
        yield


def volume(year: int, mh_calls: int, *, agency="blue-springs", month=1) -> None:
    MonthlyCallVolume.objects.create(
        agency=org(agency), month=dt.date(year, month, 1), mh_calls=mh_calls
    )


def encounters(n: int, year: int, **fields) -> None:
    for i in range(n):
        encounter(date=f"{year}-03-{1 + i % 28:02d}", **fields)


def publish(year: int, by, note: str = ""):
    """Close the year's months and publish it, as a program manager does on the staff pages."""
    for month in services.release_open_months(year):
        services.month_close(month=month, by=by)
    preview = services.release_preview(year=year)
    return services.release_publish(year=year, note=note, fingerprint=preview.fingerprint, by=by)


def cells_of(row_html: str) -> dict[str, str]:
    """The figures of a row, without the "(note N)" links to the notes under the table."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    texts = [htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    texts = [re.sub(r"\s*\(note \d+\)$", "", text) for text in texts]
    return dict(zip(LABELS, texts, strict=True))


def table_row(response, heading: str | int) -> dict[str, str]:
    """The cells of one row (a year, or "All years through …"), as a visitor reads them."""
    page = response.content.decode()
    row = re.search(rf'<tr[^>]*>\s*<th scope="row">{heading}</th>.*?</tr>', page, re.S)
    assert row, f"no row for {heading}"
    return cells_of(row.group(0))


def row_headings(response) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th>', response.content.decode())


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


@pytest.fixture
def released(program_years, program_manager):
    for year in (2023, 2024, 2025):
        publish(year, program_manager)


# --- Counts ---------------------------------------------------------------------------------


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


def test_the_program_to_date_sums_the_years_up_to_the_end_of_the_year():
    years = {
        2023: {"mh_calls": 10, "on_scene": 2},
        2024: {"mh_calls": 20, "on_scene": 3},
        2025: {"mh_calls": 40, "on_scene": 5},
    }
    assert counts_through(years, 2024) == {"mh_calls": 30, "on_scene": 5}
    # A year without call counts: the calls of the others alone would mislead.
    years[2023].pop("mh_calls")
    assert counts_through(years, 2025) == {"on_scene": 10}


# --- The page, before and after releases ----------------------------------------------------


def test_before_any_release_the_page_says_when_figures_come_and_shows_no_record(
    client, program_years
):
    response = client.get(URL)
    assert response.status_code == 200
    page = htmllib.unescape(response.content.decode())
    assert "No figures are published yet." in page
    assert "after the first full year of records has ended" in page
    assert "<table" not in page


def test_the_page_shows_each_released_year_and_the_program_to_date(client, released):
    response = client.get(URL)
    assert row_headings(response) == ["2023", "2024", "2025", "All years through 2025"]
    assert table_row(response, 2024) == {
        "Mental-health calls": "400",
        "On-site assessments": "30",
        "Coverage": "8%",
        "Field assessments": "42",
        "Encounters linked to services": "30",
        "On-scene encounters": "57",
        "Arrest or custody avoided": "79%",
    }
    to_date = table_row(response, "All years through 2025")
    assert to_date["Mental-health calls"] == "950"
    # 82 = 2023's few + 57 + 20: beside the printed 57 and 20 it would give 2023's 5 away.
    assert to_date["On-scene encounters"] == "not shown"


def test_small_counts_read_fewer_than_11(client, released):
    row = table_row(client.get(URL), 2023)
    assert row["Mental-health calls"] == "300"
    assert row["On-site assessments"] == "fewer than 11"
    assert row["On-scene encounters"] == "fewer than 11"
    assert row["Coverage"] == "not shown"
    assert row["Encounters linked to services"] == "0"


def test_a_share_that_would_give_away_a_few_arrests_is_not_shown(client, released):
    row = table_row(client.get(URL), 2025)
    assert row["On-scene encounters"] == "20"
    assert row["Arrest or custody avoided"] == "not shown"  # 85% of 20 = 17, so 3 arrests
    assert row["Coverage"] == "8%"


def test_the_running_year_never_appears(client, released):
    encounters(12, 2026)
    volume(2026, 100)
    response = client.get(URL)
    assert "2026" not in " ".join(row_headings(response))
    assert "so far" not in response.content.decode()


def test_a_year_without_call_volume_reads_not_reported(client, program_manager):
    encounters(12, 2024)
    publish(2024, program_manager)
    row = table_row(client.get(URL), 2024)
    assert row["Mental-health calls"] == row["Coverage"] == "not reported"
    assert row["On-site assessments"] == "12"


def test_the_page_explains_each_figure_and_the_suppression(client, released):
    page = htmllib.unescape(client.get(URL).content.decode())
    assert "<caption" in page
    assert page.count('<th scope="col"') == len(COLUMNS) + 1
    for column in COLUMNS:
        assert column.explanation in page
    assert "counts encounters, not people" in page
    assert "any count from 1 to 10 is shown as <em>fewer than 11</em>" in page
    assert "published once the year has ended" in page


def test_no_record_or_small_area_detail_reaches_the_page(client, program_years, program_manager):
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
    publish(2024, program_manager)
    for url in (URL, reverse("coresponder:release", args=[2024])):
        page = client.get(url).content.decode()
        for detail in ("RT-SECRET-77", "CAD-998877", "pk-4f9a1c", "Raytown", "Blue Springs"):
            assert detail not in page
        for word in ("Burrell", "ReDiscover", "substance-use-treatment", "Substance use"):
            assert word not in page


# --- The archive of each release -----------------------------------------------------------


def test_a_release_page_shows_both_rows_and_links_every_revision(client, released):
    response = client.get(reverse("coresponder:release", args=[2024]))
    assert response.status_code == 200
    assert row_headings(response) == ["2024", "All years through 2024"]
    to_date = table_row(response, "All years through 2024")
    assert to_date["Mental-health calls"] == "700"
    # 62 on-scene encounters, less the 57 of 2024, would give away the 5 of 2023.
    assert to_date["On-scene encounters"] == "not shown"
    page = response.content.decode()
    notes = htmllib.unescape(re.sub(r"<[^>]+>", " ", page.split("Notes to the table")[1]))
    assert "All years through 2024, On-scene encounters:" in " ".join(notes.split())
    assert 'href="/co-responder/2024/revision-1/"' in page
    assert "Published March 16, 2026." in page
    assert 'href="/co-responder/2024/"' in client.get(URL).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/co-responder/2026/",
        "/co-responder/1800/",
        "/co-responder/99999/",
        "/co-responder/2024/revision-2/",
        "/co-responder/2026/revision-1/",
    ],
)
def test_unpublished_years_and_revisions_are_not_found(client, released, url):
    assert client.get(url).status_code == 404


# --- Caching and queries ---------------------------------------------------------------------


def test_anonymous_visitors_get_a_cacheable_page(client, released):
    first = client.get(URL)
    assert first.status_code == 200
    assert not first.cookies
    assert "private" not in first.get("Cache-Control", "")
    second = client.get(URL)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_publishing_reaches_the_cached_page_at_once(client, program_years, program_manager):
    publish(2023, program_manager)
    assert row_headings(client.get(URL)) == ["2023", "All years through 2023"]
    assert client.get(URL)["X-Page-Cache"] == "hit"
    publish(2024, program_manager)
    response = client.get(URL)
    assert row_headings(response) == ["2023", "2024", "All years through 2024"]


def test_the_pages_only_answer_reads(client, released):
    for url in (URL, "/co-responder/2024/", "/co-responder/2024/revision-1/"):
        assert client.post(url).status_code == 405
        assert client.head(url).status_code == 200


def test_the_query_count_does_not_grow_with_the_releases(client, program_manager):
    volume(2020, 100)
    encounters(2, 2020)
    publish(2020, program_manager)
    with CaptureQueriesContext(connection) as one_year:
        client.get(URL)
    for year in (2021, 2022, 2023, 2024):
        volume(year, 100)
        encounters(2, year)
        publish(year, program_manager)
    from core.pagecache import invalidate_all

    invalidate_all()
    with CaptureQueriesContext(connection) as five_years:
        client.get(URL)
    assert len(five_years) == len(one_year) <= 2


# --- Found from the rest of the site ----------------------------------------------------------


@pytest.mark.parametrize("words", ["co-responder", "mental health calls", "crisis"])
def test_site_search_finds_the_figures_page(client, words):
    response = client.get("/search/", {"q": words})
    assert response.status_code == 200
    hits = response.context["page"].object_list
    assert URL in [hit.url for hit in hits]
    assert "<mark>" in response.content.decode()


def test_site_search_does_not_offer_the_figures_page_for_other_words(client):
    response = client.get("/search/", {"q": "hazardous chemicals"})
    assert URL not in [hit.url for hit in response.context["page"].object_list]


@pytest.fixture
def demo_site(db):
    from programs.services import demo_content_load

    demo_content_load()


def _highlight_card(html: str) -> str:
    card = re.search(
        r'<article class="highlight-card[^>]*id="co-responder-program".*?</article>', html, re.S
    )
    assert card, "no co-responder highlight"
    return card.group(0)


def test_the_highlight_before_any_release_links_the_figures_page_and_types_no_figure(
    client, demo_site, program_years
):
    card = _highlight_card(client.get("/highlights/2024/").content.decode())
    assert f'href="{URL}"' in card
    assert "once a year, after the year has ended" in card
    assert "figure-value" not in card
    assert "95%" not in card


def test_the_highlight_shows_the_latest_release_on_the_home_and_highlights_pages(
    client, demo_site, released
):
    public_to_date = table_row(client.get(URL), "All years through 2025")
    for page in ("/", "/highlights/2024/"):
        card = _highlight_card(client.get(page).content.decode())
        values = dict(
            (htmllib.unescape(label), value)
            for value, label in re.findall(
                r'figure-value">([^<]+)</span> <span class="figure-label">([^<]+)<', card
            )
        )
        wanted = {
            "field assessments or screenings": "Field assessments",
            "encounters linked to behavioral health services": "Encounters linked to services",
            "of on-scene encounters ended without arrest or custody": "Arrest or custody avoided",
        }
        # The highlight prints exactly the figures the public page prints, and no other.
        assert values == {
            f"{label}, all years through 2025": public_to_date[column]
            for label, column in wanted.items()
            if public_to_date[column] not in ("not shown", "fewer than 11")
        }
        assert values  # at least one figure is printed
        assert "not shown" not in card
        assert f'href="{URL}"' in card


def test_the_highlight_leaves_out_a_figure_the_release_does_not_print(
    client, demo_site, program_manager
):
    encounters(5, 2025)  # 5 on-scene encounters: a small count, its share hidden
    publish(2025, program_manager)
    card = _highlight_card(client.get("/").content.decode())
    assert "figure-value" in card
    assert "without arrest or custody" not in card
    assert "fewer than" not in card and "not shown" not in card


def test_publishing_updates_the_cached_home_page(client, demo_site, program_years, program_manager):
    assert "figure-value" not in _highlight_card(client.get("/").content.decode())
    publish(2024, program_manager)
    assert "through 2024" in _highlight_card(client.get("/").content.decode())


def test_the_program_page_links_the_figures_page(client, demo_site):
    page = client.get("/programs/public-safety-communications/co-responder-program/")
    assert page.status_code == 200
    assert f'href="{URL}"' in page.content.decode()
