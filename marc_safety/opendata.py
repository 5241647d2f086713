"""The portal's open data catalogue, /data.json, in the Project Open Data metadata schema
v1.1 (DCAT-US), and the datasets the /open-data/ page lists for people.

Three datasets:
- the released co-responder figures: one distribution per released year and format, the
  year's current revision (coresponder.views.opendata writes the files);
- the training calendar feed (/calendar/feed.ics);
- the co-responder data dictionary (its page and downloads, when the portal has them).

MARC is not a federal agency, so the federal budget codes (bureauCode, programCode) that
the federal schema requires are left out, as data.gov's schema for state, local and
regional publishers does; everything else follows the published schema
(tests/marc_safety/test_open_data.py validates against both). Every link is absolute
(core.urls.absolute_url), so a harvester can follow it from anywhere.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.jsonld import COUNCIL_NAME
from core.urls import absolute_url
from coresponder import services as coresponder
from training import selectors as training

CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
DESCRIBED_BY = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
# What the public may do with the data: share and adapt it, crediting MARC.
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "Creative Commons Attribution 4.0 International"
REGION = "Kansas City region, Missouri and Kansas"
EASTERN_JACKSON_COUNTY = "Eastern Jackson County, Missouri"
# The page cache tags of what the catalogue shows: the releases (coresponder.public's
# RELEASES_TAG) and the events whose changes date the calendar feed.
CACHE_TAGS = ("coresponder:releases", "events")

# The co-responder data dictionary's machine-readable files, by their names under
# "coresponder:dictionary_file" (coresponder.views.dictionary; tests/marc_safety/
# test_open_data.py checks that each answers): (name, media type, format, title).
DICTIONARY_FILES = (
    (
        "datapackage.json",
        "application/json",
        "Frictionless Data Package",
        "Both files of the dictionary as a Data Package",
    ),
    (
        "encounters.table-schema.json",
        "application/json",
        "Frictionless Table Schema",
        "Encounters file: Table Schema",
    ),
    (
        "volume.table-schema.json",
        "application/json",
        "Frictionless Table Schema",
        "Monthly call volume file: Table Schema",
    ),
    (
        "encounters.schema.json",
        "application/schema+json",
        "JSON Schema",
        "Encounters file: JSON Schema of one row",
    ),
    (
        "volume.schema.json",
        "application/schema+json",
        "JSON Schema",
        "Monthly call volume file: JSON Schema of one row",
    ),
)
# When version 1.0 of the dictionary was published on the portal.
DICTIONARY_MODIFIED = "2026-11-30"


@dataclass(frozen=True)
class Download:
    """One file of a dataset, as the /open-data/ page lists it."""

    title: str
    url: str
    media_type: str
    format: str
    description: str = ""


@dataclass(frozen=True)
class Dataset:
    """A dataset of the catalogue, with what /data.json says of it."""

    identifier: str  # the absolute address of its page: stable and unique
    title: str
    description: str
    keywords: tuple[str, ...]
    modified: str  # ISO 8601
    landing_page: str
    downloads: tuple[Download, ...]
    spatial: str = ""
    temporal: str = ""  # start/end, ISO 8601
    accrual_periodicity: str = ""
    described_by: str = ""


def _url(name: str, request: HttpRequest | None, *args) -> str:
    return absolute_url(reverse(name, args=args), request)


def _optional_url(name: str, request: HttpRequest | None) -> str:
    """A page of another helper's making, when the portal has it."""
    try:
        return _url(name, request)
    except NoReverseMatch:
        return ""


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def figures_dataset(request: HttpRequest | None) -> Dataset:
    """The released co-responder figures: a CSV and a JSON file per released year."""
    released = [year for year in coresponder.release_years() if year.revisions]
    released.sort(key=lambda year: year.year)
    downloads = []
    for year in released:
        current = year.latest
        for name, media_type, file_format in (
            ("coresponder:release_csv", "text/csv", "CSV"),
            ("coresponder:release_json", "application/json", "JSON"),
        ):
            downloads.append(
                Download(
                    title=f"The {year.year} figures ({file_format})",
                    url=_url(name, request, year.year),
                    media_type=media_type,
                    format=file_format,
                    description=f"The current revision (revision {current.revision}) of the "
                    f"{year.year} figures. Suppressed figures are marked, never given as "
                    "numbers.",
                )
            )
    latest = max((r.published_at for year in released for r in year.revisions), default=None)
    temporal = ""
    if released:
        temporal = f"{released[0].year}-01-01/{released[-1].year}-12-31"
    return Dataset(
        identifier=_url("coresponder:public", request),
        title="Co-responder program figures",
        description="Yearly figures of the Eastern Jackson County co-responder program, in "
        "which behavioral health clinicians respond alongside police officers: "
        "mental-health calls, clinician assessments, encounters linked to services and "
        "arrests or custody avoided, for each year and for all years to date. Counts from 1 "
        "to 10, and figures that would reveal them, are suppressed to protect privacy.",
        keywords=("co-responder", "mental health", "behavioral health", "police", "crisis"),
        modified=_iso(latest) if latest else timezone.localdate().isoformat(),
        landing_page=_url("coresponder:public", request),
        downloads=tuple(downloads),
        spatial=EASTERN_JACKSON_COUNTY,
        temporal=temporal,
        accrual_periodicity="R/P1Y",
        described_by=_optional_url("coresponder:dictionary", request),
    )


def calendar_dataset(request: HttpRequest | None) -> Dataset:
    """The training calendar as an iCalendar feed that calendar programs subscribe to."""
    changed = (
        training.events_for_sitemap()
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    feed = Download(
        title="The training calendar feed (iCalendar)",
        url=_url("training:feed", request),
        media_type="text/calendar",
        format="iCalendar",
        description="Every published training, exercise and meeting, including cancelled "
        "ones, for calendar programs to subscribe to.",
    )
    return Dataset(
        identifier=_url("training:calendar", request),
        title="Training calendar",
        description="Trainings, exercises and meetings for the region's dispatchers, EMS, "
        "fire, law enforcement, emergency managers and public health staff: dates, places, "
        "hosts, continuing-education credit and whether the event takes place.",
        keywords=("training", "exercises", "public safety", "911", "emergency management"),
        modified=_iso(changed) if changed else timezone.localdate().isoformat(),
        landing_page=_url("training:calendar", request),
        downloads=(feed,),
        spatial=REGION,
    )


def dictionary_dataset(request: HttpRequest | None) -> Dataset | None:
    """The co-responder data dictionary, once the portal publishes it."""
    page = _optional_url("coresponder:dictionary", request)
    if not page:
        return None
    downloads = [
        Download(title, _url("coresponder:dictionary_file", request, name), media_type, fmt)
        for name, media_type, fmt, title in DICTIONARY_FILES
    ]
    return Dataset(
        identifier=page,
        title="Co-responder data dictionary",
        description="The fields, codes and rules that the co-responder program's partner "
        "agencies and behavioral health centers share their records in, and that the "
        "published figures count.",
        keywords=("data dictionary", "co-responder", "data standard"),
        modified=DICTIONARY_MODIFIED,
        landing_page=page,
        downloads=tuple(downloads),
        spatial=EASTERN_JACKSON_COUNTY,
    )


def datasets(request: HttpRequest | None = None) -> list[Dataset]:
    found = [figures_dataset(request), calendar_dataset(request), dictionary_dataset(request)]
    return [dataset for dataset in found if dataset is not None]


def _distribution(download: Download) -> dict:
    entry = {
        "@type": "dcat:Distribution",
        "title": download.title,
        "downloadURL": download.url,
        "mediaType": download.media_type,
        "format": download.format,
    }
    if download.description:
        entry["description"] = download.description
    return entry


def dataset_entry(dataset: Dataset) -> dict:
    """A dataset as the Project Open Data schema writes it."""
    entry = {
        "@type": "dcat:Dataset",
        "identifier": dataset.identifier,
        "title": dataset.title,
        "description": dataset.description,
        "keyword": list(dataset.keywords),
        "modified": dataset.modified,
        "publisher": {"@type": "org:Organization", "name": COUNCIL_NAME},
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": COUNCIL_NAME,
            "hasEmail": f"mailto:{settings.SITE_CONTACT_EMAIL}",
        },
        "accessLevel": "public",
        "license": LICENSE,
        "landingPage": dataset.landing_page,
        "language": ["en-US"],
        "distribution": [_distribution(download) for download in dataset.downloads],
    }
    optional = {
        "spatial": dataset.spatial,
        "temporal": dataset.temporal,
        "accrualPeriodicity": dataset.accrual_periodicity,
        "describedBy": dataset.described_by,
    }
    entry.update({key: value for key, value in optional.items() if value})
    if dataset.described_by:
        entry["describedByType"] = "text/html"
    return entry


def catalogue(request: HttpRequest | None = None) -> dict:
    """/data.json: the catalogue of every dataset the portal publishes."""
    return {
        "@context": CONTEXT,
        "@id": _url("data_json", request),
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": DESCRIBED_BY,
        "dataset": [dataset_entry(dataset) for dataset in datasets(request)],
    }
