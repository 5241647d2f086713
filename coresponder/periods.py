"""Periods of days, and the periods a range of days is compared with.

    previous_period(start, end)            # Period: the previous period
    previous_period(start, end, months=1)  # the same days of the previous month
    year_before(start, end)                # the same days twelve months earlier

The previous period of
- a range of whole calendar months is as many months just before it (the month before a
  month, the year before a year, the quarter before a quarter);
- any other range is as many days just before it;
- unless the caller asks for a number of months (calendar choices such as "this month so
  far": the same days of the previous month; "this year so far": of the previous year).
Moving a day by months keeps it when the month has it, else takes the month's last day,
and a month's last day stays the last day (March 30 → February 28, and February 28,
2025 → February 29, 2024). The same period a year before is the range moved back twelve
months by the same rule.
"""

import datetime as dt
from dataclasses import dataclass

from core.dates import month_end, month_start, months_spanned, shift_months


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included."""

    start: dt.date
    end: dt.date

    def touches_month(self, month: dt.date) -> bool:
        """Whether the range has a day in the month (given by its first day)."""
        return month_start(self.start) <= month <= self.end


def whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and end == month_end(end)


def previous_period(start: dt.date, end: dt.date, *, months: int | None = None) -> Period:
    """The period a range is compared with (see the module's docstring)."""
    if months is None and whole_months(start, end):
        months = months_spanned(start, end)
    if months is not None:
        return Period(shift_months(start, -months), shift_months(end, -months))
    days = dt.timedelta(days=(end - start).days + 1)
    return Period(start - days, start - dt.timedelta(days=1))


def year_before(start: dt.date, end: dt.date) -> Period:
    """The same range twelve months earlier."""
    return Period(shift_months(start, -12), shift_months(end, -12))
