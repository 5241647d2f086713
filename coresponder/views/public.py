"""The public figures pages of the co-responder program, read from releases only.

/co-responder/                        each released year's current figures, and the program
                                      to date at the end of the latest released year
/co-responder/<year>/                 one year's release: its current figures and every
                                      revision, with the reasons for each
/co-responder/<year>/revision-<n>/    a revision as it was published (the archive)

They never read an encounter or a call count: a release is frozen when a program manager
publishes it (coresponder.services.release_publish), so nothing on these pages moves
between releases, whatever is imported meanwhile. Anonymous visitors get them from the
page cache; publishing invalidates their tag (coresponder.public.RELEASES_TAG).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core import dates
from core.pagecache import public_page
from coresponder import public
from coresponder.models import Release
from coresponder.release_tables import ROW_TO_DATE, ROW_YEAR
from coresponder.suppression import LARGEST_SMALL, Figure


@dataclass(frozen=True)
class Note:
    """Why a figure is not shown although it is not small: it would give away a small count
    when read beside figures published earlier (coresponder.release_tables)."""

    number: int
    row: str  # the row's heading
    column: str  # the column's label
    reason: str

    @property
    def anchor(self) -> str:
        return f"note-{self.number}"


@dataclass(frozen=True)
class PrintedRow:
    """One row of a figures table as the page prints it."""

    heading: str
    cells: tuple[Figure, ...]  # in the order of public.COLUMNS
    to_date: bool = False
    notes: tuple[Note | None, ...] = ()  # per cell, in the order of public.COLUMNS

    @property
    def cells_with_notes(self) -> list[tuple[Figure, Note | None]]:
        notes = self.notes or (None,) * len(self.cells)
        return list(zip(self.cells, notes, strict=True))


def _printed(heading: str, release: Release, row: str, notes: list[Note]) -> PrintedRow:
    """A row of a release, with a numbered note for each figure hidden across releases
    (appended to `notes`, which numbers them for the whole page)."""
    reasons = {
        cell["figure"]: cell["reason"] for cell in release.hidden_across if cell["row"] == row
    }
    row_notes: list[Note | None] = []
    for column in public.COLUMNS:
        reason = reasons.get(column.key)
        if reason is None:
            row_notes.append(None)
            continue
        note = Note(len(notes) + 1, heading, column.label, reason)
        notes.append(note)
        row_notes.append(note)
    figures = public.figures_from_json(release.figures[row])
    return PrintedRow(heading, public.cells(figures), row == ROW_TO_DATE, tuple(row_notes))


def to_date_heading(year: int) -> str:
    return f"All years through {year}"


def year_row(year: int, figures: dict[str, Figure]) -> PrintedRow:
    """A year's row of figures not yet published (the manager's preview)."""
    return PrintedRow(str(year), public.cells(figures))


def to_date_row(year: int, figures: dict[str, Figure]) -> PrintedRow:
    return PrintedRow(to_date_heading(year), public.cells(figures), to_date=True)


def release_year_row(release: Release, notes: list[Note]) -> PrintedRow:
    return _printed(str(release.year), release, ROW_YEAR, notes)


def release_to_date_row(release: Release, notes: list[Note]) -> PrintedRow:
    return _printed(to_date_heading(release.year), release, ROW_TO_DATE, notes)


def release_rows(release: Release, notes: list[Note]) -> list[PrintedRow]:
    """The two rows of a release: its year, and the program to date at the year's end."""
    return [release_year_row(release, notes), release_to_date_row(release, notes)]


def _revisions_by_year() -> dict[int, list[Release]]:
    """Every release, {year: revisions oldest first}, years in order (one query)."""
    years: dict[int, list[Release]] = defaultdict(list)
    for release in Release.objects.order_by("year", "revision"):
        years[release.year].append(release)
    return dict(years)


def _explained(context: dict) -> dict:
    return {**context, "columns": public.COLUMNS, "smallest_shown": LARGEST_SMALL + 1}


@require_safe
@public_page(public.RELEASES_TAG)
def figures(request: HttpRequest) -> HttpResponse:
    years = _revisions_by_year()
    notes: list[Note] = []
    rows = [release_year_row(revisions[-1], notes) for revisions in years.values()]
    if years:
        rows.append(release_to_date_row(years[max(years)][-1], notes))
    releases = [
        {"year": year, "first": revisions[0], "current": revisions[-1]}
        for year, revisions in sorted(years.items(), reverse=True)
    ]
    context = {"rows": rows, "notes": notes, "releases": releases}
    return render(request, "coresponder/public.html", _explained(context))


def _year_revisions(year: int) -> list[Release]:
    if not dates.year_in_range(year):
        raise Http404("No figures are published for that year.")
    revisions = list(Release.objects.filter(year=year).order_by("revision"))
    if not revisions:
        raise Http404("No figures are published for that year.")
    return revisions


@require_safe
@public_page(public.RELEASES_TAG)
def release_year(request: HttpRequest, year: int) -> HttpResponse:
    revisions = _year_revisions(year)
    current = revisions[-1]
    notes: list[Note] = []
    context = {
        "year": year,
        "release": current,
        "first": revisions[0],
        "revisions": revisions,
        "rows": release_rows(current, notes),
        "notes": notes,
        "current": True,
        "revision_page": False,
    }
    return render(request, "coresponder/public_release.html", _explained(context))


@require_safe
@public_page(public.RELEASES_TAG)
def release_revision(request: HttpRequest, year: int, revision: int) -> HttpResponse:
    revisions = _year_revisions(year)
    release = next((r for r in revisions if r.revision == revision), None)
    if release is None:
        raise Http404("No such revision.")
    notes: list[Note] = []
    context = {
        "year": year,
        "release": release,
        "first": revisions[0],
        "revisions": revisions,
        "rows": release_rows(release, notes),
        "notes": notes,
        "current": release == revisions[-1],
        "revision_page": True,
    }
    return render(request, "coresponder/public_release.html", _explained(context))
