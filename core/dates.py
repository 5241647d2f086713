"""Dates typed into forms and URLs: one parser and one sensible range for the whole site.

A date that reaches the portal from outside (a query string, a form, an import) is parsed
here, so "0000-01", "9999-12-31" or a year before 1000 is refused with a clear message
instead of overflowing later when a day or a month is added to it. The month arithmetic
that reports and dashboards share (month_start, add_months) lives here too.
"""

import calendar
import datetime as dt
import re

from django import forms

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MONTH = re.compile(r"\d{4}-\d{2}", re.ASCII)


class DateInputError(ValueError):
    """A typed date that is malformed, does not exist, or lies outside the range."""


def _in_range(day: dt.date) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise DateInputError(
            f"Enter a date between {EARLIEST:%Y} and {LATEST:%Y}; {day.isoformat()} is outside."
        )
    return day


def real_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD that exists, in any year; DateInputError otherwise.

    The message tells a badly written date ("“14/03/2025” is not a date written
    YYYY-MM-DD.") from a well written one that is not in the calendar ("2023-02-30 does
    not exist: February 2023 has 28 days."). For a value judged against a range of its own
    (an encounter's date against the program's start); parse_date adds the site's range.
    """
    text = (text or "").strip()
    if not _DATE.fullmatch(text):
        raise DateInputError(f"“{text}” is not a date written YYYY-MM-DD.")
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    if not 1 <= month <= 12:
        raise DateInputError(f"{text} does not exist: months run from 01 to 12.")
    if year == 0:
        raise DateInputError(f"{text} does not exist: the years start at 0001.")
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        raise DateInputError(
            f"{text} does not exist: {calendar.month_name[month]} {text[:4]} has {length} days."
        )
    return dt.date(year, month, day)


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD within the range, or DateInputError saying what is wrong."""
    return _in_range(real_date(text))


def _month_parts(text: str) -> tuple[int, int]:
    if not _MONTH.fullmatch(text):
        raise DateInputError(f"“{text}” is not a month written YYYY-MM.")
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise DateInputError(f"{text} does not exist: months run from 01 to 12.")
    return year, month


def real_month(text: str) -> dt.date:
    """A month written YYYY-MM that exists, in any year, as its first day; DateInputError
    otherwise (the months' real_date)."""
    text = (text or "").strip()
    year, month = _month_parts(text)
    if year == 0:
        raise DateInputError(f"{text} does not exist: the years start at 0001.")
    return dt.date(year, month, 1)


def parse_month(text: str) -> dt.date:
    """YYYY-MM within the range, as the month's first day, or DateInputError."""
    text = (text or "").strip()
    year, month = _month_parts(text)
    if not year_in_range(year):
        raise DateInputError(
            f"Enter a month between {EARLIEST:%Y} and {LATEST:%Y}; {text} is outside."
        )
    return dt.date(year, month, 1)


def date_or_none(text: str | None) -> dt.date | None:
    """For optional values in URLs: the date, or None when absent or not usable."""
    try:
        return parse_date(text or "")
    except DateInputError:
        return None


def month_or_none(text: str | None) -> dt.date | None:
    try:
        return parse_month(text or "")
    except DateInputError:
        return None


def year_in_range(year: int) -> bool:
    return EARLIEST.year <= year <= LATEST.year


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after day's month (before it when negative)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    """The last day of day's month."""
    return add_months(day, 1) - dt.timedelta(days=1)


def shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` months later (earlier when negative): a day the month lacks
    becomes its last day, and a month's last day stays its last day."""
    last = month_end(add_months(day, months))
    if day == month_end(day):
        return last
    return last.replace(day=min(day.day, last.day))


def months_spanned(start: dt.date, end: dt.date) -> int:
    """How many calendar months start..end touches, both ends' months included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


class DateField(forms.DateField):
    """A form's date: YYYY-MM-DD only, within the site's range, with clear messages."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *, example: str = "2025-03-14", **kwargs):
        self.example = example
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)
        self.error_messages.setdefault("invalid", "")
        if not self.error_messages["invalid"] or "valid date" in self.error_messages["invalid"]:
            self.error_messages["invalid"] = f"Enter a date written YYYY-MM-DD, like {example}."

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return _checked(value)
        try:
            return parse_date(str(value))
        except DateInputError as error:
            if not _DATE.fullmatch(str(value).strip()):
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid"
                ) from None
            raise forms.ValidationError(str(error), code="invalid") from None


class MonthField(forms.CharField):
    """A form's month written YYYY-MM; cleans to the month's first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except DateInputError as error:
            if not _MONTH.fullmatch(value.strip()):
                raise forms.ValidationError(
                    "Write the month as YYYY-MM (2025-03).", code="invalid"
                ) from None
            raise forms.ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value


def _checked(day: dt.date) -> dt.date:
    try:
        return _in_range(day)
    except DateInputError as error:
        raise forms.ValidationError(str(error), code="invalid") from None
