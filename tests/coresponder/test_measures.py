"""Program measures (coresponder.measures) on a small data set worked out by hand."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from coresponder.measures import (
    NOT_ATTRIBUTED,
    agency_series,
    directory,
    monthly_series,
    program_measures,
)
from coresponder.models import Encounter, MonthlyCallVolume
from coresponder.periods import Period, previous_period, year_before
from tests.coresponder.factories import encounter, org

pytestmark = pytest.mark.django_db

JAN, FEB = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
START, END = dt.date(2025, 1, 1), dt.date(2025, 2, 28)


def volume(agency: str, month: str, mh_calls: int) -> None:
    MonthlyCallVolume.objects.create(
        agency=org(agency), month=dt.date.fromisoformat(month + "-01"), mh_calls=mh_calls
    )


def linked(service: str) -> dict:
    return {"linked_to_services": "yes", "service_type": service}


@pytest.fixture
def known():
    """Six encounters in January and February 2025, one before and one after.

    #  date        agency        provider    contact          assess disposition       linked key
    0  2024-12-31  blue-springs  rediscover  on-scene         yes    resolved          no     p2
    1  2025-01-05  blue-springs  rediscover  on-scene         yes    resolved          yes    p1
    2  2025-01-20  blue-springs  rediscover  on-scene         no     arrest            no     p2
    3  2025-01-25  blue-springs  burrell     phone            yes    referred          yes su p1
    4  2025-02-03  grandview     burrell     on-scene         yes    involuntary-hold  yes    p3
    5  2025-02-10  grandview     burrell     on-scene         yes    other-custody     no     -
    6  2025-02-28  grandview     rediscover  follow-up-visit  yes    resolved          yes    p1
    7  2025-03-01  grandview     burrell     on-scene         yes    resolved          no     p3
    """
    common = {"agency": "blue-springs", "provider": "rediscover"}
    encounter(**common, date="2024-12-31", person_key="p2", minutes="500")
    encounter(**common, date="2025-01-05", person_key="p1", minutes="60", **linked("outpatient"))
    encounter(
        **common,
        date="2025-01-20",
        assessment="no",
        disposition="arrest",
        person_key="p2",
        minutes="30",
        concerns="mental-health;substance-use",
    )
    encounter(
        agency="blue-springs",
        provider="burrell",
        date="2025-01-25",
        contact_type="phone",
        disposition="referred",
        person_key="p1",
        minutes="",
        concerns="substance-use",
        **linked("substance-use-treatment"),
    )
    gv = {"agency": "grandview", "provider": "burrell"}
    encounter(
        **gv,
        date="2025-02-03",
        disposition="involuntary-hold",
        person_key="p3",
        minutes="90",
        concerns="mental-health;suicidal-ideation",
        **linked("crisis-center"),
    )
    encounter(**gv, date="2025-02-10", disposition="other-custody", minutes="15")
    encounter(
        agency="grandview",
        provider="rediscover",
        date="2025-02-28",
        contact_type="follow-up-visit",
        person_key="p1",
        minutes="45",
        **linked("outpatient"),
    )
    encounter(**gv, date="2025-03-01", person_key="p3", minutes="600")
    for agency, month, calls in (
        ("blue-springs", "2024-12", 99),
        ("blue-springs", "2025-01", 40),
        ("grandview", "2025-01", 10),
        ("blue-springs", "2025-02", 30),
        ("grandview", "2025-02", 20),
        ("grandview", "2025-03", 50),
    ):
        volume(agency, month, calls)


def figures(row) -> dict:
    names = (
        "mh_calls",
        "encounters",
        "onsite_assessments",
        "field_assessments",
        "linked",
        "people_linked",
        "on_scene",
        "custody_avoided",
        "involuntary_holds",
        "repeat_contacts",
        "clinician_minutes",
        "substance_use",
        "substance_use_treatment",
    )
    return {name: getattr(row, name) for name in names}


def test_every_measure_for_the_whole_program(known):
    report = program_measures(start=START, end=END, substance_use=True)
    total = report.total
    assert figures(total) == {
        "mh_calls": 100,  # 40 + 10 + 30 + 20: December and March are outside
        "encounters": 6,
        "onsite_assessments": 3,  # 1, 4, 5 (2 had no assessment, 3 was by phone)
        "field_assessments": 5,  # all but 2
        "linked": 4,  # 1, 3, 4, 6
        "people_linked": 2,  # p1 (three times) and p3
        "on_scene": 4,
        "custody_avoided": 2,  # 1 and 4 (an involuntary hold is not custody)
        "involuntary_holds": 1,
        "repeat_contacts": 3,  # 2 (p2 on Dec 31, before the range), 3 and 6 (p1)
        "clinician_minutes": 240,  # 60 + 30 + 90 + 15 + 45; 3 recorded none
        "substance_use": 2,  # 2 and 3
        "substance_use_treatment": 1,  # 3
    }
    assert total.coverage == pytest.approx(0.03)  # 3 on-site assessments of 100 calls
    assert total.custody_avoided_share == pytest.approx(0.5)


def test_measures_by_month(known):
    jan, feb = program_measures(start=START, end=END, substance_use=True).months
    assert (jan.code, jan.label, feb.code) == ("2025-01", "January 2025", "2025-02")
    assert figures(jan) == {
        "mh_calls": 50,
        "encounters": 3,
        "onsite_assessments": 1,
        "field_assessments": 2,
        "linked": 2,
        "people_linked": 1,
        "on_scene": 2,
        "custody_avoided": 1,
        "involuntary_holds": 0,
        "repeat_contacts": 2,
        "clinician_minutes": 90,
        "substance_use": 2,
        "substance_use_treatment": 1,
    }
    assert figures(feb) == {
        "mh_calls": 50,
        "encounters": 3,
        "onsite_assessments": 2,
        "field_assessments": 3,
        "linked": 2,
        "people_linked": 2,  # p3 and p1: p1 counts in both months, once in the total
        "on_scene": 2,
        "custody_avoided": 1,
        "involuntary_holds": 1,
        "repeat_contacts": 1,
        "clinician_minutes": 150,
        "substance_use": 0,
        "substance_use_treatment": 0,
    }
    assert jan.coverage == pytest.approx(0.02)
    assert feb.coverage == pytest.approx(0.04)


def test_measures_by_agency_list_every_agency_in_dictionary_order(known):
    agencies = program_measures(start=START, end=END, substance_use=True).agencies
    assert [a.code for a in agencies] == [
        "blue-springs",
        "grandview",
        "independence",
        "lees-summit",
        "raytown",
        "buckner",
        "grain-valley",
        "oak-grove",
    ]
    blue_springs, grandview, independence = agencies[:3]
    assert figures(blue_springs) == {
        "mh_calls": 70,
        "encounters": 3,
        "onsite_assessments": 1,
        "field_assessments": 2,
        "linked": 2,
        "people_linked": 1,
        "on_scene": 2,
        "custody_avoided": 1,
        "involuntary_holds": 0,
        "repeat_contacts": 2,
        "clinician_minutes": 90,
        "substance_use": 2,
        "substance_use_treatment": 1,
    }
    assert blue_springs.coverage == pytest.approx(1 / 70)
    assert (grandview.mh_calls, grandview.encounters, grandview.onsite_assessments) == (30, 3, 2)
    assert (grandview.people_linked, grandview.repeat_contacts) == (2, 1)
    assert grandview.coverage == pytest.approx(2 / 30)
    assert figures(independence) == {**dict.fromkeys(figures(independence), 0)}
    assert independence.coverage is None
    assert independence.custody_avoided_share is None


def test_measures_by_provider_count_the_calls_of_the_agency_months_they_served(known):
    rediscover, burrell = program_measures(start=START, end=END, substance_use=True).providers
    assert (rediscover.code, burrell.code) == ("rediscover", "burrell")
    assert figures(rediscover) == {
        "mh_calls": 60,  # Blue Springs in January (40) and Grandview in February (20)
        "encounters": 3,  # 1, 2, 6
        "onsite_assessments": 1,
        "field_assessments": 2,
        "linked": 2,
        "people_linked": 1,
        "on_scene": 2,
        "custody_avoided": 1,
        "involuntary_holds": 0,
        "repeat_contacts": 2,
        "clinician_minutes": 135,
        "substance_use": 1,
        "substance_use_treatment": 0,
    }
    assert figures(burrell) == {
        "mh_calls": 60,  # the same agency-months: each provider worked in both
        "encounters": 3,  # 3, 4, 5
        "onsite_assessments": 2,
        "field_assessments": 3,
        "linked": 2,
        "people_linked": 2,
        "on_scene": 2,
        "custody_avoided": 1,
        "involuntary_holds": 1,
        "repeat_contacts": 1,
        "clinician_minutes": 105,
        "substance_use": 1,
        "substance_use_treatment": 1,
    }
    assert burrell.coverage == pytest.approx(2 / 60)


def test_narrowed_to_one_agency_repeat_contacts_still_look_at_other_agencies(known):
    report = program_measures(start=START, end=END, agency=org("grandview"), substance_use=True)
    assert [a.code for a in report.agencies] == ["grandview"]
    jan, feb = report.months
    assert (jan.encounters, jan.mh_calls, feb.encounters, feb.mh_calls) == (0, 10, 3, 20)
    assert report.total.encounters == 3
    assert report.total.mh_calls == 30
    assert report.total.repeat_contacts == 1  # 6: p1 was seen in Blue Springs in January
    rediscover, burrell = report.providers
    assert (rediscover.encounters, rediscover.mh_calls) == (1, 20)
    assert (burrell.encounters, burrell.mh_calls) == (2, 20)


def test_narrowed_to_one_provider_counts_only_the_calls_of_the_months_it_served(known):
    report = program_measures(start=START, end=END, provider=org("rediscover"))
    jan, feb = report.months
    assert (jan.encounters, jan.mh_calls) == (2, 40)  # not Grandview's 10: no encounter there
    assert (feb.encounters, feb.mh_calls) == (1, 20)  # not Blue Springs' 30
    assert [p.code for p in report.providers] == ["rediscover"]
    blue_springs, grandview = report.agencies[:2]
    assert (blue_springs.mh_calls, grandview.mh_calls) == (40, 20)
    assert report.total.mh_calls == 60
    assert report.total.coverage == pytest.approx(1 / 60)


def test_substance_use_figures_are_not_computed_unless_asked_for(known):
    report = program_measures(start=START, end=END)
    rows = [*report.months, *report.agencies, *report.providers, report.total]
    assert all(r.substance_use is None and r.substance_use_treatment is None for r in rows)
    names = [c.name for c in report.columns]
    assert "substance_use" not in names
    assert "substance_use_treatment" not in names
    assert report.total.encounters == 6
    with CaptureQueriesContext(connection) as queries:
        program_measures(start=START, end=END, orgs=directory())
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    assert "substance" not in sql


def test_a_partial_range_counts_encounters_by_day_and_calls_by_whole_month(known):
    report = program_measures(start=dt.date(2025, 1, 10), end=dt.date(2025, 1, 31))
    assert report.total.encounters == 2  # 2 and 3; 1 was on January 5
    assert report.total.mh_calls == 50  # the whole of January
    assert report.total.repeat_contacts == 2  # their earlier encounters were before the range


@pytest.mark.parametrize(
    ("earlier", "later", "repeat"),
    [
        ("2024-06-16", "2025-06-15", True),  # 364 days
        ("2024-06-15", "2025-06-15", True),  # 365 days: exactly twelve months
        ("2024-06-14", "2025-06-15", False),  # 366 days
        ("2023-03-10", "2024-03-10", True),  # 366 days across 29 February: twelve months
        ("2023-03-09", "2024-03-10", False),  # 367 days
        ("2025-06-15", "2025-06-15", True),  # the same day: the second one is a repeat
    ],
)
def test_repeat_contact_window_is_twelve_calendar_months(earlier, later, repeat):
    encounter(date=earlier, person_key="edge")
    encounter(date=later, person_key="edge")
    encounter(date=later, person_key="")  # no key: never a repeat contact
    encounter(date=later, person_key="someone-else")
    day = dt.date.fromisoformat(later)
    report = program_measures(start=day, end=day)
    expected = 1 if repeat else 0
    assert report.total.repeat_contacts == expected
    assert report.months[0].repeat_contacts == expected
    assert report.agencies[0].repeat_contacts == expected
    assert report.providers[0].repeat_contacts == expected


def test_a_later_encounter_does_not_make_an_earlier_one_a_repeat():
    encounter(date="2025-01-05", person_key="k")
    encounter(date="2025-01-06", person_key="k")
    report = program_measures(start=dt.date(2025, 1, 5), end=dt.date(2025, 1, 5))
    assert report.total.repeat_contacts == 0


def test_an_empty_range_gives_zeros_and_no_rates(known):
    report = program_measures(
        start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31), substance_use=True
    )
    assert [m.code for m in report.months] == ["2022-01", "2022-02", "2022-03"]
    for row in [*report.months, *report.agencies, *report.providers, report.total]:
        assert set(figures(row).values()) == {0}
        assert row.coverage is None
        assert row.custody_avoided_share is None


def test_calls_without_encounters_give_a_coverage_of_zero(known):
    volume("raytown", "2022-05", 12)
    report = program_measures(start=dt.date(2022, 5, 1), end=dt.date(2022, 5, 31))
    assert report.total.mh_calls == 12
    assert report.total.coverage == 0


def test_an_end_before_the_start_gives_an_empty_report_without_a_query(known):
    orgs = directory()
    with CaptureQueriesContext(connection) as queries:
        report = program_measures(start=END, end=START, orgs=orgs)
    assert len(queries) == 0
    assert report.months == []
    assert report.total.encounters == 0
    assert report.total.coverage is None
    assert monthly_series(start=END, end=START, orgs=directory()) == []


def test_monthly_series_has_the_month_tables_numbers(known):
    report = program_measures(start=START, end=END)
    points = monthly_series(start=START, end=END)
    assert [(p.month, p.mh_calls, p.encounters, p.onsite_assessments) for p in points] == [
        (JAN, 50, 3, 1),
        (FEB, 50, 3, 2),
    ]
    assert [p.coverage for p in points] == [m.coverage for m in report.months]
    narrowed = monthly_series(start=START, end=END, provider=org("rediscover"))
    assert [(p.mh_calls, p.encounters) for p in narrowed] == [(40, 2), (20, 1)]


def test_the_number_of_queries_does_not_grow_with_the_data(known):
    orgs = directory()
    with CaptureQueriesContext(connection) as few:
        program_measures(start=START, end=END, substance_use=True, orgs=orgs)
    for n in range(40):
        encounter(
            date=f"2025-0{1 + n % 2}-{1 + n % 28:02d}",
            agency=("raytown", "oak-grove")[n % 2],
            person_key=f"many-{n % 7}",
            **(linked("housing") if n % 3 else {}),
        )
    with CaptureQueriesContext(connection) as many:
        report = program_measures(start=START, end=END, substance_use=True, orgs=orgs)
    assert report.total.encounters == 46
    assert len(many) == len(few) == 6


# --- The row not attributed to a provider -----------------------------------------------


def test_the_not_attributed_row_makes_every_provider_column_add_up(known):
    report = program_measures(start=START, end=END, substance_use=True)
    rediscover, burrell = report.providers
    rest = report.not_attributed
    assert rest.label == NOT_ATTRIBUTED
    # Two providers worked in Blue Springs in January (40 calls) and in Grandview in
    # February (20 calls): those calls are in both provider rows. Nobody recorded an
    # encounter in Grandview in January (10) or Blue Springs in February (30).
    assert (rediscover.mh_calls, burrell.mh_calls, report.total.mh_calls) == (60, 60, 100)
    assert rest.calls_without_provider == 10 + 30
    assert rest.calls_counted_again == 40 + 20
    assert rest.mh_calls == 40 - 60 == 100 - 60 - 60
    # p1 was linked by both providers: one person in the whole program, one in each row.
    assert (rediscover.people_linked, burrell.people_linked, report.total.people_linked) == (
        1,
        2,
        2,
    )
    assert rest.people_linked == -1
    for name, value in figures(rest).items():
        added = getattr(rediscover, name) + getattr(burrell, name) + value
        assert added == getattr(report.total, name), name
        if name not in ("mh_calls", "people_linked"):
            assert value == 0, name  # every encounter has a provider
    assert rest.coverage is None  # no rate: the row is no group of calls
    assert rest.custody_avoided_share is None


def test_an_encounter_of_a_provider_outside_the_dictionary_is_not_attributed(known):
    other = Organization.objects.create(name="Another center", kind="behavioral_health")
    extra = encounter(agency="blue-springs", provider="rediscover", date="2025-01-07")
    Encounter.objects.filter(pk=extra.pk).update(provider=other)
    report = program_measures(start=JAN, end=dt.date(2025, 1, 31))
    rest = report.not_attributed
    assert (rest.encounters, rest.on_scene, rest.clinician_minutes) == (1, 1, 45)
    for name in ("encounters", "mh_calls", "on_scene", "clinician_minutes", "people_linked"):
        added = sum(getattr(p, name) for p in report.providers) + getattr(rest, name)
        assert added == getattr(report.total, name), name


def test_narrowed_to_one_provider_nothing_is_left_unattributed(known):
    report = program_measures(start=START, end=END, provider=org("burrell"))
    assert set(figures(report.not_attributed).values()) == {0, None}
    assert report.not_attributed.mh_calls == 0
    assert report.providers[0].mh_calls == report.total.mh_calls == 60


def test_narrowed_to_one_agency_the_providers_still_add_up(known):
    report = program_measures(start=START, end=END, agency=org("grandview"))
    rediscover, burrell = report.providers
    rest = report.not_attributed
    assert (rediscover.mh_calls, burrell.mh_calls, report.total.mh_calls) == (20, 20, 30)
    assert (rest.calls_without_provider, rest.calls_counted_again, rest.mh_calls) == (10, 20, -10)
    assert rediscover.encounters + burrell.encounters + rest.encounters == 3


# --- Comparisons -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months", "previous"),
    [
        # Whole months: as many months just before.
        ("2025-03-01", "2025-03-31", None, ("2025-02-01", "2025-02-28")),
        ("2025-01-01", "2025-03-31", None, ("2024-10-01", "2024-12-31")),
        ("2024-01-01", "2024-12-31", None, ("2023-01-01", "2023-12-31")),
        ("2024-03-01", "2024-03-31", None, ("2024-02-01", "2024-02-29")),
        # Other ranges: as many days just before.
        ("2025-03-10", "2025-03-19", None, ("2025-02-28", "2025-03-09")),
        ("2025-03-01", "2025-03-15", None, ("2025-02-14", "2025-02-28")),
        # A calendar choice asks for months: the same days of the month or year before.
        ("2025-03-01", "2025-03-15", 1, ("2025-02-01", "2025-02-15")),
        ("2025-03-01", "2025-03-30", 1, ("2025-02-01", "2025-02-28")),
        ("2024-02-01", "2024-02-29", 1, ("2024-01-01", "2024-01-31")),
        ("2025-01-01", "2025-06-15", 12, ("2024-01-01", "2024-06-15")),
    ],
)
def test_the_previous_period(start, end, months, previous):
    day = dt.date.fromisoformat
    expected = Period(day(previous[0]), day(previous[1]))
    assert previous_period(day(start), day(end), months=months) == expected


@pytest.mark.parametrize(
    ("start", "end", "before"),
    [
        ("2025-03-01", "2025-03-15", ("2024-03-01", "2024-03-15")),
        ("2024-02-29", "2024-02-29", ("2023-02-28", "2023-02-28")),
        ("2025-02-01", "2025-02-28", ("2024-02-01", "2024-02-29")),  # a month's last day
        ("2025-01-01", "2025-12-31", ("2024-01-01", "2024-12-31")),
    ],
)
def test_the_same_period_a_year_before(start, end, before):
    day = dt.date.fromisoformat
    assert year_before(day(start), day(end)) == Period(day(before[0]), day(before[1]))


def comparable(row) -> dict:
    return {**figures(row), "label": row.label, "code": row.code}


@pytest.mark.parametrize(
    ("start", "end", "previous", "before"),
    [
        # February 2025 against January 2025 and February 2024.
        ("2025-02-01", "2025-02-28", ("2025-01-01", "2025-01-31"), ("2024-02-01", "2024-02-29")),
        # Periods that overlap: the report, the previous period and a year before.
        ("2025-01-15", "2025-03-01", ("2024-11-30", "2025-01-14"), ("2024-01-15", "2025-02-01")),
    ],
)
@pytest.mark.parametrize("narrow", [{}, {"agency": "grandview"}, {"provider": "rediscover"}])
def test_comparisons_have_the_figures_of_their_periods_measured_alone(
    known, start, end, previous, before, narrow
):
    day = dt.date.fromisoformat
    narrow = {k: org(v) for k, v in narrow.items()}
    previous, before = Period(*map(day, previous)), Period(*map(day, before))
    orgs = directory()
    with CaptureQueriesContext(connection) as queries:
        report = program_measures(
            start=day(start),
            end=day(end),
            substance_use=True,
            orgs=orgs,
            previous=previous,
            year_before=before,
            **narrow,
        )
    assert len(queries) == 6  # comparing adds no query
    alone = program_measures(start=day(start), end=day(end), substance_use=True, **narrow)
    assert report.total == alone.total
    assert report.agencies == alone.agencies
    assert report.months == alone.months
    assert report.providers == alone.providers
    for comparison, period in ((report.previous, previous), (report.year_before, before)):
        measured = program_measures(
            start=period.start, end=period.end, substance_use=True, **narrow
        )
        assert (comparison.start, comparison.end) == (period.start, period.end)
        assert comparable(comparison.total) == comparable(measured.total)
        assert [comparable(a) for a in comparison.agencies] == [
            comparable(a) for a in measured.agencies
        ]


def test_a_comparison_counts_what_happened_in_its_period(known):
    """February 2025 against January 2025 (the previous month) and February 2024 (none)."""
    report = program_measures(
        start=FEB,
        end=dt.date(2025, 2, 28),
        previous=previous_period(FEB, dt.date(2025, 2, 28)),
        year_before=year_before(FEB, dt.date(2025, 2, 28)),
    )
    assert (report.total.encounters, report.total.mh_calls) == (3, 50)
    january = report.previous.total
    assert (january.encounters, january.mh_calls, january.onsite_assessments) == (3, 50, 1)
    assert (january.repeat_contacts, january.people_linked) == (2, 1)
    assert (report.previous.agencies[0].code, report.previous.agencies[0].encounters) == (
        "blue-springs",
        3,
    )
    a_year_before = report.year_before.total
    assert (a_year_before.encounters, a_year_before.mh_calls) == (0, 0)
    assert a_year_before.coverage is None


def test_a_period_asked_twice_is_computed_once(known):
    period = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    report = program_measures(
        start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), previous=period, year_before=period
    )
    assert report.previous == report.year_before
    assert report.previous.total.encounters == 1  # December 31, 2024


def test_without_comparisons_there_are_none(known):
    report = program_measures(start=START, end=END)
    assert report.previous is None and report.year_before is None


def test_agency_series_has_the_agency_rows_numbers(known):
    previous = previous_period(START, END)
    points = agency_series(periods=[Period(START, END), previous])
    report = program_measures(start=START, end=END, previous=previous)
    assert [p.code for p in points] == [a.code for a in report.agencies]
    assert [p.encounters for p in points] == [
        (a.encounters, b.encounters)
        for a, b in zip(report.agencies, report.previous.agencies, strict=True)
    ]
    assert points[0].encounters == (3, 1)  # Blue Springs: three now, December 31 before
    orgs = directory()
    with CaptureQueriesContext(connection) as queries:
        agency_series(periods=[Period(START, END), previous], orgs=orgs)
    assert len(queries) == 1
