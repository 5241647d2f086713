"""Suppression across releases and revisions: hand examples, then a proof by exact integer
programming, over generated histories of releases and corrections, that no two pages the
site ever showed give a count from 1 to 10 away when read together.

The reader of the proof is independent of coresponder.suppression: it knows nothing of its
rules or ranges, only what the pages print. It models the records themselves (for each
publication, the counts of each year as the database held them then: on-site assessments,
assessments elsewhere, unassessed on-scene encounters, those that avoided arrest, linked
encounters, calls), writes each printed figure as a constraint on them (a number exactly,
"fewer than 11" as 1-10, "not shown" as 0 or at least 11, a percentage as the interval its
rounding allows, "not applicable" as a zero denominator), and asks HiGHS
(scipy.optimize.milp) whether each small count can take another value.

The proof's reader also assumes what no page prints: that records never come in late and
that a year never released has none. Every difference it can form between a count and rows
of other pages that count the same records (those years left out) is then zero to it: it
fixes each one at zero wherever the generated history agrees, so it reads the true counts;
where the history does not agree, such a reader would only read wrong numbers.
"""

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from coresponder.public import year_figures
from coresponder.release_tables import (
    ROW_TO_DATE,
    ROW_YEAR,
    PublishedRow,
    ReleaseTable,
    release_table,
    statuses,
)
from coresponder.suppression import (
    NOT_APPLICABLE,
    SHOWN,
    SMALL,
    SMALL_TEXT,
    WITHHELD,
    WITHHELD_TEXT,
    Figure,
)

FIRST = 2024  # the first released year; FIRST - 1 stands for every year before it
YEARS = (FIRST - 1, FIRST, FIRST + 1, FIRST + 2)


def counts(mh_calls, onsite, field, linked, on_scene, avoided, *, volume=True) -> dict:
    """All counts of a row as coresponder.public builds them (true values)."""
    row = {
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
        row["mh_calls"] = mh_calls
    return row


def summed(*rows: dict) -> dict:
    names = set(rows[0]).intersection(*rows[1:])
    return {name: sum(row[name] for row in rows) for name in names}


def texts(table: ReleaseTable) -> dict[str, dict[str, str]]:
    return {row: {k: f.text for k, f in figures.items()} for row, figures in table.rows.items()}


def published(year, revision, table: ReleaseTable, rows: dict) -> list[PublishedRow]:
    return [
        PublishedRow(year, row, revision, rows[row], statuses(table.rows[row]))
        for row in (ROW_YEAR, ROW_TO_DATE)
    ]


# Large earlier years, so that "records before the year" never decides anything by itself.
HISTORY = counts(30000, 1500, 2000, 1000, 1800, 1700)
Y2025 = counts(8000, 400, 600, 300, 500, 450)


def release(year_counts, earlier=(), *, year=2025, history=HISTORY):
    return release_table(
        year=year,
        year_counts=year_counts,
        to_date_counts=summed(year_counts, history),
        earlier=list(earlier),
    )


def first_release_2025():
    table = release(Y2025)
    return table, published(2025, 1, table, {ROW_YEAR: Y2025, ROW_TO_DATE: summed(Y2025, HISTORY)})


# --- Hand examples ---------------------------------------------------------------------


def test_a_first_release_is_suppressed_row_by_row():
    table = release(counts(8000, 400, 600, 8, 500, 463))  # 8 linked, 37 arrests
    assert table.hidden_across == ()
    assert table.rows[ROW_YEAR] == year_figures(counts(8000, 400, 600, 8, 500, 463))
    assert table.rows[ROW_TO_DATE] == year_figures(
        summed(counts(8000, 400, 600, 8, 500, 463), HISTORY)
    )
    assert table.rows[ROW_YEAR]["linked_encounters"].text == SMALL_TEXT


def test_the_first_year_of_the_program_is_suppressed_row_by_row():
    nothing_before = counts(0, 0, 0, 0, 0, 0)
    table = release(counts(500, 20, 40, 30, 40, 37), history=nothing_before)
    assert table.hidden_across == ()
    assert texts(table)[ROW_YEAR] == texts(table)[ROW_TO_DATE]
    assert table.rows[ROW_YEAR]["custody_avoided"].status == WITHHELD  # 3 arrests of 40


def test_a_few_records_before_the_year_hide_the_program_to_date():
    # 5 on-scene encounters before 2025: to date 505, the year 500.
    table = release(Y2025, history=counts(100, 0, 0, 0, 5, 5))
    shown = texts(table)
    assert shown[ROW_YEAR]["on_scene"] == "500"
    assert shown[ROW_TO_DATE]["on_scene"] == WITHHELD_TEXT
    assert shown[ROW_TO_DATE]["custody_avoided"] == WITHHELD_TEXT  # its denominator is hidden
    reasons = {(c.row, c.figure): c.reason for c in table.hidden_across}
    assert "years before 2025" in reasons[(ROW_TO_DATE, "on_scene")]
    assert (ROW_YEAR, "on_scene") not in reasons


def test_a_correction_adding_5_on_scene_encounters_hides_them_with_a_reason():
    _, earlier = first_release_2025()
    corrected = counts(8000, 400, 600, 300, 505, 455)  # 5 more, unassessed, no arrest
    table = release(corrected, earlier)
    shown = texts(table)
    for row in (ROW_YEAR, ROW_TO_DATE):
        assert shown[row]["on_scene"] == WITHHELD_TEXT
        assert shown[row]["custody_avoided"] == WITHHELD_TEXT  # 455 of 505 would give it back
        assert shown[row]["onsite_assessments"] != WITHHELD_TEXT  # unchanged, still printed
    assert shown[ROW_YEAR]["onsite_assessments"] == "400"
    cells = {(c.row, c.figure): c.reason for c in table.hidden_across}
    assert set(cells) == {
        (row, figure)
        for row in (ROW_YEAR, ROW_TO_DATE)
        for figure in ("on_scene", "custody_avoided")
    }
    assert cells[(ROW_YEAR, "on_scene")] == (
        "Hidden because, compared with revision 1 of the 2025 figures, it would reveal a "
        "count from 1 to 10."
    )
    assert "on-scene encounters" in cells[(ROW_YEAR, "custody_avoided")]


def test_assessed_on_scene_encounters_added_also_hide_the_coverage():
    _, earlier = first_release_2025()
    corrected = counts(8000, 405, 605, 300, 505, 455)  # 5 more, all assessed on scene
    shown = texts(release(corrected, earlier))[ROW_YEAR]
    hidden = {k for k, text in shown.items() if text == WITHHELD_TEXT}
    assert {"onsite_assessments", "coverage", "on_scene", "custody_avoided"} <= hidden
    assert "field_assessments" in hidden  # 605 - 600 would give the 5 back
    assert shown["mh_calls"] == "8,000"


def test_a_correction_adding_50_hides_nothing():
    _, earlier = first_release_2025()
    table = release(counts(8000, 450, 650, 350, 550, 500), earlier)
    assert table.hidden_across == ()
    assert texts(table)[ROW_YEAR]["on_scene"] == "550"


def test_a_correction_that_changes_nothing_hides_nothing():
    _, earlier = first_release_2025()
    table = release(Y2025, earlier)
    assert table.hidden_across == ()
    assert table.rows == first_release_2025()[0].rows


def test_a_count_going_down_by_3_is_protected_too():
    _, earlier = first_release_2025()
    table = release(counts(8000, 400, 600, 297, 500, 450), earlier)  # 3 fewer linked
    shown = texts(table)
    assert shown[ROW_YEAR]["linked_encounters"] == WITHHELD_TEXT
    assert shown[ROW_TO_DATE]["linked_encounters"] == WITHHELD_TEXT
    assert {(c.row, c.figure) for c in table.hidden_across} == {
        (ROW_YEAR, "linked_encounters"),
        (ROW_TO_DATE, "linked_encounters"),
    }


def test_late_records_for_2024_counted_in_the_2025_program_to_date_cannot_be_worked_out():
    y2024, before_2024 = counts(7000, 350, 500, 280, 450, 420), HISTORY
    first = release_table(
        year=2024,
        year_counts=y2024,
        to_date_counts=summed(y2024, before_2024),
        earlier=[],
    )
    earlier = published(2024, 1, first, {ROW_YEAR: y2024, ROW_TO_DATE: summed(y2024, before_2024)})
    late_2024 = counts(7000, 350, 500, 283, 450, 420)  # 3 linked encounters entered late
    to_date = summed(Y2025, late_2024, before_2024)
    table = release_table(year=2025, year_counts=Y2025, to_date_counts=to_date, earlier=earlier)
    shown = texts(table)
    assert shown[ROW_YEAR]["linked_encounters"] == "300"
    assert shown[ROW_TO_DATE]["linked_encounters"] == WITHHELD_TEXT  # 2,583 = 2,280 + 300 + 3
    [cell] = table.hidden_across
    assert (cell.row, cell.figure) == (ROW_TO_DATE, "linked_encounters")
    assert "revision 1 of the 2024 figures" in cell.reason
    # And the reader of the proof agrees: nothing small can be worked out from both pages.
    history = History(
        volume={y: True for y in YEARS},
        publications=[
            Publication(2024, 1, first, {FIRST - 1: before_2024, 2024: y2024}),
            Publication(2025, 1, table, {FIRST - 1: before_2024, 2024: late_2024, 2025: Y2025}),
        ],
    )
    assert Reader(history, [0, 1], zero_unknowns=True).leaks() == []


# A reader who assumes that no records came in late reads a year as the difference of two
# program-to-date figures; one who also assumes that a year never released had no records
# reads it across that year.
BEFORE_2024 = counts(20000, 300, 1000, 600, 500, 450)
Y2024 = counts(8000, 200, 500, 300, 500, 450)  # program to date, 2024: 1,000 on scene
FEW_ON_SCENE = counts(8000, 0, 40, 30, 5, 5)  # 5 on-scene encounters, none assessed
NO_RECORDS = counts(0, 0, 0, 0, 0, 0)


def after_2024(compute, year, year_counts, between=NO_RECORDS) -> "History":
    """2024 released, then `year` with `year_counts`, the years between them holding
    `between` and never released; nothing comes in late."""
    first = {FIRST - 1: BEFORE_2024, FIRST: Y2024}
    later = {**first, **dict.fromkeys(range(FIRST + 1, year), between), year: year_counts}
    publications, earlier = [], []
    for state in (first, later):
        last = max(state)
        rows = {ROW_YEAR: state[last], ROW_TO_DATE: summed(*state.values())}
        table = compute(last, rows, earlier)
        earlier += published(last, 1, table, rows)
        publications.append(Publication(last, 1, table, state))
    return History({y: True for y in YEARS}, publications)


def test_a_year_of_fewer_than_11_is_not_the_difference_of_two_program_to_date_figures():
    """5 on-scene encounters in 2025 read "fewer than 11"; beside 1,000 to date in 2024,
    1,005 to date in 2025 would give the 5 away to anyone who assumes none came in late."""
    history = after_2024(suppressed, 2025, FEW_ON_SCENE)
    first, table = (publication.table for publication in history.publications)
    assert texts(first)[ROW_TO_DATE]["on_scene"] == "1,000"
    shown = texts(table)
    assert shown[ROW_YEAR]["on_scene"] == SMALL_TEXT
    assert shown[ROW_TO_DATE]["on_scene"] == WITHHELD_TEXT
    assert shown[ROW_TO_DATE]["field_assessments"] == "1,540"  # 40 in 2025: not small
    reasons = {(c.row, c.figure): c.reason for c in table.hidden_across}
    assert reasons[(ROW_TO_DATE, "on_scene")] == (
        "Hidden because, compared with revision 1 of the 2024 figures, it would reveal a "
        "count from 1 to 10 to anyone who assumes no records were added late."
    )
    assert leaks_of(history) == {}


def test_the_proof_reads_a_year_off_program_to_date_figures_printed_in_full():
    """The proof is not blind to that reader: with each row suppressed alone, 1,005 - 1,000
    gives the 5 away to it, and to it only (late records could explain the difference)."""
    leaky = after_2024(row_by_row, 2025, FEW_ON_SCENE)
    assert texts(leaky.publications[1].table)[ROW_TO_DATE]["on_scene"] == "1,005"
    assert Reader(leaky, [0, 1]).leaks() == []
    assert "on_scene 2025r1 year = 5" in Reader(leaky, [0, 1], zero_unknowns=True).leaks()


def test_a_year_after_one_never_released_is_protected_the_same_way():
    """2025 has no records, so it was never released: 2026 to date minus 2024 to date is
    the year 2026 to anyone who assumes that none came in late."""
    history = after_2024(suppressed, 2026, FEW_ON_SCENE)
    table = history.publications[1].table
    shown = texts(table)
    assert shown[ROW_YEAR]["on_scene"] == SMALL_TEXT
    assert shown[ROW_TO_DATE]["on_scene"] == WITHHELD_TEXT
    reasons = {(c.row, c.figure): c.reason for c in table.hidden_across}
    assert reasons[(ROW_TO_DATE, "on_scene")] == (
        "Hidden because, compared with revision 1 of the 2024 figures, it would reveal a "
        "count from 1 to 10 to anyone who assumes no records were added late and none are "
        "dated in 2025, a year not released."
    )
    assert leaks_of(history) == {}
    leaky = after_2024(row_by_row, 2026, FEW_ON_SCENE)
    assert "on_scene 2026r1 year = 5" in Reader(leaky, [0, 1], zero_unknowns=True).leaks()


def test_a_few_records_of_a_year_never_released_cannot_be_worked_out():
    """2025, never released, has 3 on-scene encounters: 2026 to date minus 2024 to date
    minus the year 2026 would give them away to anyone who assumes none came in late."""
    history = after_2024(suppressed, 2026, Y2025, between=counts(100, 0, 0, 0, 3, 3))
    table = history.publications[1].table
    shown = texts(table)
    assert shown[ROW_YEAR]["on_scene"] == "500"
    assert shown[ROW_TO_DATE]["on_scene"] == WITHHELD_TEXT
    reasons = {(c.row, c.figure): c.reason for c in table.hidden_across}
    assert reasons[(ROW_TO_DATE, "on_scene")] == (
        "Hidden because, compared with revision 1 of the 2024 figures, it would reveal a "
        "count from 1 to 10 for 2025, a year not released, to anyone who assumes no records "
        "were added late."
    )
    assert (ROW_YEAR, "on_scene") not in reasons
    assert leaks_of(history) == {}


def test_what_earlier_releases_give_away_beside_fewer_than_11_hides_nothing_in_vain():
    """Revision 2 of 2024 must print its 10 linked encounters to date as "fewer than 11".
    The 2025 release printed 20 to date, 2025 itself "fewer than 11": to anyone who
    assumes that nothing came in late, 20 is 10 + 10. No figure of the revision takes that
    back, so it hides none (rather than every figure it has)."""
    nothing, ten = counts(0, 0, 0, 0, 0, 0), counts(0, 0, 0, 10, 0, 0)
    states = [
        {FIRST - 1: nothing, 2024: nothing},
        {FIRST - 1: ten, 2024: nothing, 2025: ten},  # 10 for 2023 came in late
        {FIRST - 1: ten, 2024: nothing},
    ]
    publications, earlier, revisions = [], [], {}
    for state in states:
        year = max(state)
        revisions[year] = revisions.get(year, 0) + 1
        rows = {ROW_YEAR: state[year], ROW_TO_DATE: summed(*state.values())}
        table = suppressed(year, rows, earlier)
        earlier += published(year, revisions[year], table, rows)
        publications.append(Publication(year, revisions[year], table, state))
    revision_2 = publications[2].table
    assert texts(revision_2)[ROW_TO_DATE]["linked_encounters"] == SMALL_TEXT
    assert revision_2.hidden_across == ()
    assert revision_2.rows[ROW_YEAR] == year_figures(nothing)
    assert leaks_of(History({y: True for y in YEARS}, publications)) == {}


def test_without_call_volume_calls_and_coverage_are_not_reported():
    no_volume = counts(0, 400, 600, 300, 500, 450, volume=False)
    table = release(no_volume)
    assert table.rows[ROW_YEAR]["mh_calls"].text == "not reported"
    assert table.rows[ROW_YEAR]["coverage"].text == "not reported"
    assert table.rows[ROW_TO_DATE]["mh_calls"].text == "not reported"
    assert table.rows[ROW_YEAR]["on_scene"].text == "500"
    earlier = published(
        2025, 1, table, {ROW_YEAR: no_volume, ROW_TO_DATE: summed(no_volume, HISTORY)}
    )
    corrected = release(counts(0, 400, 600, 300, 505, 455, volume=False), earlier)
    assert corrected.rows[ROW_YEAR]["on_scene"].status == WITHHELD
    assert corrected.rows[ROW_YEAR]["coverage"].text == "not reported"


def test_statuses_are_what_a_published_row_keeps():
    figures = {"on_scene": Figure("40"), "linked_encounters": Figure(SMALL_TEXT, status=SMALL)}
    assert statuses(figures) == {"on_scene": SHOWN, "linked_encounters": SMALL}


# --- The independent reader --------------------------------------------------------------

# What the reader's model holds for each publication and year: the counts the database held.
BASE = ("mh", "onsite", "elsewhere", "unassessed", "avoided", "linked")
# Each count of a row, in those terms.
FORMS = {
    "mh_calls": {"mh": 1},
    "onsite_assessments": {"onsite": 1},
    "field_assessments": {"onsite": 1, "elsewhere": 1},
    "linked_encounters": {"linked": 1},
    "on_scene": {"onsite": 1, "unassessed": 1},
    "avoided": {"avoided": 1},
    "custody": {"onsite": 1, "unassessed": 1, "avoided": -1},
    "assessed_elsewhere": {"elsewhere": 1},
    "on_scene_unassessed": {"unassessed": 1},
}
RATE_PARTS = {
    "coverage": ("onsite_assessments", "mh_calls"),
    "custody_avoided": ("avoided", "on_scene"),
}


def base_values(table) -> dict[str, int]:
    mh, onsite, field, linked, on_scene, avoided = table
    return {
        "mh": mh,
        "onsite": onsite,
        "elsewhere": field - onsite,
        "unassessed": on_scene - onsite,
        "avoided": avoided,
        "linked": linked,
    }


class Publication:
    """A release or revision: its year, number, printed table, and the database behind it
    ({year: (mh_calls, onsite, field, linked, on_scene, avoided)}, FIRST - 1 for all before)."""

    def __init__(self, year, revision, table, state):
        self.year, self.revision, self.table = year, revision, table
        self.state = {y: as_table(t) for y, t in state.items()}


def as_table(row) -> tuple[int, ...]:
    """(mh_calls, onsite, field, linked, on_scene, avoided) of a counts() row or tuple."""
    if isinstance(row, tuple):
        return row
    keys = ("onsite_assessments", "field_assessments", "linked_encounters", "on_scene", "avoided")
    return (row.get("mh_calls", 0), *(row[k] for k in keys))


class History:
    def __init__(self, volume, publications):
        self.volume = volume  # {year: whether its call volume is reported}
        self.publications = publications

    def has_calls(self, row: str, year: int) -> bool:
        if row == ROW_YEAR:
            return self.volume[year]
        return all(self.volume[y] for y in YEARS if y <= year)


class Reader:
    """Everything two (or more) pages print about the records, as integer constraints."""

    def __init__(self, history: History, events, *, zero_unknowns=False, all_hidden=None):
        self.history = history
        self.events = sorted(set(events))
        self.all_hidden = all_hidden  # a publication read as if it hid all it could
        pubs = history.publications
        self.released = {pubs[k].year for k in self.events}
        self.index: dict[tuple, int] = {}
        for k in self.events:
            for y in YEARS:
                if y <= history.publications[k].year:
                    for v in BASE:
                        self.index[(k, y, v)] = len(self.index)
        self.truth = {
            i: base_values(history.publications[k].state[y])[v]
            for (k, y, v), i in self.index.items()
        }
        # Room above the true counts: a box the reader does not know, far from any count.
        self.ceiling = 2 * max(self.truth.values()) + 1000
        self.big = self.ceiling * len(YEARS) * 3  # above any count of a row
        self.rows: list[tuple] = []  # (lhs {var: coef}, low, high), all integer
        self.binaries: list[int] = []
        for k, y, v in self.index:
            if v == "avoided":  # custody = on_scene - avoided >= 0
                self.constrain(self.form(k, [y], "custody"), 0, None)
        for k in self.events:
            self.print_constraints(k)
        if zero_unknowns:
            self.fix_unknowns_at_zero()

    # linear forms over the model's variables
    def form(self, k, years, key) -> dict[int, int]:
        lhs: dict[int, int] = {}
        for y in years:
            for v, coef in FORMS[key].items():
                i = self.index[(k, y, v)]
                lhs[i] = lhs.get(i, 0) + coef
        return lhs

    def value(self, lhs, x) -> int:
        return sum(coef * x[i] for i, coef in lhs.items())

    def constrain(self, lhs, low, high):
        self.rows.append((lhs, low, high))

    def new_binary(self) -> int:
        i = len(self.index) + len(self.binaries)
        self.binaries.append(i)
        self.truth[i] = None  # set from the truth below
        return i

    def row_years(self, k, row):
        year = self.history.publications[k].year
        return [year] if row == ROW_YEAR else [y for y in YEARS if y <= year]

    def print_constraints(self, k):
        publication = self.history.publications[k]
        for row, figures in publication.table.rows.items():
            years = self.row_years(k, row)
            for key, figure in figures.items():
                if k == self.all_hidden:
                    if key in RATE_PARTS or figure.status not in (SHOWN, SMALL, WITHHELD):
                        continue
                    if figure.status == SHOWN:  # "not shown" instead
                        figure = Figure(WITHHELD_TEXT, status=WITHHELD)
                if key in RATE_PARTS:
                    self.rate_constraints(k, years, key, figure)
                    continue
                lhs = self.form(k, years, key)
                true = self.value(lhs, self.truth)
                if figure.status == SHOWN:
                    assert figure.value == true, f"{row} {key} prints {figure.text}, not {true}"
                    self.constrain(lhs, figure.value, figure.value)
                elif figure.status == SMALL:
                    self.constrain(lhs, 1, 10)
                elif figure.status == WITHHELD:  # not from 1 to 10: 0 or at least 11
                    b = self.new_binary()
                    self.truth[b] = int(true > 0)
                    self.constrain({**lhs, b: -self.big}, None, 0)
                    self.constrain({**lhs, b: -11}, 0, None)

    def fix_unknowns_at_zero(self):
        """The reader who assumes that nothing came in late and that a year never released
        had no records: to it, every difference it can form between a count and rows of
        other pages that count the same records (those years left out) is zero. It is a
        constraint where the history agrees with it, in every count the rows share: late
        records are records, whatever they count."""
        differences: dict[str, list[dict[int, int]]] = {}
        for label, lhs, plain in self.differences():
            if not plain:  # the label without its count names the rows
                differences.setdefault(label.split(" ", 1)[1], []).append(lhs)
        for forms in differences.values():
            forms = [{i: c for i, c in lhs.items() if c} for lhs in forms]
            if all(self.value(lhs, self.truth) == 0 for lhs in forms):
                for lhs in filter(None, forms):
                    self.constrain(lhs, 0, 0)

    def rate_constraints(self, k, years, key, figure):
        if figure.status not in (SHOWN, NOT_APPLICABLE):
            return
        num, den = (self.form(k, years, part) for part in RATE_PARTS[key])

        def combine(a, ca, b, cb):  # ca * a + cb * b
            out = {i: ca * c for i, c in a.items()}
            for i, c in b.items():
                out[i] = out.get(i, 0) + cb * c
            return out

        if figure.status == NOT_APPLICABLE:
            self.constrain(den, 0, 0)
        elif figure.text == "less than 1%":
            self.constrain(num, 1, None)
            self.constrain(combine(num, 200, den, -1), None, -1)
        elif figure.text == "more than 99%":
            self.constrain(combine(num, 1, den, -1), None, -1)
            self.constrain(combine(num, 200, den, -199), 0, None)
        else:  # p% is (200 num + den) // (2 den) == p
            p = int(figure.text.rstrip("%"))
            self.constrain(combine(num, 200, den, -(2 * p - 1)), 0, None)
            self.constrain(combine(num, 200, den, -(2 * p + 1)), None, -1)
            if p == 0:
                self.constrain(num, 0, 0)
            if p >= 100:
                self.constrain(combine(num, 1, den, -1), 0, None)

    # what a reader may not learn
    def targets(self) -> list[tuple[str, dict[int, int], int]]:
        """The counts and differences of `differences()` from 1 to 10 either way, a
        difference and its opposite once: (label, form, value)."""
        found: dict[tuple, tuple[str, dict[int, int], int]] = {}
        for label, lhs, _ in self.differences():
            lhs = {i: c for i, c in lhs.items() if c}
            value = self.value(lhs, self.truth)
            if lhs and 1 <= abs(value) <= 10:  # a difference and its opposite are one
                key = min(
                    tuple(sorted(lhs.items())), tuple(sorted((i, -c) for i, c in lhs.items()))
                )
                found.setdefault(key, (label, lhs, value))
        return list(found.values())

    def differences(self):
        """Every count of every row and the records before each release's year (`plain`),
        and every difference between one of them and rows of other publications that
        together count the same records (corrections, late records), or the same records
        but those of years never released: (label, form, plain)."""
        pubs = self.history.publications

        def ranges(key):
            """(event, first year, last year, name) of every range a page gives for `key`."""
            out = []
            for k in self.events:
                year = pubs[k].year
                calls = {r: self.history.has_calls(r, year) for r in (ROW_YEAR, ROW_TO_DATE)}
                if key != "mh_calls" or calls[ROW_YEAR]:
                    out.append((k, year, year, f"{year}r{pubs[k].revision} year"))
                if key != "mh_calls" or calls[ROW_TO_DATE]:
                    out.append((k, YEARS[0], year, f"{year}r{pubs[k].revision} to date"))
                if key != "mh_calls" or all(calls.values()):
                    out.append((k, YEARS[0], year - 1, f"{year}r{pubs[k].revision} before"))
            return [r for r in out if r[1] <= r[2]]

        for key in FORMS:
            known = ranges(key)
            for k, first, last, name in known:
                whole = self.form(k, range(first, last + 1), key)
                yield f"{key} {name}", whole, True
                todo = [(first, whole, f"{key} {name}")]
                while todo:  # cut the rest of the range into ranges of other pages
                    start, lhs, label = todo.pop()
                    if start > last:
                        yield label, lhs, False
                        continue
                    if start > YEARS[0] and start not in self.released:
                        todo.append((start + 1, lhs, f"{label} (with {start})"))
                        continue  # no page counts this year alone: its records stay in
                    for j, a, b, other in known:
                        if j != k and a == start and b <= last:
                            part = self.form(j, range(a, b + 1), key)
                            rest = {i: lhs.get(i, 0) - part.get(i, 0) for i in {*lhs, *part}}
                            todo.append((b + 1, rest, f"{label} - {other}"))

    # the integer programme
    def solve(self, rows, objective, n, binaries):
        """A point meeting `rows` (over n variables, `binaries` among them), minimising
        `objective`; None if there is none."""
        a = np.zeros((len(rows), n))
        low, high = np.full(len(rows), -np.inf), np.full(len(rows), np.inf)
        for r, (lhs, lo, hi) in enumerate(rows):
            for i, c in lhs.items():
                a[r, i] = c
            if lo is not None:
                low[r] = lo
            if hi is not None:
                high[r] = hi
        upper = np.full(n, self.ceiling)
        upper[binaries] = 1
        result = milp(
            objective,
            constraints=LinearConstraint(a, low, high),
            integrality=np.ones(n),
            bounds=Bounds(np.zeros(n), upper),
            options={"mip_rel_gap": 0},
        )
        if result.x is None:
            assert result.status == 2, result.message  # infeasible, nothing else
            return None
        x = [round(v) for v in result.x]
        assert self.feasible(x), "HiGHS returned a point that breaks the constraints"
        return x

    def feasible(self, x) -> bool:
        if any(not 0 <= v <= self.ceiling for v in x[: self.size]):
            return False
        for lhs, lo, hi in self.rows:
            value = self.value(lhs, x)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                return False
        return True

    @property
    def size(self) -> int:
        return len(self.index) + len(self.binaries)

    def can_differ(self, targets) -> list[int]:
        """A point where as many `targets` as possible take another value than theirs: the
        indexes of those that do (none only if no target can)."""
        n, rows = self.size, list(self.rows)
        objective = np.zeros(n + 2 * len(targets))
        for t, (_, lhs, value) in enumerate(targets):
            up, down = n + 2 * t, n + 2 * t + 1  # 1: this target above (below) its value
            rows.append(({**lhs, up: -self.big}, value + 1 - self.big, None))
            rows.append(({**lhs, down: self.big}, None, value - 1 + self.big))
            rows.append(({up: 1, down: 1}, None, 1))
            objective[[up, down]] = -1
        binaries = self.binaries + list(range(n, n + 2 * len(targets)))
        x = self.solve(rows, objective, n + 2 * len(targets), binaries)
        return [t for t, (_, lhs, value) in enumerate(targets) if self.value(lhs, x) != value]

    def leaks(self) -> list[str]:
        """The small counts that the pages pin to one value: [] when there are none."""
        truth = [self.truth[i] for i in range(self.size)]
        assert self.feasible(truth), "the reader's model does not hold the true counts"
        targets = self.targets()
        while targets:
            differ = set(self.can_differ(targets))
            if not differ:
                break
            targets = [t for i, t in enumerate(targets) if i not in differ]
        found = []
        for label, lhs, value in targets:  # pinned, by the programme: confirm one by one
            none = np.zeros(self.size)
            above = self.solve([*self.rows, (lhs, value + 1, None)], none, self.size, self.binaries)
            below = self.solve([*self.rows, (lhs, None, value - 1)], none, self.size, self.binaries)
            assert above is None and below is None
            found.append(f"{label} = {value}")
        return found


# --- Generated histories -----------------------------------------------------------------

STEP = st.sampled_from([-11, -10, -5, -3, -1, 0, 0, 0, 0, 1, 2, 3, 5, 10, 11, 40])
SMALLISH = st.one_of(st.sampled_from([0, 1, 2, 10, 11, 12, 20]), st.integers(0, 60))


@st.composite
def tables(draw):
    onsite = draw(SMALLISH)
    field = onsite + draw(SMALLISH)
    on_scene = onsite + draw(SMALLISH)
    avoided = on_scene - min(on_scene, draw(SMALLISH))
    return (draw(SMALLISH), onsite, field, draw(SMALLISH), on_scene, avoided)


def changed(table, step):
    mh, onsite, field, linked, on_scene, avoided = (
        max(0, v + d) for v, d in zip(table, step, strict=True)
    )
    field, on_scene = max(field, onsite), max(on_scene, onsite)
    return (mh, onsite, field, linked, on_scene, min(avoided, on_scene))


@st.composite
def histories(draw, compute, most=5) -> History:
    """A release of FIRST, then releases of other years in any order (a year may be
    skipped, and one may have no records at all) and corrections of released years, the
    records of any year changing between two publications."""
    volume = {y: draw(st.booleans()) or draw(st.booleans()) for y in YEARS}
    state = {y: draw(tables()) for y in YEARS}
    for y in YEARS[2:]:
        if draw(st.integers(0, 3)) == 0:
            state[y] = (0,) * 6
    released: dict[int, int] = {}  # year -> revisions so far
    publications, earlier = [], []
    for _ in range(draw(st.integers(2, most))):
        for y in draw(st.lists(st.sampled_from(YEARS), max_size=2, unique=True)):
            state[y] = changed(state[y], draw(st.tuples(*[STEP] * 6)))
        choices = [*released, *(y for y in YEARS[1:] if y not in released)]
        year = FIRST if not publications else draw(st.sampled_from(choices))
        released[year] = released.get(year, 0) + 1
        rows = {
            ROW_YEAR: counts(*state[year], volume=volume[year]),
            ROW_TO_DATE: summed(
                *(
                    counts(*state[y], volume=all(volume[z] for z in YEARS if z <= year))
                    for y in YEARS
                    if y <= year
                )
            ),
        }
        table = compute(year, rows, earlier)
        earlier += published(year, released[year], table, rows)
        publications.append(Publication(year, released[year], table, dict(state)))
    return History(volume, publications)


def suppressed(year, rows, earlier):
    return release_table(
        year=year, year_counts=rows[ROW_YEAR], to_date_counts=rows[ROW_TO_DATE], earlier=earlier
    )


def row_by_row(year, rows, earlier):
    """Cross-release suppression switched off: each row alone, as before releases."""
    return ReleaseTable({row: year_figures(counts) for row, counts in rows.items()}, ())


def pages(history: History) -> list[list[int]]:
    """The public page after each publication: the latest revision of each released year.
    (A revision in the archive is on the page of its own moment, so pairs of these pages
    hold every pair of pages the site ever showed.)"""
    out, latest = [], {}
    for k, publication in enumerate(history.publications):
        latest[publication.year] = k
        out.append(sorted(latest.values()))
    return out


def leaks_of(history: History) -> dict:
    """{(page, page): leaks} over every pair of pages the site showed.

    A reader of more rows pins at least as much, and has every difference of fewer rows to
    try, so a pair whose rows are all on another pair is read through that one. The reader
    fixes unknown parts at zero where the history allows: it only adds true constraints to
    the plain reader's, so it pins everything that one pins.

    One thing is left out, as coresponder.suppression (rule 9) leaves it: what everything
    published before the one that first gives a count away already gives away beside that
    one hiding every figure it can ("not shown", and "fewer than 11" for small counts),
    which no figure it hides could take back."""
    shown = pages(history)
    pairs: dict[frozenset, tuple[int, int]] = {}
    for a, b in itertools.combinations_with_replacement(range(len(shown)), 2):
        pairs.setdefault(frozenset(shown[a] + shown[b]), (a, b))
    found = {}
    for rows, pair in pairs.items():
        if not any(rows < other for other in pairs):
            leaks = Reader(history, rows, zero_unknowns=True).leaks()
            if leaks:
                leaks = not_forced(history, sorted(rows), leaks)
            if leaks:
                found[pair] = leaks
    return found


def not_forced(history: History, rows: list[int], leaks: list[str]) -> list[str]:
    """The `leaks` of `rows` that the publication first giving each away could have kept:
    read beside every publication before it (they all stay public), hiding all it can."""
    kept, left = [], set(leaks)
    for n in range(1, len(rows) + 1):
        first = left & set(Reader(history, rows[:n], zero_unknowns=True).leaks())
        if first:
            archive = range(rows[n - 1] + 1)
            hiding_all = Reader(history, archive, zero_unknowns=True, all_hidden=rows[n - 1])
            kept += first - set(hiding_all.leaks())
            left -= first
    return [leak for leak in leaks if leak in kept]


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(history=histories(suppressed))
def test_no_two_pages_ever_shown_give_a_small_count_away(history):
    assert leaks_of(history) == {}


def correction_history(compute) -> History:
    """2024 released, then corrected with 5 more on-scene encounters (no arrest)."""
    before = {FIRST - 1: HISTORY, FIRST: Y2025}
    after = {FIRST - 1: HISTORY, FIRST: counts(8000, 400, 600, 300, 505, 455)}
    publications, earlier = [], []
    for revision, state in enumerate((before, after), start=1):
        rows = {ROW_YEAR: state[FIRST], ROW_TO_DATE: summed(*state.values())}
        table = compute(FIRST, rows, earlier)
        earlier += published(FIRST, revision, table, rows)
        publications.append(Publication(FIRST, revision, table, state))
    return History({y: True for y in YEARS}, publications)


def test_the_reader_finds_the_leak_when_suppression_across_releases_is_off():
    """The proof is not blind: suppressing each row alone, the two revisions print 500 and
    505 on-scene encounters, and the reader pins the 5 added."""
    leaky = correction_history(row_by_row)
    assert leaky.publications[1].table.rows[ROW_YEAR]["on_scene"].text == "505"
    leaks = Reader(leaky, [0, 1]).leaks()
    assert "on_scene 2024r1 year - 2024r2 year = -5" in leaks
    assert leaks_of(leaky) == {(0, 1): leaks}
    assert leaks_of(correction_history(suppressed)) == {}
