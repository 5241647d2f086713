"""The messages of core.dates: a badly written date is told apart from a well written one
that is not in the calendar."""

import datetime as dt

import pytest
from django import forms

from core import dates


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-30", "2023-02-30 does not exist: February 2023 has 28 days."),
        ("2024-02-30", "2024-02-30 does not exist: February 2024 has 29 days."),
        ("2025-04-31", "2025-04-31 does not exist: April 2025 has 30 days."),
        ("2025-04-00", "2025-04-00 does not exist: April 2025 has 30 days."),
        ("2025-13-01", "2025-13-01 does not exist: months run from 01 to 12."),
        ("2023-2-30", "“2023-2-30” is not a date written YYYY-MM-DD."),
        ("30/02/2023", "“30/02/2023” is not a date written YYYY-MM-DD."),
        ("２０２３-02-10", "“２０２３-02-10” is not a date written YYYY-MM-DD."),
        ("2300-01-01", "Enter a date between 1900 and 2199; 2300-01-01 is outside."),
    ],
)
def test_a_date_that_does_not_exist_is_not_called_badly_written(text, message):
    with pytest.raises(dates.DateInputError) as raised:
        dates.parse_date(text)
    assert str(raised.value) == message


def test_real_date_accepts_any_year_and_still_checks_the_calendar():
    assert dates.real_date(" 0015-11-10 ") == dt.date(15, 11, 10)
    with pytest.raises(dates.DateInputError, match=r"^0015-02-29 does not exist: February 0015"):
        dates.real_date("0015-02-29")
    with pytest.raises(dates.DateInputError, match="the years start at 0001"):
        dates.real_date("0000-01-01")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-13", "2025-13 does not exist: months run from 01 to 12."),
        ("2025-00", "2025-00 does not exist: months run from 01 to 12."),
        ("2025-3", "“2025-3” is not a month written YYYY-MM."),
        ("2999-01", "Enter a month between 1900 and 2199; 2999-01 is outside."),
        ("0000-01", "Enter a month between 1900 and 2199; 0000-01 is outside."),
    ],
)
def test_months_say_what_is_wrong_the_same_way(text, message):
    with pytest.raises(dates.DateInputError) as raised:
        dates.parse_month(text)
    assert str(raised.value) == message
    assert dates.real_month("0015-03") == dt.date(15, 3, 1)


def test_a_forms_date_field_shows_the_calendar_message():
    class Form(forms.Form):
        day = dates.DateField()

    assert Form({"day": "2023-02-30"}).errors["day"] == [
        "2023-02-30 does not exist: February 2023 has 28 days."
    ]
    assert Form({"day": "30.02.2023"}).errors["day"] == [
        "“30.02.2023” is not a date written YYYY-MM-DD; for example 2026-03-14."
    ]
