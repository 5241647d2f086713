"""Dates and times typed into forms (core.dates): plain text boxes in the data dictionary's
formats, help text that shows exactly what they take, and messages that quote what was
typed, which stays in the box."""

import datetime as dt
import zoneinfo

import pytest
from django import forms

from core import dates

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


class DayForm(forms.Form):
    day = dates.DateField(label="Day", help_text="The day it happened.")


class MomentForm(forms.Form):
    starts = dates.DateTimeField(label="Starts", help_text="Central time (Kansas City).")


class MonthForm(forms.Form):
    month = dates.MonthField(label="Month")


def test_a_date_is_a_text_box_whose_help_shows_the_format_after_the_fields_own():
    html = str(DayForm()["day"])
    assert 'type="text"' in html
    assert 'inputmode="text"' in html and 'autocomplete="off"' in html
    assert 'pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"' in html
    assert DayForm().fields["day"].help_text == (
        "The day it happened. Year-month-day (YYYY-MM-DD), for example 2026-03-14."
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("10:15 PM", "“10:15 PM” is not a date written YYYY-MM-DD; for example 2026-03-14."),
        ("03/14/2026", "“03/14/2026” is not a date written YYYY-MM-DD; for example 2026-03-14."),
        ("2026-02-30", "2026-02-30 does not exist: February 2026 has 28 days."),
        ("1850-01-01", "Enter a date between 1900 and 2199; 1850-01-01 is outside."),
    ],
)
def test_a_date_that_is_not_real_is_refused_and_what_was_typed_stays(typed, message):
    form = DayForm({"day": typed})
    assert form.errors["day"] == [message]
    assert f'value="{typed}"' in str(form["day"])


def test_a_date_is_read_with_spaces_around_it():
    form = DayForm({"day": " 2026-03-14 "})
    assert form.is_valid() and form.cleaned_data["day"] == dt.date(2026, 3, 14)


def test_a_forms_own_invalid_message_follows_the_typed_text():
    class IncidentForm(forms.Form):
        day = dates.DateField(error_messages={"invalid": "Enter the day of the incident."})

    assert IncidentForm({"day": "yesterday"}).errors["day"] == [
        "“yesterday” is not a date. Enter the day of the incident."
    ]


@pytest.mark.parametrize("typed", ["14:30", "00:00", "23:59", " 09:05 "])
def test_a_time_is_hours_and_minutes_on_the_24_hour_clock(typed):
    hour, minute = typed.strip().split(":")
    assert dates.real_time(typed) == dt.time(int(hour), int(minute))


@pytest.mark.parametrize("typed", ["10:15 PM", "2:30", "24:00", "12:60", "14:30:00", "1430"])
def test_any_other_time_is_refused_quoting_it(typed):
    with pytest.raises(dates.DateInputError) as raised:
        dates.real_time(typed)
    assert str(raised.value) == f"“{typed.strip()}” is not a time written HH:MM (24 h)."


def test_a_date_and_time_is_typed_in_local_time():
    form = MomentForm({"starts": "2026-03-14 14:30"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts"] == dt.datetime(2026, 3, 14, 14, 30, tzinfo=CHICAGO)
    assert MomentForm({"starts": "2026-03-14T14:30"}).is_valid()  # the ISO way, too
    html = str(MomentForm()["starts"])
    assert 'type="text"' in html and 'inputmode="text"' in html
    assert MomentForm().fields["starts"].help_text == (
        "Central time (Kansas City). Year-month-day and hour:minute on the 24-hour clock "
        "(YYYY-MM-DD HH:MM), for example 2026-03-14 14:30."
    )


def test_a_saved_date_and_time_shows_as_it_is_typed():
    saved = dt.datetime(2030, 7, 9, 14, 0, tzinfo=dt.UTC)  # 09:00 in Kansas City
    form = MomentForm(initial={"starts": saved})
    assert 'value="2030-07-09 09:00"' in str(form["starts"])


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "03/14/2026 2:30 PM",
            "“03/14/2026 2:30 PM” is not a date and time written YYYY-MM-DD HH:MM; "
            "for example 2026-03-14 14:30.",
        ),
        ("2026-02-30 10:00", "2026-02-30 does not exist: February 2026 has 28 days."),
        ("2026-03-14 10:15 PM", "“2026-03-14 10:15 PM” is not a date and time written"),
        ("2026-03-14 25:00", "“25:00” is not a time written HH:MM (24 h)."),
    ],
)
def test_a_date_and_time_that_is_not_real_is_refused_and_kept(typed, message):
    form = MomentForm({"starts": typed})
    assert form.errors["starts"][0].startswith(message)
    assert f'value="{typed}"' in str(form["starts"])


def test_a_month_is_a_text_box_too():
    html = str(MonthForm()["month"])
    assert 'type="text"' in html and 'pattern="[0-9]{4}-[0-9]{2}"' in html
