"""Dates typed into forms and URLs: one parser and one sensible range for the whole site.

A date that reaches the portal from outside (a query string, a form, an import) is parsed
here, so "0000-01", "9999-12-31" or a year before 1000 is refused with a clear message
instead of overflowing later when a day or a month is added to it. The month arithmetic
that reports and dashboards share (month_start, add_months) lives here too.

Forms take dates, times and months as typed text, in these formats only: TypedInput is
their text box, DateField, DateTimeField and MonthField their fields, real_time the times'
parser (see "Typed into forms" below for why no browser picker).
"""

import calendar
import datetime as dt
import re

from django import forms
from django.forms.utils import from_current_timezone

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


# --- Typed into forms ------------------------------------------------------------------
#
# Dates and times are plain text boxes, never the browser's pickers: Chromium's date and
# time pickers move between their parts with Tab and read "10:15 PM" typed into a date as
# 0015-11-10, and show mm/dd/yyyy and AM/PM whatever the help text says. A text box takes
# exactly what the help text shows, and what was typed comes back as typed when refused.
#
# inputmode="text": the values need a separator ("-" or ":"), and the numeric keypads of
# phones (iOS in particular) have neither, so a numeric keypad would leave people unable to
# finish the value. The default keyboard's "123" layer has digits, "-" and ":".

DATE_EXAMPLE = "2026-03-14"
TIME_EXAMPLE = "14:30"
_TIME = re.compile(r"\d{2}:\d{2}", re.ASCII)
_DATE_TIME = re.compile(r"(\S+)[ T](\S+)", re.ASCII)


def date_help(example: str = DATE_EXAMPLE) -> str:
    return f"Year-month-day (YYYY-MM-DD), for example {example}."


TIME_HELP = f"Hour and minute on the 24-hour clock (HH:MM), for example {TIME_EXAMPLE}."
DATE_TIME_HELP = (
    "Year-month-day and hour:minute on the 24-hour clock (YYYY-MM-DD HH:MM), "
    f"for example {DATE_EXAMPLE} {TIME_EXAMPLE}."
)


def real_time(text: str) -> dt.time:
    """A time written HH:MM on the 24-hour clock; DateInputError quoting the text otherwise."""
    text = (text or "").strip()
    if not _TIME.fullmatch(text) or int(text[:2]) > 23 or int(text[3:]) > 59:
        raise DateInputError(f"“{text}” is not a time written HH:MM (24 h).")
    return dt.time(int(text[:2]), int(text[3:]))


class TypedInput(forms.TextInput):
    """A text box for a date, a time or both: the pattern shows the format to the browser
    (the forms say `novalidate`, so the server's message is the one people read)."""

    PATTERNS = {
        "date": "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "month": "[0-9]{4}-[0-9]{2}",
        "time": "[0-9]{2}:[0-9]{2}",
        "datetime": "[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}",
    }

    def __init__(self, kind: str, attrs=None):
        defaults = {"inputmode": "text", "autocomplete": "off", "pattern": self.PATTERNS[kind]}
        super().__init__({**defaults, **(attrs or {})})


def _with_format_help(help_text: str, format_help: str) -> str:
    return f"{help_text} {format_help}" if help_text else format_help


class DateField(forms.DateField):
    """A form's date: typed YYYY-MM-DD, within the site's range, with clear messages that
    quote what was typed. The format's help follows the field's own help text.

    A form's own "invalid" message is kept, after a sentence that quotes the typed text."""

    def __init__(self, *, example: str = DATE_EXAMPLE, **kwargs):
        self.example = example
        kwargs["input_formats"] = ["%Y-%m-%d"]
        kwargs.setdefault("widget", TypedInput("date"))
        kwargs["help_text"] = _with_format_help(kwargs.get("help_text", ""), date_help(example))
        super().__init__(**kwargs)
        own = self.error_messages.get("invalid", "")
        if not own or "valid date" in own:
            self.error_messages["invalid"] = (
                f"“%(value)s” is not a date written YYYY-MM-DD; for example {example}."
            )
        elif "%(value)s" not in own:
            self.error_messages["invalid"] = f"“%(value)s” is not a date. {own}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return _checked(value)
        text = str(value).strip()
        try:
            return parse_date(text)
        except DateInputError as error:
            if not _DATE.fullmatch(text):
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": text}
                ) from None
            raise forms.ValidationError(str(error), code="invalid") from None


class DateTimeField(forms.DateTimeField):
    """A form's date and time, typed YYYY-MM-DD HH:MM in the current time zone (a "T" in
    place of the space is taken too: it is how the ISO format and older pages write it)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", TypedInput("datetime"))
        kwargs["help_text"] = _with_format_help(kwargs.get("help_text", ""), DATE_TIME_HELP)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return super().to_python(value)
        text = str(value).strip()
        parts = _DATE_TIME.fullmatch(text)
        if not parts or not _DATE.fullmatch(parts[1]) or not _TIME.fullmatch(parts[2]):
            raise forms.ValidationError(
                f"“{text}” is not a date and time written YYYY-MM-DD HH:MM; "
                f"for example {DATE_EXAMPLE} {TIME_EXAMPLE}.",
                code="invalid",
            )
        try:
            day, time = parse_date(parts[1]), real_time(parts[2])
        except DateInputError as error:
            raise forms.ValidationError(str(error), code="invalid") from None
        return from_current_timezone(dt.datetime.combine(day, time))

    def prepare_value(self, value):
        """A saved value as it is typed: local time, no seconds."""
        value = super().prepare_value(value)
        return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, dt.datetime) else value


class MonthField(forms.CharField):
    """A form's month written YYYY-MM; cleans to the month's first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", TypedInput("month"))
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
