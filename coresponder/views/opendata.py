"""The released co-responder figures as open data: each release as CSV and JSON files.

/co-responder/<year>/figures.csv, .json                  the year's current revision
/co-responder/<year>/revision-<n>/figures.csv, .json     one revision, fixed for good

A file holds exactly what the release's page prints: the same two rows (the year, and all
years through it), the same figures, suppressed the same way, read from the same frozen
release (coresponder.views.public). A figure the page does not print as a number is never
written as one: its value is a marker ("suppressed", "not applicable", "not reported"; in
JSON a null value), its status says which case it is, and its reason says why, in the
sentence the page's note gives when there is one. docs/open-data.md documents the columns
and the markers; /data.json lists the files (marc_safety.opendata).
"""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.jsonld import COUNCIL_NAME
from core.pagecache import public_page
from core.urls import absolute_url
from coresponder import public
from coresponder.csvio.export import csv_chunks
from coresponder.csvio.parse import FORMULA_PREFIXES
from coresponder.dictionary import DICTIONARY_VERSION
from coresponder.models import Release
from coresponder.release_tables import ROW_TO_DATE, ROW_YEAR
from coresponder.suppression import NOT_APPLICABLE, SHOWN, SMALL, WITHHELD, Figure
from coresponder.views.public import _year_revisions, to_date_heading

SUPPRESSED = "suppressed"
# Each status a figure can have: the marker a file writes instead of a number, and what it
# means (the reason of a figure that has none of its own).
STATUSES = {
    SHOWN: ("", "Published as the number given."),
    SMALL: (
        SUPPRESSED,
        "A count from 1 to 10, not published to protect the privacy of the people "
        "counted. The page prints it as fewer than 11.",
    ),
    WITHHELD: (
        SUPPRESSED,
        "Not published because, with the other published figures, it would let someone "
        "work out a count from 1 to 10. The page prints it as not shown.",
    ),
    NOT_APPLICABLE: (
        "not applicable",
        "A share of nothing: there were no records to divide by.",
    ),
    public.NOT_REPORTED.status: (
        "not reported",
        "The police departments reported no call counts for this period.",
    ),
}
RATE_KEYS = {rate.name for rate in public.RATES}
CSV_COLUMNS = (
    "year",
    "revision",
    "published",
    "dictionary_version",
    "row",
    "period",
    "from",
    "to",
    "figure",
    "label",
    "unit",
    "value",
    "status",
    "text",
    "reason",
)


def _unit(key: str) -> str:
    return "percent" if key in RATE_KEYS else "count"


def _period(release: Release, row: str) -> dict:
    if row == ROW_YEAR:
        return {
            "row": row,
            "period": str(release.year),
            "from": f"{release.year}-01-01",
            "to": f"{release.year}-12-31",
        }
    return {"row": row, "period": to_date_heading(release.year), "from": None, "to": None}


def _figure(figure: Figure, own_reason: str | None) -> dict:
    """One figure: a number only when the page prints one."""
    if figure.status == SHOWN:
        return {"value": figure.value, "status": SHOWN, "text": figure.text}
    return {
        "value": None,
        "status": figure.status,
        "text": figure.text,
        "reason": own_reason or STATUSES[figure.status][1],
    }


def release_data(release: Release, first: Release, request: HttpRequest) -> dict:
    """A release as its files give it (the JSON document; the CSV is its rows)."""
    year, revision = release.year, release.revision
    reasons = {(cell["row"], cell["figure"]): cell["reason"] for cell in release.hidden_across}
    rows = []
    for row in (ROW_YEAR, ROW_TO_DATE):
        figures = public.figures_from_json(release.figures[row])
        rows.append(
            {
                **_period(release, row),
                "figures": {
                    column.key: _figure(figures[column.key], reasons.get((row, column.key)))
                    for column in public.COLUMNS
                },
            }
        )
    page = reverse("coresponder:release_revision", args=[year, revision])
    return {
        "title": f"Co-responder program figures, {year}, revision {revision}",
        "publisher": COUNCIL_NAME,
        "year": year,
        "revision": revision,
        "published": timezone.localdate(release.published_at).isoformat(),
        "first_published": timezone.localdate(first.published_at).isoformat(),
        "revision_note": release.note,
        "dictionary_version": DICTIONARY_VERSION,
        "page": absolute_url(page, request),
        "columns": [
            {
                "key": column.key,
                "label": column.label,
                "unit": _unit(column.key),
                "explanation": column.explanation,
            }
            for column in public.COLUMNS
        ],
        "statuses": {
            status: {"marker": marker or None, "meaning": meaning}
            for status, (marker, meaning) in STATUSES.items()
        },
        "rows": rows,
    }


def _text(value):
    """Text a spreadsheet would read as a formula, made plain text (a revision's note is
    typed by a person); numbers unchanged."""
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, "\t", "\r")):
        return "'" + value
    return value


def csv_rows(data: dict):
    """One line per figure: the release, the row, the figure, and its value or marker."""
    yield list(CSV_COLUMNS)
    labels = {column["key"]: column["label"] for column in data["columns"]}
    for row in data["rows"]:
        for key, figure in row["figures"].items():
            marker = STATUSES[figure["status"]][0]
            line = [
                data["year"],
                data["revision"],
                data["published"],
                data["dictionary_version"],
                row["row"],
                row["period"],
                row["from"] or "",
                row["to"] or "",
                key,
                labels[key],
                _unit(key),
                figure["value"] if figure["status"] == SHOWN else marker,
                figure["status"],
                figure["text"],
                figure.get("reason", ""),
            ]
            yield [_text(value) for value in line]


def _release(year: int, revision: int | None) -> tuple[Release, Release]:
    """The revision asked for (the current one if None) and the year's first."""
    revisions = _year_revisions(year)
    if revision is None:
        return revisions[-1], revisions[0]
    release = next((r for r in revisions if r.revision == revision), None)
    if release is None:
        raise Http404("No such revision.")
    return release, revisions[0]


def _filename(release: Release, extension: str) -> str:
    return f"coresponder-figures-{release.year}-revision-{release.revision}.{extension}"


def _open(response: HttpResponse) -> HttpResponse:
    # Open data: any site may read the files from a browser, as they may download them.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _csv(request: HttpRequest, year: int, revision: int | None) -> HttpResponse:
    release, first = _release(year, revision)
    text = "".join(csv_chunks(csv_rows(release_data(release, first, request))))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(release, "csv")}"'
    return _open(response)


def _json(request: HttpRequest, year: int, revision: int | None) -> HttpResponse:
    release, first = _release(year, revision)
    body = json.dumps(release_data(release, first, request), indent=2, ensure_ascii=False)
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{_filename(release, "json")}"'
    return _open(response)


@require_safe
@public_page(public.RELEASES_TAG)
def year_csv(request: HttpRequest, year: int) -> HttpResponse:
    return _csv(request, year, None)


@require_safe
@public_page(public.RELEASES_TAG)
def year_json(request: HttpRequest, year: int) -> HttpResponse:
    return _json(request, year, None)


@require_safe
@public_page(public.RELEASES_TAG)
def revision_csv(request: HttpRequest, year: int, revision: int) -> HttpResponse:
    return _csv(request, year, revision)


@require_safe
@public_page(public.RELEASES_TAG)
def revision_json(request: HttpRequest, year: int, revision: int) -> HttpResponse:
    return _json(request, year, revision)
