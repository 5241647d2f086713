"""Small-cell suppression: the rules on hand examples, then a brute-force proof over
generated yearly figures that no small count can be worked out from the public table."""

import itertools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coresponder.public import PUBLISHED, RATES, year_figures
from coresponder.suppression import (
    NOT_APPLICABLE,
    SHOWN,
    SMALL,
    SMALL_TEXT,
    WITHHELD,
    WITHHELD_TEXT,
    Cover,
    Rate,
    Step,
    Total,
    is_small,
    percent,
    suppress,
    suppress_explained,
)

# The table variables of one year; everything else follows from them.
TABLE = ("mh_calls", "onsite", "field", "linked", "on_scene", "avoided")


def year(mh_calls, onsite, field, linked, on_scene, avoided, *, volume=True) -> dict[str, int]:
    """All counts of a year as coresponder.public builds them (true values)."""
    counts = {
        "onsite_assessments": onsite,
        "field_assessments": field,
        "linked_encounters": linked,
        "on_scene": on_scene,
        "avoided": avoided,
        "custody": on_scene - avoided,
        "assessed_elsewhere": field - onsite,
        "on_scene_unassessed": on_scene - onsite,
    }
    if volume:
        counts["mh_calls"] = mh_calls
    return counts


def texts(counts: dict[str, int]) -> dict[str, str]:
    return {name: figure.text for name, figure in year_figures(counts).items()}


# --- The rules on hand examples --------------------------------------------------------


def test_the_published_program_figures_are_shown_in_full():
    shown = texts(year(8009, 1969, 2080, 1339, 2000, 1950))
    assert shown == {
        "mh_calls": "8,009",
        "onsite_assessments": "1,969",
        "coverage": "25%",
        "field_assessments": "2,080",
        "linked_encounters": "1,339",
        "on_scene": "2,000",
        "custody_avoided": "98%",
    }


@pytest.mark.parametrize("small", [1, 5, 10])
def test_a_count_from_1_to_10_reads_fewer_than_11(small):
    figure = year_figures(year(500, 20, 60, small, 40, 40))["linked_encounters"]
    assert (figure.text, figure.status, figure.value) == (SMALL_TEXT, SMALL, None)


def test_11_is_the_smallest_count_shown():
    assert texts(year(500, 20, 60, 11, 40, 40))["linked_encounters"] == "11"


def test_a_rate_over_a_small_numerator_is_not_shown():
    shown = texts(year(500, 5, 60, 30, 40, 40))
    assert shown["onsite_assessments"] == SMALL_TEXT
    assert shown["mh_calls"] == "500"
    assert shown["coverage"] == WITHHELD_TEXT  # 1% of 500 would give the 5 away


def test_a_rate_over_a_small_denominator_is_not_shown():
    shown = texts(year(7, 30, 60, 30, 45, 45))
    assert shown["mh_calls"] == SMALL_TEXT
    assert shown["coverage"] == WITHHELD_TEXT  # 30 of "x" = 429% would give the 7 away


def test_the_share_is_hidden_when_the_arrests_it_implies_are_few():
    shown = texts(year(500, 20, 40, 30, 40, 37))  # 3 of 40 on-scene encounters: arrest
    assert shown["on_scene"] == "40"
    assert shown["custody_avoided"] == WITHHELD_TEXT


def test_the_share_is_hidden_when_the_encounters_avoiding_arrest_are_few():
    shown = texts(year(500, 20, 40, 30, 40, 4))
    assert shown["on_scene"] == "40"
    assert shown["custody_avoided"] == WITHHELD_TEXT


def test_the_share_is_shown_when_neither_it_nor_its_complement_is_small():
    shown = texts(year(500, 20, 40, 30, 40, 29))  # 11 arrests
    assert shown["custody_avoided"] == "73%"


def test_the_share_is_hidden_with_a_small_denominator():
    shown = texts(year(500, 5, 40, 30, 5, 5))
    assert shown["on_scene"] == SMALL_TEXT
    assert shown["custody_avoided"] == WITHHELD_TEXT


def test_zero_is_shown_as_zero_and_gives_nothing_away():
    shown = texts(year(0, 0, 0, 0, 0, 0))
    assert {shown[k] for k in ("mh_calls", "onsite_assessments", "on_scene")} == {"0"}
    assert year_figures(year(0, 0, 0, 0, 0, 0))["coverage"].status == NOT_APPLICABLE
    everyone_avoided_arrest = texts(year(500, 20, 40, 30, 40, 40))
    assert everyone_avoided_arrest["custody_avoided"] == "100%"  # 0 arrests is not small


def test_a_small_difference_of_two_printed_counts_hides_the_total():
    # 12 field assessments, 11 of them on scene: the one elsewhere must not be worked out.
    shown = texts(year(500, 11, 12, 30, 40, 40))
    assert shown["field_assessments"] == WITHHELD_TEXT
    assert shown["onsite_assessments"] == "11"  # hiding the 11 instead would give away the 1


def test_a_small_number_of_on_scene_encounters_without_assessment_hides_on_scene():
    shown = texts(year(500, 30, 60, 30, 36, 36))
    assert shown["on_scene"] == WITHHELD_TEXT
    assert shown["custody_avoided"] == WITHHELD_TEXT  # its denominator is hidden
    assert shown["onsite_assessments"] == "30"
    assert shown["coverage"] == "6%"


def test_a_year_without_call_volume_reports_no_coverage():
    shown = texts(year(0, 20, 40, 30, 40, 29, volume=False))
    assert shown["mh_calls"] == shown["coverage"] == "not reported"
    assert shown["onsite_assessments"] == "20"


def test_a_total_is_hidden_when_two_small_parts_leave_one_possibility():
    # 10 + 10 = 20: "fewer than 11" twice and 20 would pin both parts.
    figures = suppress(
        {"t": 20, "a": 10, "b": 10}, published=["t", "a", "b"], totals=[Total("t", ("a", "b"))]
    )
    assert [figures[n].status for n in ("t", "a", "b")] == [WITHHELD, SMALL, SMALL]
    roomy = suppress(
        {"t": 15, "a": 10, "b": 5}, published=["t", "a", "b"], totals=[Total("t", ("a", "b"))]
    )
    assert roomy["t"].text == "15"  # 5-10 and 5-10: neither part is pinned


def test_a_rate_and_a_total_cascade_until_nothing_is_disclosed():
    counts = {"t": 30, "a": 25, "b": 5, "base": 200}
    figures = suppress(
        counts,
        published=["t", "base"],
        rates=[Rate("share_a", "a", "base")],
        totals=[Total("t", ("a", "b"))],
    )
    # share_a and base give a = 25; with t = 30 that gives b = 5: the rate goes.
    assert figures["t"].text == "30"
    assert figures["share_a"].status == WITHHELD


def test_totals_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="not the sum"):
        suppress({"t": 3, "a": 1, "b": 1}, published=["t"], totals=[Total("t", ("a", "b"))])
    with pytest.raises(ValueError, match="unknown counts"):
        suppress({"t": 3}, published=["t", "u"])


# --- Beside earlier pages (rules 6 to 8; coresponder.release_tables builds the real ones) ---


@pytest.mark.parametrize("old,new", [(40, 43), (43, 40)])
def test_a_small_change_from_an_earlier_page_hides_the_new_figure(old, new):
    figures = suppress(
        {"old": old, "new": new, "change": new - old},
        published=["new"],
        totals=[Total("new", ("old", "change"))],
        earlier={"old": SHOWN},
        signed=["change"],
    )
    assert figures["new"].status == WITHHELD
    moved_more = suppress(
        {"old": 40, "new": 51, "change": 11},
        published=["new"],
        totals=[Total("new", ("old", "change"))],
        earlier={"old": SHOWN},
        signed=["change"],
    )
    assert moved_more["new"].text == "51"


def test_earlier_figures_are_never_hidden_and_their_own_leaks_are_not_this_pages():
    # The earlier page printed 20 = "fewer than 11" + "fewer than 11": out already.
    figures = suppress(
        {"old_t": 20, "old_a": 10, "old_b": 10, "t": 40, "a": 25, "b": 15},
        published=["t", "a", "b"],
        totals=[Total("old_t", ("old_a", "old_b")), Total("t", ("a", "b"))],
        earlier={"old_t": SHOWN, "old_a": SMALL, "old_b": SMALL},
    )
    assert {name: f.text for name, f in figures.items()} == {"t": "40", "a": "25", "b": "15"}


def test_a_cover_is_caught_whichever_earlier_counts_the_reader_picks():
    # to date = up to last year (100 or 120 in two revisions) + this year (50 or 47) + late:
    # 170 - 120 - 47 leaves 3.
    def late(to_date):
        return suppress_explained(
            {"to_date": to_date, "prior_1": 100, "prior_2": 120, "year_1": 50, "year_2": 47},
            published=["to_date"],
            earlier=dict.fromkeys(("prior_1", "prior_2", "year_1", "year_2"), SHOWN),
            covers=[Cover("late", "to_date", (("prior_1", "prior_2"), ("year_1", "year_2")))],
        )

    assert late(170).figures["to_date"].status == WITHHELD
    assert late(170).steps == (Step("to_date", "late", ("to_date", "prior_2", "year_2")),)
    assert late(200).figures["to_date"].text == "200"  # 30 or more whichever is picked


def test_a_count_known_through_unprinted_ones_is_followed_to_a_printed_figure():
    # change = inside - old; inside (never printed) = outer - rest, both printed: the
    # search goes from the change through `inside` to the printed total `outer`.
    figures = suppress(
        {"old": 30, "change": 4, "inside": 34, "outer": 50, "rest": 16},
        published=["outer", "rest"],
        totals=[Total("inside", ("old", "change")), Total("outer", ("inside", "rest"))],
        earlier={"old": SHOWN},
    )
    assert (figures["outer"].status, figures["rest"].text) == (WITHHELD, "16")


def test_a_relation_a_reader_assumes_can_give_a_small_count_away():
    # to date = records before + the year. A reader who assumes that nothing came in late
    # takes the records before as last year's to date (1,000): 1,005 gives the 5 away.
    counts = {"to_date": 1005, "year": 5, "before": 1000, "last": 1000}
    page = {
        "published": ["to_date", "year"],
        "totals": [Total("to_date", ("year", "before"))],
        "earlier": {"last": SHOWN},
    }
    assert suppress(counts, **page)["to_date"].text == "1,005"
    assumed = Total("before", ("last",))
    result = suppress_explained(counts, **page, assumed=[assumed])
    assert result.figures["to_date"].status == WITHHELD
    assert result.figures["year"].text == SMALL_TEXT
    assert result.steps == (Step("to_date", "year", assumed=(assumed,)),)


def test_for_the_assuming_reader_the_figure_hidden_is_one_that_undoes_the_disclosure():
    # 3 arrests in the year, 53 to date, 50 before by assumption. Hiding the year's 40
    # (its total) would leave 53 - 50; hiding the share to date (53 = 540 - 487) does not.
    counts = {
        "year_on_scene": 40,
        "year_avoided": 37,
        "year_custody": 3,
        "to_on_scene": 540,
        "to_avoided": 487,
        "to_custody": 53,
        "before_custody": 50,
        "last_custody": 50,
    }
    assumed = Total("before_custody", ("last_custody",))
    result = suppress_explained(
        counts,
        published=["year_on_scene", "to_on_scene"],
        rates=[
            Rate("year_share", "year_avoided", "year_on_scene"),
            Rate("to_share", "to_avoided", "to_on_scene"),
        ],
        totals=[
            Total("year_on_scene", ("year_avoided", "year_custody")),
            Total("to_on_scene", ("to_avoided", "to_custody")),
            Total("to_custody", ("year_custody", "before_custody")),
        ],
        earlier={"last_custody": SHOWN},
        assumed=[assumed],
    )
    shown = {name: figure.text for name, figure in result.figures.items()}
    assert shown == {
        "year_on_scene": "40",
        "to_on_scene": "540",
        "year_share": WITHHELD_TEXT,
        "to_share": WITHHELD_TEXT,
    }
    assert result.steps[-1] == Step("to_share", "year_custody", assumed=(assumed,))


@pytest.mark.parametrize(
    "numerator,denominator,text",
    [
        (1969, 8009, "25%"),
        (1, 3, "33%"),
        (2, 3, "67%"),
        (1, 8, "13%"),  # 12.5 rounds half up
        (1, 201, "less than 1%"),
        (200, 201, "more than 99%"),
        (0, 50, "0%"),
        (50, 50, "100%"),
        (60, 50, "120%"),
    ],
)
def test_percentages_are_whole_numbers_never_falsely_0_or_100(numerator, denominator, text):
    assert percent(numerator, denominator).text == text


# --- Brute force: no small count can be worked out -------------------------------------

# Counts around the threshold most of the time, anything up to 200 otherwise.
EDGES = st.sampled_from([0, 1, 2, 10, 11, 12, 20, 21])
SMALLISH = st.one_of(EDGES, st.integers(0, 25), st.integers(0, 200))


@st.composite
def years(draw) -> tuple[int, ...]:
    """Consistent table variables: on-site <= field, on-site <= on-scene, avoided <= on-scene."""
    onsite = draw(SMALLISH)
    field = onsite + draw(SMALLISH)
    on_scene = onsite + draw(SMALLISH)
    near = st.one_of(EDGES, st.integers(0, 25)).map(lambda n: min(n, on_scene))
    avoided = draw(st.one_of(st.integers(0, on_scene), near, near.map(lambda n: on_scene - n)))
    return (draw(SMALLISH), onsite, field, draw(SMALLISH), on_scene, avoided)


def valid(table) -> bool:
    mh_calls, onsite, field, linked, on_scene, avoided = table
    return min(table) >= 0 and onsite <= field and onsite <= on_scene and avoided <= on_scene


def display(table, volume) -> dict[str, tuple[str, str]]:
    figures = year_figures(year(*table, volume=volume))
    return {name: (f.text, f.status) for name, f in figures.items()}


def primary_only(table, volume) -> dict[str, str]:
    """The table with primary suppression alone, to show the search catches a leak."""
    counts = year(*table, volume=volume)
    shown = {k: SMALL_TEXT if is_small(counts[k]) else str(counts[k]) for k in PUBLISHED}
    for rate in RATES:
        numerator, denominator = counts[rate.numerator], counts[rate.denominator]
        if denominator and not is_small(numerator) and not is_small(denominator):
            shown[rate.name] = percent(numerator, denominator).text
    return shown


# Every way to move the table variables together by the same step (up, down or not at
# all), smallest steps first: it reaches both the single-variable changes and the ones
# that keep a difference fixed (on-site and on-scene up together, say).
MOVES = [
    tuple(step * d for d in direction)
    for step in range(1, 13)
    for direction in itertools.product((-1, 0, 1), repeat=len(TABLE))
    if any(direction)
]


def another_consistent_value(table, volume, name: str, show=display) -> int | None:
    """A value of count `name`, other than the true one, in some year that the page
    would print exactly as it prints this one; None if the search finds none."""
    shown = show(table, volume)
    true_value = year(*table, volume=volume)[name]
    for move in MOVES:
        candidate = tuple(v + m for v, m in zip(table, move, strict=True))
        if not volume and move[0]:
            continue
        if not valid(candidate):
            continue
        other = year(*candidate, volume=volume)[name]
        if other != true_value and show(candidate, volume) == shown:
            return other
    return None


@settings(
    max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(table=years(), volume=st.booleans())
@example(table=(500, 11, 12, 30, 40, 40), volume=True)  # 11 + 1 = 12
@example(table=(500, 20, 40, 30, 40, 37), volume=True)  # 3 arrests of 40
@example(table=(500, 1, 1, 30, 1, 1), volume=True)  # everything 1
@example(table=(20, 10, 20, 10, 20, 10), volume=True)  # 10 + 10 = 20
@example(table=(0, 0, 0, 0, 11, 1), volume=False)
def test_no_small_count_can_be_worked_out_from_the_table(table, volume):
    counts = year(*table, volume=volume)
    figures = year_figures(counts)
    for name, figure in figures.items():
        if figure.status == SHOWN and name in counts:
            assert figure.value == counts[name]  # printed counts are the true counts
            assert not is_small(figure.value)
    for name, value in counts.items():  # printed or not: the differences count too
        if is_small(value):
            other = another_consistent_value(table, volume, name)
            assert other is not None, f"{name}={value} can be worked out from {figures}"


def test_the_brute_force_catches_a_leak_when_there_is_one():
    """The search is not blind: with primary suppression alone, 93% of 40 on-scene
    encounters gives the 3 arrests away, and the search finds no other value."""
    table = (500, 20, 40, 30, 40, 37)
    assert primary_only(table, True)["custody_avoided"] == "93%"
    assert another_consistent_value(table, True, "custody", show=primary_only) is None
    assert another_consistent_value(table, True, "custody") is not None
