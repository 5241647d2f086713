import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.training.factories import EventFactory, RegistrationFactory
from training.credits import credit_hours, current_cycle, cycle_for, history_for
from training.models import RegistrationStatus

CHICAGO = ZoneInfo("America/Chicago")


def chicago(year, month, day, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def attended(
    email, *, on, minutes=100, category="technical", status=RegistrationStatus.ATTENDED, **fields
):
    """A registration (attended unless told) for an event of `minutes` starting at `on`."""
    event = EventFactory(
        starts_at=on, ends_at=on + dt.timedelta(minutes=minutes), ce_category=category
    )
    return RegistrationFactory(event=event, email=email, status=status, **fields)


# --- The credit rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    "minutes,attendee,instructor",
    [(0, 0, 0), (49, 0, 0), (50, 1, 2), (99, 1, 2), (100, 2, 4), (150, 3, 6), (480, 9, 18)],
)
def test_one_hour_per_whole_50_minutes_and_two_for_instructors(minutes, attendee, instructor):
    assert credit_hours(minutes, instructor=False) == Decimal(attendee)
    assert credit_hours(minutes, instructor=True) == Decimal(instructor)


def test_credit_hours_are_decimals_for_the_certificate_field():
    assert isinstance(credit_hours(120, instructor=False), Decimal)


# --- The fixed three-year cycles -------------------------------------------------------


@pytest.mark.parametrize(
    "day,cycle",
    [
        (dt.date(2023, 12, 31), (dt.date(2021, 1, 1), dt.date(2023, 12, 31))),
        (dt.date(2024, 1, 1), (dt.date(2024, 1, 1), dt.date(2026, 12, 31))),
        (dt.date(2025, 7, 4), (dt.date(2024, 1, 1), dt.date(2026, 12, 31))),
        (dt.date(2026, 12, 31), (dt.date(2024, 1, 1), dt.date(2026, 12, 31))),
        (dt.date(2027, 1, 1), (dt.date(2027, 1, 1), dt.date(2029, 12, 31))),
        (dt.date(2020, 12, 31), (dt.date(2018, 1, 1), dt.date(2020, 12, 31))),
        (dt.date(2021, 1, 1), (dt.date(2021, 1, 1), dt.date(2023, 12, 31))),
    ],
)
def test_cycles_end_on_december_31_of_2020_2023_2026(day, cycle):
    assert cycle_for(day) == cycle


def test_the_current_cycle_turns_at_midnight_in_kansas_city_not_in_utc(monkeypatch):
    # 11:30 PM on Dec 31, 2026 in Kansas City is already 2027 in UTC.
    late_evening = chicago(2026, 12, 31, 23, 30)
    monkeypatch.setattr(timezone, "now", lambda: late_evening.astimezone(dt.UTC))
    assert current_cycle() == (dt.date(2024, 1, 1), dt.date(2026, 12, 31))

    just_after = chicago(2027, 1, 1, 0, 5)
    monkeypatch.setattr(timezone, "now", lambda: just_after.astimezone(dt.UTC))
    assert current_cycle() == (dt.date(2027, 1, 1), dt.date(2029, 12, 31))


# --- A person's history ----------------------------------------------------------------

TODAY = dt.date(2025, 6, 1)  # in the 2024-2026 cycle


@pytest.mark.django_db
def test_history_totals_hours_per_category_for_attended_events_only():
    email = "dana@example.org"
    attended(email, on=chicago(2024, 3, 5), minutes=100, category="technical")  # 2
    attended(email, on=chicago(2025, 2, 10), minutes=150, category="technical")  # 3
    attended(email, on=chicago(2025, 4, 1), minutes=60, category="legal")  # 1
    attended(email, on=chicago(2025, 5, 1), minutes=240, category="interpersonal")  # 4
    for status in (RegistrationStatus.NO_SHOW, RegistrationStatus.CANCELLED):
        attended(email, on=chicago(2025, 3, 3), minutes=500, category="legal", status=status)
    RegistrationFactory(email=email, status=RegistrationStatus.CONFIRMED)  # upcoming
    attended("someone.else@example.org", on=chicago(2025, 3, 3), minutes=500, category="legal")

    history = history_for(email, today=TODAY)

    assert history.by_category() == {
        "legal": Decimal(1),
        "technical": Decimal(5),
        "interpersonal": Decimal(4),
        "skill": Decimal(0),
    }
    assert history.cycle_hours == Decimal(10)
    assert history.remaining_hours == Decimal(14)
    assert not history.requirement_met
    assert len(history.entries) == 4
    assert [e.date for e in history.entries] == sorted(
        (e.date for e in history.entries), reverse=True
    )


@pytest.mark.django_db
def test_only_the_current_cycle_counts_toward_24_hours_but_every_event_is_listed():
    email = "dana@example.org"
    attended(email, on=chicago(2023, 12, 31, 10), minutes=500, category="legal")  # 2021-2023
    attended(email, on=chicago(2024, 1, 1, 10), minutes=100, category="legal")
    attended(email, on=chicago(2026, 12, 31, 10), minutes=50, category="skill")
    attended(email, on=chicago(2027, 1, 1, 10), minutes=500, category="skill")  # next cycle

    history = history_for(email, today=TODAY)

    assert (history.cycle_start, history.cycle_end) == (dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    assert history.by_category()["legal"] == Decimal(2)
    assert history.by_category()["skill"] == Decimal(1)
    assert history.cycle_hours == Decimal(3)
    in_cycle = {e.date: e.in_current_cycle for e in history.entries}
    assert in_cycle == {
        dt.date(2023, 12, 31): False,
        dt.date(2024, 1, 1): True,
        dt.date(2026, 12, 31): True,
        dt.date(2027, 1, 1): False,
    }


@pytest.mark.django_db
def test_an_evening_event_on_december_31_belongs_to_the_cycle_of_its_local_date():
    # 7 PM on Dec 31, 2023 in Kansas City is Jan 1, 2024 in UTC: still the old cycle.
    email = "dana@example.org"
    attended(email, on=chicago(2023, 12, 31, 19), minutes=100)
    history = history_for(email, today=TODAY)
    assert history.entries[0].date == dt.date(2023, 12, 31)
    assert history.cycle_hours == 0


@pytest.mark.django_db
def test_instructors_earn_two_hours_per_50_minutes_taught():
    email = "trainer@example.org"
    attended(email, on=chicago(2025, 1, 15), minutes=100, category="skill", is_instructor=True)
    history = history_for(email, today=TODAY)
    assert history.entries[0].hours == Decimal(4)
    assert history.by_category()["skill"] == Decimal(4)


@pytest.mark.django_db
def test_recorded_minutes_replace_the_event_length():
    email = "late@example.org"
    attended(email, on=chicago(2025, 1, 15), minutes=240, minutes_attended=120)
    attended(email, on=chicago(2025, 1, 20), minutes=240, minutes_attended=0)
    history = history_for(email, today=TODAY)
    assert sorted(e.hours for e in history.entries) == [Decimal(0), Decimal(2)]
    assert history.cycle_hours == Decimal(2)


@pytest.mark.django_db
def test_events_without_a_category_are_listed_but_give_no_credit():
    email = "dana@example.org"
    attended(email, on=chicago(2025, 1, 15), minutes=120, category="")
    history = history_for(email, today=TODAY)
    assert len(history.entries) == 1
    assert not history.entries[0].counts_toward_ce
    assert history.cycle_hours == 0


@pytest.mark.django_db
def test_the_email_is_matched_whatever_its_case():
    attended("dana@example.org", on=chicago(2025, 1, 15), minutes=100)
    assert history_for("  Dana@Example.ORG ", today=TODAY).cycle_hours == Decimal(2)


@pytest.mark.django_db
def test_progress_stops_at_the_requirement_once_it_is_met():
    email = "keen@example.org"
    attended(email, on=chicago(2025, 1, 15), minutes=50 * 30)  # 30 hours
    history = history_for(email, today=TODAY)
    assert history.cycle_hours == Decimal(30)
    assert history.requirement_met
    assert history.progress_value == Decimal(24)
    assert history.percent == 100
    assert history.remaining_hours == 0


@pytest.mark.django_db
def test_history_takes_a_fixed_number_of_queries(django_assert_num_queries):
    email = "dana@example.org"
    for day in range(1, 6):
        attended(email, on=chicago(2025, 1, day), minutes=100)
    with django_assert_num_queries(1):
        history = history_for(email, today=TODAY)
        [entry.event.title for entry in history.entries]
