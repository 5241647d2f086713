"""Dates typed into forms and URLs: one parser and one sensible range for the whole site.

A date that reaches the portal from outside (a query string, a form, an import) is parsed
here, so "0000-01", "9999-12-31" or a year before 1000 is refused with a clear message
instead of overflowing later when a day or a month is added to it. The month arithmetic
that reports and dashboards share (month_start, add_months) lives here too.
"""

import datetime as dt
import re

from django import forms

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")


class DateInputError(ValueError):
    """A typed date that is malformed, does not exist, or lies outside the range."""


def _in_range(day: dt.date) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise DateInputError(
            f"Enter a date between {EARLIEST:%Y} and {LATEST:%Y}; {day.isoformat()} is outside."
        )
    return day


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD within the range, or DateInputError saying what is wrong."""
    text = (text or "").strip()
    if not _DATE.fullmatch(text):
        raise DateInputError(f"“{text}” is not a date written YYYY-MM-DD.")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise DateInputError(f"{text} does not exist: check the day and the month.") from None
    return _in_range(day)


def parse_month(text: str) -> dt.date:
    """YYYY-MM within the range, as the month's first day, or DateInputError."""
    text = (text or "").strip()
    if not _MONTH.fullmatch(text):
        raise DateInputError(f"“{text}” is not a month written YYYY-MM.")
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise DateInputError(f"{text} does not exist: months run from 01 to 12.")
    if year < EARLIEST.year:
        raise DateInputError(f"Enter a month between {EARLIEST:%Y} and {LATEST:%Y}.")
    return _in_range(dt.date(year, month, 1))


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
