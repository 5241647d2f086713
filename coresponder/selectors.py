"""What other apps may read of the co-responder program, in one place.

    from coresponder import selectors as coresponder
    report = coresponder.program_measures(start=..., end=..., substance_use=False)

- measures: the data dictionary's program measures and the charts' month points
  (coresponder.measures), the dictionary's agencies and providers;
- charts: the SVG charts drawn from those month points (coresponder.charts);
- access: who is a program manager, and which agency a liaison speaks for.

Only figures leave the app, never an encounter. Substance-use figures are computed only
when the caller passes substance_use=True (coresponder.access.may_see_substance_use decides
who may), so a report for police liaisons cannot carry them.
"""

from coresponder import dictionary as dd
from coresponder.access import is_program_manager as is_program_manager
from coresponder.access import liaison_agency as liaison_agency
from coresponder.charts import chart_description as chart_description
from coresponder.charts import chart_svg as chart_svg
from coresponder.charts import chart_title as chart_title
from coresponder.measures import Column as Column
from coresponder.measures import Measures as Measures
from coresponder.measures import MonthPoint as MonthPoint
from coresponder.measures import columns as columns
from coresponder.measures import directory as directory
from coresponder.measures import monthly_series as monthly_series
from coresponder.measures import program_measures as program_measures


def agency_names() -> dict[str, str]:
    """The dictionary's agencies, {code: name}, in the dictionary's order."""
    return dict(dd.AGENCIES)


def provider_names() -> dict[str, str]:
    """The dictionary's behavioral health providers, {code: name}, in the dictionary's order."""
    return dict(dd.PROVIDERS)
