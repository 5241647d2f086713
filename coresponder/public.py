"""The public figures of the co-responder program: what they count and how they print.

The figures are published in releases (coresponder.models.Release), each for a closed
calendar year, computed once and frozen (coresponder.services.release_publish); the public
page reads only releases, never the records. This module holds what a release is made of:
the true counts of each year (two aggregate queries, encounters and call volume), the
program to date at a year's end, the columns the page prints and their explanations, and
the conversion of printed figures to and from the JSON a release stores.

Program-wide only: no figure by agency, provider or month is published, because small
areas and short periods make people easier to recognise.

The row of a year, as suppression sees it (the definitions are the data dictionary's):

    mh_calls              mental-health calls (sum of mh_calls)            printed
    onsite_assessments    on-scene encounters with an assessment           printed
    field_assessments     encounters with an assessment, any contact type  printed
    linked_encounters     encounters linked to services (not people)       printed
    on_scene              on-scene encounters                              printed
    avoided               on-scene encounters not ending in arrest/custody  via the share
    custody               on_scene - avoided                               never printed
    assessed_elsewhere    field_assessments - onsite_assessments           never printed
    on_scene_unassessed   on_scene - onsite_assessments                    never printed

    coverage              onsite_assessments / mh_calls
    custody_avoided       avoided / on_scene

The unpublished counts are listed so that suppression protects them too: each follows
from two printed figures by subtraction.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear

from coresponder.dictionary import CUSTODY_DISPOSITIONS
from coresponder.models import Encounter, MonthlyCallVolume
from coresponder.suppression import Figure, Rate, Total, suppress

NOT_REPORTED = Figure("not reported", status="not-reported")
# The page-cache tag of every page that shows released figures (the public figures pages,
# and the co-responder highlight on the home and highlights pages, which read "programs").
RELEASES_TAG = "coresponder:releases"

PUBLISHED = ("mh_calls", "onsite_assessments", "field_assessments", "linked_encounters", "on_scene")
RATES = (
    Rate("coverage", "onsite_assessments", "mh_calls"),
    Rate("custody_avoided", "avoided", "on_scene"),
)
TOTALS = (
    Total("on_scene", ("avoided", "custody")),
    Total("field_assessments", ("onsite_assessments", "assessed_elsewhere")),
    Total("on_scene", ("onsite_assessments", "on_scene_unassessed")),
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    explanation: str


COLUMNS = (
    Column(
        "mh_calls",
        "Mental-health calls",
        "Calls for service that the police departments' dispatch systems coded as related "
        "to mental health. Each department reports this number every month.",
    ),
    Column(
        "onsite_assessments",
        "On-site assessments",
        "Encounters where a clinician was on scene with officers and completed an "
        "assessment or mental health screening.",
    ),
    Column(
        "coverage",
        "Coverage",
        "On-site assessments as a share of mental-health calls: roughly how many of those "
        "calls had a clinician's assessment on scene.",
    ),
    Column(
        "field_assessments",
        "Field assessments",
        "All assessments and screenings clinicians completed, whether on scene, by phone "
        "or at a follow-up visit.",
    ),
    Column(
        "linked_encounters",
        "Encounters linked to services",
        "Encounters after which the person was connected to a behavioral health service. "
        "This counts encounters, not people: someone connected twice in a year counts twice.",
    ),
    Column(
        "on_scene",
        "On-scene encounters",
        "Encounters where a clinician was present in person alongside officers.",
    ),
    Column(
        "custody_avoided",
        "Arrest or custody avoided",
        "The share of on-scene encounters that ended without an arrest or other custody.",
    ),
)


def yearly_counts() -> dict[int, dict[str, int]]:
    """The true counts of each year with any encounter or call volume (two queries)."""
    on_scene = Q(contact_type="on-scene")
    assessed = Q(assessment=True)
    encounters = (
        Encounter.objects.annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(
            onsite_assessments=Count("pk", filter=on_scene & assessed),
            field_assessments=Count("pk", filter=assessed),
            linked_encounters=Count("pk", filter=Q(linked_to_services=True)),
            on_scene=Count("pk", filter=on_scene),
            avoided=Count("pk", filter=on_scene & ~Q(disposition__in=CUSTODY_DISPOSITIONS)),
        )
        .order_by("year")
    )
    volume = (
        MonthlyCallVolume.objects.annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(mh_calls=Sum("mh_calls"))
        .order_by("year")
    )
    empty = dict.fromkeys(
        ("onsite_assessments", "field_assessments", "linked_encounters", "on_scene", "avoided"), 0
    )
    years: dict[int, dict[str, int]] = {}
    for row in encounters:
        years[row.pop("year")] = row
    for row in volume:
        years.setdefault(row["year"], dict(empty))["mh_calls"] = row["mh_calls"]
    for counts in years.values():
        counts["custody"] = counts["on_scene"] - counts["avoided"]
        counts["assessed_elsewhere"] = counts["field_assessments"] - counts["onsite_assessments"]
        counts["on_scene_unassessed"] = counts["on_scene"] - counts["onsite_assessments"]
    return dict(sorted(years.items()))


def year_figures(counts: dict[str, int]) -> dict[str, Figure]:
    """The printable figures of one year. Without call volume, coverage is not reported."""
    if "mh_calls" in counts:
        return suppress(counts, published=PUBLISHED, rates=RATES, totals=TOTALS)
    figures = suppress(
        counts,
        published=[p for p in PUBLISHED if p != "mh_calls"],
        rates=[r for r in RATES if r.name != "coverage"],
        totals=TOTALS,
    )
    return {**figures, "mh_calls": NOT_REPORTED, "coverage": NOT_REPORTED}


def counts_through(years: Mapping[int, Mapping[str, int]], year: int) -> dict[str, int]:
    """The program to date at the end of `year`: every count summed over the years up to it.

    Calls are summed only when every one of those years has them; otherwise coverage would
    divide the assessments of all years by the calls of some, and the calls read "not
    reported" instead.
    """
    earlier = [counts for y, counts in years.items() if y <= year]
    names = {name for counts in earlier for name in counts}
    if any("mh_calls" not in counts for counts in earlier):
        names.discard("mh_calls")
    return {name: sum(counts[name] for counts in earlier) for name in sorted(names)}


def figures_json(figures: Mapping[str, Figure]) -> dict[str, dict]:
    """Printed figures as a release stores them: {figure: {text, value, status}}."""
    return {
        name: {"text": f.text, "value": f.value, "status": f.status} for name, f in figures.items()
    }


def figures_from_json(data: Mapping[str, Mapping]) -> dict[str, Figure]:
    return {name: Figure(d["text"], d.get("value"), d["status"]) for name, d in data.items()}


def cells(figures: Mapping[str, Figure]) -> tuple[Figure, ...]:
    """One printed row, in the order of COLUMNS."""
    return tuple(figures[column.key] for column in COLUMNS)


def column_label(key: str) -> str:
    return next((c.label for c in COLUMNS if c.key == key), key)
