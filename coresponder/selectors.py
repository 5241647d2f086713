"""What other apps may read of the co-responder program, in one place.

    from coresponder import selectors as coresponder
    report = coresponder.program_measures(start=..., end=..., substance_use=False)

- measures: the data dictionary's program measures and the charts' month points
  (coresponder.measures), the dictionary's agencies and providers;
- charts: the SVG charts drawn from those month points (coresponder.charts);
- access: who is a program manager, and which agency a liaison speaks for;
- releases: the co-responder highlight's figures, read from the latest release of the
  public figures (programs.figure_sources).

Only figures leave the app, never an encounter. Substance-use figures are computed only
when the caller passes substance_use=True (coresponder.access.may_see_substance_use decides
who may), so a report for police liaisons cannot carry them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import DateField
from django.db.models.functions import TruncMonth
from django.urls import reverse

from accounts.staff_areas import OpenWork
from core.dates import add_months, month_start
from coresponder import dictionary as dd
from coresponder import services
from coresponder.access import clinician_of
from coresponder.access import is_program_manager as is_program_manager
from coresponder.access import liaison_agency as liaison_agency
from coresponder.charts import chart_description as chart_description
from coresponder.charts import chart_svg as chart_svg
from coresponder.charts import chart_title as chart_title
from coresponder.csvio import export
from coresponder.measures import Column as Column
from coresponder.measures import Measures as Measures
from coresponder.measures import MonthPoint as MonthPoint
from coresponder.measures import columns as columns
from coresponder.measures import directory as directory
from coresponder.measures import monthly_series as monthly_series
from coresponder.measures import program_measures as program_measures
from coresponder.models import ClosedMonth, Encounter, MonthlyCallVolume, Release
from coresponder.public import figures_from_json
from coresponder.quality import data_checks
from coresponder.release_tables import ROW_TO_DATE
from programs.selectors import Sourced

if TYPE_CHECKING:
    from accounts.models import Organization


def agency_names() -> dict[str, str]:
    """The dictionary's agencies, {code: name}, in the dictionary's order."""
    return dict(dd.AGENCIES)


def provider_names() -> dict[str, str]:
    """The dictionary's behavioral health providers, {code: name}, in the dictionary's order."""
    return dict(dd.PROVIDERS)


# --- The published figures, for the highlight ----------------------------------------------
# Only released figures leave here: a release is frozen when published, so the highlight
# always agrees with /co-responder/ (both read the same row of the same release).

HIGHLIGHT_FIGURES = (  # from the latest release's "all years" row
    ("field_assessments", "field assessments or screenings, all years through {year}"),
    (
        "linked_encounters",
        "encounters linked to behavioral health services, all years through {year}",
    ),
    (
        "custody_avoided",
        "of on-scene encounters ended without arrest or custody, all years through {year}",
    ),
)


def highlight_figures() -> Sourced:
    """The co-responder highlight's figures: those of the latest release that the public
    page prints as numbers (a suppressed figure is left out), and the link to that page."""
    url = reverse("coresponder:public")
    latest = Release.objects.order_by("-year", "-revision").first()
    if latest is None:
        return Sourced(
            figures=(),
            link_url=url,
            link_text="The program's yearly figures",
            note="The program publishes its figures once a year, after the year has ended.",
        )
    printed = figures_from_json(latest.figures[ROW_TO_DATE])
    figures = tuple(
        (printed[key].text, label.format(year=latest.year))
        for key, label in HIGHLIGHT_FIGURES
        if printed[key].shown
    )
    return Sourced(figures=figures, link_url=url, link_text="All of the program's figures")


# --- One record for the partner API, as the CSV export writes it -------------------------


def encounter_of_provider(*, provider: Organization, agency: str, encounter_id: str) -> dict | None:
    """One encounter as a row of the data dictionary ({column: text}, exactly as the CSV
    export writes it), or None when there is none, or it is another provider's: a
    provider's key reads only its provider's encounters."""
    records = Encounter.objects.filter(
        provider=provider, agency__dictionary_code=agency, encounter_id=encounter_id
    )
    rows = export.encounter_export_rows(records)
    columns = next(rows)
    row = next(rows, None)
    return None if row is None else dict(zip(columns, row, strict=True))


def volume_of_agency(*, agency: Organization, month: dt.date) -> dict | None:
    """An agency's call volume of a month (any day of it) as a row of the data dictionary
    ({column: text}, as the CSV export writes it), or None when none was entered."""
    rows = export.volume_export_rows(
        MonthlyCallVolume.objects.filter(agency=agency, month=month_start(month))
    )
    columns = next(rows)
    row = next(rows, None)
    return None if row is None else dict(zip(columns, row, strict=True))


# --- Months with figures, for the monthly reports ---------------------------------------


def months_with_data(*, before: dt.date) -> list[dt.date]:
    """The months before `before` (a month's first day) with an encounter or an agency's
    monthly call volume, as their first days in order."""
    found: set[dt.date] = set()
    for rows, column in ((Encounter.objects, "date"), (MonthlyCallVolume.objects, "month")):
        found.update(
            rows.filter(**{f"{column}__lt": before})
            .annotate(first_day=TruncMonth(column))
            .order_by("first_day")
            .values_list("first_day", flat=True)
            .distinct()
        )
    return sorted(found)


# --- For the staff landing page ------------------------------------------------------------


def entry_open_work(user) -> list[OpenWork]:
    """What the records of last month and this month still need: the data to check (the
    clinician's own provider only), and for a program manager the ended months not closed."""
    current = month_start(services.today())
    previous = add_months(current, -1)
    manager = is_program_manager(user)
    clinician = None if manager else clinician_of(user)
    provider = clinician.provider.dictionary_code if clinician is not None else None
    if not manager and provider is None:
        return []
    checks = data_checks(start=previous, end=current, provider=provider)
    same_year = previous.year == current.year
    months = f"{previous:%B}{'' if same_year else previous.strftime(' %Y')} and {current:%B %Y}"
    work = [
        OpenWork(
            len(checks),
            f"data warning to check, {months}",
            f"data warnings to check, {months}",
            "/staff/coresponder/dashboard/" if manager else "/staff/coresponder/encounters/",
        )
    ]
    if manager:
        with_records = (
            Encounter.objects.filter(date__lt=current)
            .annotate(month=TruncMonth("date", output_field=DateField()))
            .values_list("month", flat=True)
            .order_by()
            .distinct()
        )
        closed = set(ClosedMonth.objects.values_list("month", flat=True))
        not_closed = [month for month in with_records if month not in closed]
        work.append(
            OpenWork(
                len(not_closed),
                "ended month not closed yet",
                "ended months not closed yet",
                "/staff/coresponder/months/",
            )
        )
    return work
