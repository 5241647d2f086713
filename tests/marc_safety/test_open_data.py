"""/data.json, the open data catalogue in the Project Open Data metadata schema v1.1
(DCAT-US), the /open-data/ page that lists it for people, and the home page's
GovernmentOrganization (JSON-LD) under the strict CSP.

The catalogue is validated with jsonschema against the published schema files, kept in
tests/fixtures/pod-1.1/ (see its README): data.gov's schema for non-federal publishers in
full, and the federal schema in everything but the two federal budget codes.
"""

import base64
import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.coresponder.test_public import encounters, publish, volume
from tests.training.factories import EventFactory

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent.parent / "fixtures" / "pod-1.1"
SITE = "https://safety.example.org"
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("America/Chicago"))
# The fields the brief and the schema's text (v1.1/schema.md) require of every dataset.
REQUIRED = (
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
    "license",
    "distribution",
)


@pytest.fixture(autouse=True)
def march_2026(settings):
    settings.SITE_URL = SITE
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def released(program_manager):
    for year, calls in ((2024, 250), (2025, 300)):
        volume(year, calls)
        encounters(30, year)
        publish(year, program_manager)


def validator(catalog: str) -> Draft4Validator:
    """A validator of the catalogue schema `catalog`, its $refs resolved from the fixtures."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        if path.name.startswith("catalog"):
            continue
        contents = json.loads(path.read_text())
        resources.append((contents["id"].rstrip("#"), Resource(contents, specification=DRAFT4)))
    schema = json.loads((SCHEMAS / catalog).read_text())
    registry = Registry().with_resources(resources)
    return Draft4Validator(schema, registry=registry, format_checker=FormatChecker())


def catalogue(client) -> dict:
    response = client.get("/data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def by_title(document: dict) -> dict[str, dict]:
    return {dataset["title"]: dataset for dataset in document["dataset"]}


def test_the_catalogue_is_valid_project_open_data_for_a_non_federal_publisher(client, released):
    document = catalogue(client)
    errors = list(validator("catalog-non-federal.json").iter_errors(document))
    assert errors == []


def test_the_catalogue_meets_the_federal_schema_except_the_federal_budget_codes(client, released):
    """MARC is a council of governments, not a federal agency: it has no OMB bureau or
    program code. Every other rule of the federal schema holds."""
    errors = list(validator("catalog.json").iter_errors(catalogue(client)))
    assert errors, "the federal schema requires bureauCode and programCode"
    for error in errors:
        assert error.validator == "required"
        assert error.message in (
            "'bureauCode' is a required property",
            "'programCode' is a required property",
        )


def test_the_catalogue_names_its_schema_and_every_required_field(client, released):
    document = catalogue(client)
    assert document["@context"] == "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
    assert document["@type"] == "dcat:Catalog"
    assert document["@id"] == SITE + "/data.json"
    assert document["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert document["describedBy"] == "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
    assert set(by_title(document)) == {
        "Co-responder program figures",
        "Training calendar",
        "Co-responder data dictionary",
    }
    for dataset in document["dataset"]:
        for field in REQUIRED:
            assert dataset.get(field), f"{dataset['title']}: {field}"
        assert dataset["accessLevel"] == "public"
        assert dataset["publisher"] == {
            "@type": "org:Organization",
            "name": "Mid-America Regional Council",
        }
        assert dataset["contactPoint"]["fn"]
        assert dataset["contactPoint"]["hasEmail"] == "mailto:marcinfo@marc.org"
        assert dataset["spatial"]
        for distribution in dataset["distribution"]:
            assert distribution["downloadURL"].startswith(SITE + "/")
            assert distribution["mediaType"] and distribution["format"]


def test_the_figures_have_a_csv_and_a_json_file_per_released_year(client, released):
    figures = by_title(catalogue(client))["Co-responder program figures"]
    assert [(d["downloadURL"], d["mediaType"]) for d in figures["distribution"]] == [
        (SITE + "/co-responder/2024/figures.csv", "text/csv"),
        (SITE + "/co-responder/2024/figures.json", "application/json"),
        (SITE + "/co-responder/2025/figures.csv", "text/csv"),
        (SITE + "/co-responder/2025/figures.json", "application/json"),
    ]
    assert figures["temporal"] == "2024-01-01/2025-12-31"
    assert figures["modified"].startswith("2026-03-16T10:00")
    assert figures["describedBy"] == SITE + "/co-responder/data-dictionary/"
    assert figures["accrualPeriodicity"] == "R/P1Y"


def test_the_calendar_feed_and_the_dictionary_are_listed_with_their_types(client, released):
    datasets = by_title(catalogue(client))
    (feed,) = datasets["Training calendar"]["distribution"]
    assert (feed["downloadURL"], feed["mediaType"]) == (
        SITE + "/calendar/feed.ics",
        "text/calendar",
    )
    dictionary = datasets["Co-responder data dictionary"]
    assert dictionary["landingPage"] == SITE + "/co-responder/data-dictionary/"
    assert {d["mediaType"] for d in dictionary["distribution"]} == {
        "application/json",
        "application/schema+json",
    }


def test_every_link_of_the_catalogue_answers(client, released):
    EventFactory()
    document = catalogue(client)
    links = [document["@id"]]
    for dataset in document["dataset"]:
        links += [dataset["identifier"], dataset["landingPage"], dataset.get("describedBy", "")]
        links += [d["downloadURL"] for d in dataset["distribution"]]
    for link in filter(None, links):
        assert link.startswith(SITE)
        response = client.get(urlsplit(link).path)
        assert response.status_code == 200, link
        if link.endswith(".json"):
            json.loads(response.content)


def test_before_any_release_the_figures_dataset_has_no_file_yet(client):
    figures = by_title(catalogue(client))["Co-responder program figures"]
    assert figures["distribution"] == []
    assert "temporal" not in figures
    page = client.get(reverse("open_data")).content.decode()
    assert "Nothing to download yet" in page


def test_a_new_release_reaches_the_cached_catalogue_at_once(client, released, program_manager):
    catalogue(client)
    assert client.get("/data.json")["X-Page-Cache"] == "hit"
    volume(2023, 100)
    encounters(30, 2023)
    publish(2023, program_manager)
    urls = [
        d["downloadURL"]
        for d in by_title(catalogue(client))["Co-responder program figures"]["distribution"]
    ]
    assert SITE + "/co-responder/2023/figures.csv" in urls


def test_the_open_data_page_lists_each_dataset_and_its_downloads(client, released):
    response = client.get(reverse("open_data"))
    assert response.status_code == 200
    page = response.content.decode()
    for dataset in catalogue(client)["dataset"]:
        assert dataset["title"] in page
        for distribution in dataset["distribution"]:
            assert f'href="{distribution["downloadURL"]}"' in page
    assert 'href="/data.json"' in page
    assert "suppressed" in page


def test_the_open_data_page_is_linked_from_every_public_page_and_found(client, released):
    assert 'href="/open-data/"' in client.get("/").content.decode()
    assert 'href="/open-data/"' in client.get(reverse("coresponder:public")).content.decode()
    assert "/open-data/</loc>" in client.get("/sitemap.xml").content.decode()
    results = client.get(reverse("search"), {"q": "open data"}).content.decode()
    assert 'href="/open-data/"' in results


# --- The home page's GovernmentOrganization ---------------------------------------------


def _home_structured(response) -> tuple[str, dict]:
    found = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(found) == 1
    return found[0], json.loads(found[0])


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_home_page_describes_the_council(client):
    _, data = _home_structured(client.get("/"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentOrganization"
    assert data["name"] == "Mid-America Regional Council"
    assert data["url"] == SITE + "/"
    assert data["logo"].startswith(SITE + "/static/img/")
    assert data["address"]["streetAddress"] == "600 Broadway, Suite 200"
    assert data["address"]["postalCode"] == "64105"
    assert data["telephone"] == "+1-816-474-4240"
    assert data["email"] == "marcinfo@marc.org"
    counties = [area["name"] for area in data["areaServed"]]
    assert len(counties) == 9
    assert "Jackson County, Missouri" in counties and "Johnson County, Kansas" in counties


def test_the_home_page_allows_its_element_by_hash_also_when_cached(client):
    for expected_hit in (False, True):
        response = client.get("/")
        assert (response.get("X-Page-Cache") == "hit") is expected_hit
        text, _ = _home_structured(response)
        policy = response["Content-Security-Policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert script_src.split()[1:] == ["'self'", _hash(text)]
        assert "'unsafe-inline'" not in policy
