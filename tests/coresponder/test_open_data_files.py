"""The released figures as open data files: /co-responder/<year>/figures.csv and .json (the
current revision) and /co-responder/<year>/revision-<n>/figures.csv and .json (fixed).

They must say exactly what the release's page prints, and a figure the page does not print
as a number must never be a number in a file. The clock is frozen in March 2026.
"""

import csv
import html as htmllib
import io
import json
import re

import pytest
from django.urls import reverse

from coresponder.dictionary import DICTIONARY_VERSION
from coresponder.public import COLUMNS
from coresponder.views.opendata import CSV_COLUMNS
from tests.coresponder.factories import encounter
from tests.coresponder.test_public import (  # noqa: F401 (fixtures)
    encounters,
    march_2026,
    program_years,
    publish,
    table_row,
    volume,
)

pytestmark = pytest.mark.django_db

LABEL = {c.key: c.label for c in COLUMNS}
HIDDEN = ("small", "withheld", "not-applicable", "not-reported")
MARKERS = {
    "small": "suppressed",
    "withheld": "suppressed",
    "not-applicable": "not applicable",
    "not-reported": "not reported",
}


@pytest.fixture
def released(program_years, program_manager):  # noqa: F811
    for year in (2023, 2024, 2025):
        publish(year, program_manager)


@pytest.fixture
def revised(released, program_manager):
    """2024 revised: 15 phone encounters of 2024 came in late."""
    for i in range(15):
        encounter(date=f"2024-11-{1 + i:02d}", contact_type="phone")
    return publish(2024, program_manager, note="Records from Raytown arrived late.")


def files(client, year: int, revision: int | None = None) -> tuple[list[dict], dict]:
    """The CSV (as dicts) and the JSON of a year, or of one of its revisions."""
    if revision is None:
        csv_url = reverse("coresponder:release_csv", args=[year])
        json_url = reverse("coresponder:release_json", args=[year])
    else:
        csv_url = reverse("coresponder:release_revision_csv", args=[year, revision])
        json_url = reverse("coresponder:release_revision_json", args=[year, revision])
    csv_response, json_response = client.get(csv_url), client.get(json_url)
    assert csv_response.status_code == json_response.status_code == 200
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert json_response["Content-Type"] == "application/json; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode("utf-8"))))
    return rows, json.loads(json_response.content)


def page_rows(client, url: str, year: int) -> dict[str, dict[str, str]]:
    """The release page's two rows, {row: {column label: text}}, as a visitor reads them."""
    page = client.get(url)
    return {
        "year": table_row(page, year),
        "to_date": table_row(page, f"All years through {year}"),
    }


def is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text.strip()) is not None


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_the_files_hold_exactly_the_figures_the_page_prints(client, released, year):
    rows, document = files(client, year)
    printed = page_rows(client, reverse("coresponder:release", args=[year]), year)
    from_json = {
        row["row"]: {LABEL[key]: figure["text"] for key, figure in row["figures"].items()}
        for row in document["rows"]
    }
    from_csv: dict[str, dict[str, str]] = {}
    for line in rows:
        from_csv.setdefault(line["row"], {})[line["label"]] = line["text"]
    assert from_json == from_csv == printed
    # A shown figure's value is the number the page prints (a percent for a share).
    for line in rows:
        if line["status"] == "shown" and line["unit"] == "count":
            assert line["value"] == line["text"]
        if line["status"] == "shown" and line["unit"] == "percent":
            assert line["text"].endswith("%") and line["value"] in line["text"]


def test_no_suppressed_figure_is_ever_a_number_in_either_file(client, released, revised):
    seen = set()
    for year, revision in ((2023, None), (2024, None), (2024, 1), (2024, 2), (2025, None)):
        rows, document = files(client, year, revision)
        for line in rows:
            seen.add(line["status"])
            if line["status"] != "shown":
                assert line["value"] == MARKERS[line["status"]]
                assert not is_number(line["value"]) and not is_number(line["text"])
                assert line["reason"]
            else:
                assert is_number(line["value"])
        for row in document["rows"]:
            for figure in row["figures"].values():
                if figure["status"] != "shown":
                    assert figure["value"] is None
                    assert not re.search(r"\d", figure["text"].replace("11", ""))
                    assert figure["reason"]
                else:
                    assert isinstance(figure["value"], int)
    assert {"shown", "small", "withheld"} <= seen


def test_the_files_say_the_year_revision_date_and_dictionary_version(client, released):
    rows, document = files(client, 2024)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == 2 * len(COLUMNS)
    assert {(r["year"], r["revision"], r["published"]) for r in rows} == {
        ("2024", "1", "2026-03-16")
    }
    assert {r["dictionary_version"] for r in rows} == {DICTIONARY_VERSION}
    assert document["year"] == 2024 and document["revision"] == 1
    assert document["published"] == document["first_published"] == "2026-03-16"
    assert document["dictionary_version"] == DICTIONARY_VERSION
    assert document["page"] == "http://127.0.0.1:8000/co-responder/2024/revision-1/"
    # The markers are documented in the file itself.
    assert document["statuses"]["small"]["marker"] == "suppressed"
    assert document["statuses"]["shown"]["marker"] is None
    assert [c["key"] for c in document["columns"]] == [c.key for c in COLUMNS]


def test_a_figure_hidden_across_releases_carries_the_pages_note(client, released):
    """62 on-scene encounters to date, less 2024's 57, would give away 2023's 5."""
    rows, document = files(client, 2024)
    line = next(r for r in rows if r["row"] == "to_date" and r["figure"] == "on_scene")
    assert (line["value"], line["status"], line["text"]) == ("suppressed", "withheld", "not shown")
    page = htmllib.unescape(
        client.get(reverse("coresponder:release", args=[2024])).content.decode()
    )
    assert line["reason"] and line["reason"] in page
    figure = document["rows"][1]["figures"]["on_scene"]
    assert figure == {
        "value": None,
        "status": "withheld",
        "text": "not shown",
        "reason": line["reason"],
    }


def test_a_year_without_calls_or_on_scene_encounters_marks_those_figures(client, program_manager):
    encounters(12, 2024, contact_type="phone")
    publish(2024, program_manager)
    rows, _ = files(client, 2024)
    year = {r["figure"]: r for r in rows if r["row"] == "year"}
    assert year["mh_calls"]["value"] == year["coverage"]["value"] == "not reported"
    assert year["custody_avoided"]["value"] == "not applicable"
    assert year["field_assessments"]["value"] == "12"


def test_the_year_files_follow_the_current_revision_and_a_revision_file_never_changes(
    client, released, program_manager
):
    first_csv = client.get(reverse("coresponder:release_revision_csv", args=[2024, 1])).content
    first_json = client.get(reverse("coresponder:release_revision_json", args=[2024, 1])).content
    assert client.get(reverse("coresponder:release_csv", args=[2024])).content == first_csv
    for i in range(15):
        encounter(date=f"2024-11-{1 + i:02d}", contact_type="phone")
    publish(2024, program_manager, note="Records from Raytown arrived late.")

    rows, document = files(client, 2024)
    assert document["revision"] == 2
    assert document["revision_note"] == "Records from Raytown arrived late."
    assert {r["revision"] for r in rows} == {"2"}
    printed = page_rows(client, reverse("coresponder:release", args=[2024]), 2024)
    assert {r["label"]: r["text"] for r in rows if r["row"] == "year"} == printed["year"]
    # Revision 1 is kept as it was published, byte for byte.
    assert client.get(reverse("coresponder:release_revision_csv", args=[2024, 1])).content == (
        first_csv
    )
    assert client.get(reverse("coresponder:release_revision_json", args=[2024, 1])).content == (
        first_json
    )


def test_no_csv_cell_starts_like_a_spreadsheet_formula(client, released, program_manager):
    for i in range(15):
        encounter(date=f"2024-11-{1 + i:02d}", contact_type="phone")
    publish(2024, program_manager, note='=HYPERLINK("http://example.com") late records')
    rows, document = files(client, 2024)
    assert document["revision_note"].startswith("=HYPERLINK")  # JSON is no spreadsheet
    for line in rows:
        for value in line.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r"))
            assert not (value.startswith("-") and not is_number(value))


@pytest.mark.parametrize(
    "url",
    [
        "/co-responder/2026/figures.csv",
        "/co-responder/2026/figures.json",
        "/co-responder/2024/revision-2/figures.csv",
        "/co-responder/2024/revision-2/figures.json",
        "/co-responder/1800/figures.csv",
    ],
)
def test_unpublished_years_and_revisions_have_no_files(client, released, url):
    assert client.get(url).status_code == 404


def test_the_release_pages_link_their_files(client, released):
    year_page = client.get(reverse("coresponder:release", args=[2024])).content.decode()
    assert 'href="/co-responder/2024/figures.csv"' in year_page
    assert 'href="/co-responder/2024/figures.json"' in year_page
    revision_page = client.get(
        reverse("coresponder:release_revision", args=[2024, 1])
    ).content.decode()
    assert 'href="/co-responder/2024/revision-1/figures.csv"' in revision_page
    assert 'href="/co-responder/2024/revision-1/figures.json"' in revision_page
    assert 'href="/open-data/"' in revision_page


def test_the_files_are_cached_for_anonymous_visitors_and_readable_from_other_sites(
    client, released
):
    url = reverse("coresponder:release_csv", args=[2025])
    first = client.get(url)
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Access-Control-Allow-Origin"] == "*"
    assert 'filename="coresponder-figures-2025-revision-1.csv"' in second["Content-Disposition"]
