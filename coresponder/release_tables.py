"""The figures of a release, suppressed so that they hold beside every earlier release.

A release of a closed calendar year Y prints two rows: `year` (records dated in Y) and
`to_date` (the program to date: records dated up to December 31 of Y). Releases are frozen
and all of them stay public, the corrections (revisions 2, 3, ...) too, so a reader can lay
any published rows side by side. `release_table()` first suppresses each row alone (as
coresponder.public.year_figures always did), then reads the new rows beside every row
published before and hides what would give a count from 1 to 10 away across them
(coresponder.suppression, rules 6 to 9). What it hides in that second step is listed, with
the reason, in `ReleaseTable.hidden_across`, for the manager's preview and the public page.

What a reader can work out across rows, for each count of the row (printed or not):
    records before Y     to_date(Y) - year(Y) of the same release
    a correction         the same row in two revisions: new = old + difference
    late records         to_date(Y) - to_date(Y') of an earlier year (any revision)
                         - year(y) for each year between (any revision) - year(Y): records
                         for earlier years that came in, or went, after those were published
and in general any count of the new release, or of an earlier one, minus rows of other
releases that together count the same records. Each of these is a cover
(coresponder.suppression.Cover): the count, and for each part of its records the rows that
could stand for it. Only covers that use a row of the new release are checked; the earlier
releases were checked when they were published.

A reader may also assume what no page says: that no records came in late and that a year
never released had none (a year without records cannot be released). To that reader,
to_date(2025) - to_date(2024) is the year 2025, and a year printed "fewer than 11" can be
read off two program-to-date figures printed in full. Two things protect against it:
    years never released   a cover may skip them: their records stay in its difference,
                           which is then checked like any other (2026 to date - 2024 to
                           date - the year 2026 is what 2025 holds, if nothing came late)
    what it takes as true  for every count of every release cut as a cover is, each choice
                           of rows that adds up exactly to it in every count at once
                           (nothing came in late there, whatever it counts, and the skipped
                           years are empty) gives relations that reader takes as true
                           (coresponder.suppression, rule 9), so whatever they pin, alone or
                           with other figures, is protected
Only relations that hold are passed: where records did come in late, that reader would read
wrong numbers, not the true ones. The price is more hidden program-to-date cells, typically
the to-date figure beside a year's count printed "fewer than 11".
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from coresponder.public import COLUMNS, NOT_REPORTED, PUBLISHED, RATES, TOTALS, year_figures
from coresponder.suppression import WITHHELD, Cover, Figure, Rate, Total, suppress_explained

ROW_YEAR = "year"
ROW_TO_DATE = "to_date"
_BEFORE = "before"  # to_date - year of one release: records dated before its year

# Every count of a row: the printed ones and those that follow from them.
COUNTS = tuple(
    dict.fromkeys(
        [*PUBLISHED]
        + [n for r in RATES for n in (r.numerator, r.denominator)]
        + [n for t in TOTALS for n in t.members]
    )
)
_NEW = "new"  # the event name of the release being computed


@dataclass(frozen=True)
class PublishedRow:
    """A row as an earlier revision printed it."""

    year: int  # the release's year
    row: str  # ROW_YEAR or ROW_TO_DATE
    revision: int
    counts: Mapping[str, int]  # the true counts it was computed from (may lack "mh_calls")
    statuses: Mapping[str, str]  # COLUMNS key -> Figure.status as printed


@dataclass(frozen=True)
class HiddenCell:
    """A cell hidden only because of earlier releases (or of the other row beside it)."""

    row: str  # ROW_YEAR or ROW_TO_DATE
    figure: str  # a COLUMNS key
    reason: str  # a plain sentence for the public page and the manager


@dataclass(frozen=True)
class ReleaseTable:
    rows: dict[str, dict[str, Figure]]  # ROW_YEAR / ROW_TO_DATE -> COLUMNS key -> Figure
    hidden_across: tuple[HiddenCell, ...]  # in the order of the rows, then of COLUMNS


def statuses(figures: Mapping[str, Figure]) -> dict[str, str]:
    """The statuses of a printed row, as PublishedRow.statuses keeps them."""
    return {name: figure.status for name, figure in figures.items()}


def release_table(
    *,
    year: int,
    year_counts: Mapping[str, int],
    to_date_counts: Mapping[str, int],
    earlier: Sequence[PublishedRow],
) -> ReleaseTable:
    """The two rows of a release of `year`, suppressed alone and beside `earlier`, which
    holds every row of every revision published before (of any year)."""
    new_rows = {ROW_YEAR: dict(year_counts), ROW_TO_DATE: dict(to_date_counts)}
    alone = {row: year_figures(counts) for row, counts in new_rows.items()}
    page = _Reading(year, new_rows, earlier)
    withheld = {
        _name(_NEW, row, key)
        for row, figures in alone.items()
        for key, figure in figures.items()
        if figure.status == WITHHELD
    }
    result = suppress_explained(
        page.counts,
        published=page.published,
        rates=page.rates,
        totals=page.totals,
        earlier=page.statuses,
        covers=page.covers,
        withheld=withheld,
        assumed=page.assumed,
    )
    rows = {}
    for row, counts in new_rows.items():
        figures = {c.key: result.figures.get(_name(_NEW, row, c.key)) for c in COLUMNS}
        if "mh_calls" not in counts:
            figures.update(mh_calls=NOT_REPORTED, coverage=NOT_REPORTED)
        rows[row] = figures
    return ReleaseTable(rows=rows, hidden_across=page.explain(alone, rows, result.steps))


def _name(event: str, row: str, key: str) -> str:
    return f"{event}.{row}:{key}"


def _split(name: str) -> tuple[str, str, str]:
    place, key = name.split(":")
    event, row = place.split(".")
    return event, row, key


@dataclass(frozen=True)
class _Event:
    """One release: its year, its revision (None for the new one) and its rows' counts."""

    name: str
    year: int
    revision: int | None
    rows: dict[str, Mapping[str, int]]


class _Reading:
    """Everything suppression reads: the new rows, the earlier ones, and their relations."""

    def __init__(self, year: int, new_rows, earlier: Sequence[PublishedRow]):
        self.counts: dict[str, int] = {}
        self.published: list[str] = []
        self.rates = []
        self.totals: list[Total] = []
        self.statuses: dict[str, str] = {}
        self.covers: list[Cover] = []
        self.cover_gaps: dict[str, tuple[int, ...]] = {}  # cover name -> years not released
        self.assumed: list[Total] = []
        self.assumed_gaps: dict[Total, tuple[int, ...]] = {}
        self._cover_keys: set[tuple] = set()
        self._assumed_keys: set = set()
        self.events: dict[str, _Event] = {_NEW: _Event(_NEW, year, None, new_rows)}
        for published in earlier:
            name = f"{published.year}r{published.revision}"
            event = self.events.setdefault(
                name, _Event(name, published.year, published.revision, {})
            )
            if published.row in event.rows:
                raise ValueError(f"{published.row} of {name} is given twice")
            event.rows[published.row] = published.counts
        for event in self.events.values():
            self._add_event(event, earlier)
        for key in COUNTS:
            self._add_covers(key)
        self._add_assumed()

    def _add_event(self, event: _Event, earlier: Sequence[PublishedRow]) -> None:
        printed = {
            p.row: p.statuses
            for p in earlier
            if event.revision is not None and (p.year, p.revision) == (event.year, event.revision)
        }
        rows = dict(event.rows)
        if ROW_YEAR in rows and ROW_TO_DATE in rows:
            rows[_BEFORE] = {
                key: rows[ROW_TO_DATE][key] - rows[ROW_YEAR][key]
                for key in COUNTS
                if key in rows[ROW_YEAR]
                and key in rows[ROW_TO_DATE]
                # A to_date below its year cannot happen in one database; never assume it.
                and rows[ROW_TO_DATE][key] >= rows[ROW_YEAR][key]
            }
        for row, counts in rows.items():
            present = [key for key in COUNTS if key in counts]
            for key in present:
                self.counts[_name(event.name, row, key)] = counts[key]
            for t in TOTALS:
                if all(m in counts for m in t.members):
                    self.totals.append(
                        Total(
                            _name(event.name, row, t.total),
                            tuple(_name(event.name, row, p) for p in t.parts),
                        )
                    )
            if row == _BEFORE:
                continue
            for r in RATES:
                if r.numerator in counts and r.denominator in counts:
                    self.rates.append(
                        Rate(
                            _name(event.name, row, r.name),
                            _name(event.name, row, r.numerator),
                            _name(event.name, row, r.denominator),
                        )
                    )
            if event.name == _NEW:
                self.published += [_name(_NEW, row, k) for k in PUBLISHED if k in counts]
            else:
                for key, status in printed.get(row, {}).items():
                    if key in counts or any(
                        r.name == key and r.denominator in counts for r in RATES
                    ):
                        self.statuses[_name(event.name, row, key)] = status
        if _BEFORE in rows:
            for key in rows[_BEFORE]:
                self.totals.append(
                    Total(
                        _name(event.name, ROW_TO_DATE, key),
                        (_name(event.name, ROW_YEAR, key), _name(event.name, _BEFORE, key)),
                    )
                )

    # --- covers ----------------------------------------------------------------------

    def _known(self, key: str):
        """For one count: the rows that count the records up to a year ('prefix', by that
        year) and those of one year ('year', by that year), each as (event, name)."""
        prefix: dict[int, list[tuple[str, str]]] = {}
        single: dict[int, list[tuple[str, str]]] = {}
        for event in self.events.values():
            for row, end, table in (
                (ROW_TO_DATE, event.year, prefix),
                (_BEFORE, event.year - 1, prefix),
                (ROW_YEAR, event.year, single),
            ):
                name = _name(event.name, row, key)
                if name in self.counts:
                    table.setdefault(end, []).append((event.name, name))
        return prefix, single

    def _add_covers(self, key: str) -> None:
        """The covers of `key` that a row of the new release takes part in (rule 7 of
        coresponder.suppression); a year no release counts stays in the difference."""
        prefix, single = self._known(key)
        released = {event.year for event in self.events.values()}

        def add(total: str, total_event: str, parts) -> None:
            slots, gaps = _slots(parts, total_event, released)
            if slots and (total, slots) not in self._cover_keys:
                self._cover_keys.add((total, slots))
                cover = Cover(f"{total}-{len(self.covers)}", total, slots)
                self.covers.append(cover)
                self.cover_gaps[cover.name] = gaps

        def prefix_covers(total: str, total_event: str, end: int, only_new: bool) -> None:
            """`total` counts the records up to `end`: cut it into rows of other releases."""
            for cut in sorted(prefix, reverse=True):
                if cut > end:
                    continue
                parts = [(cut, prefix[cut])]
                parts += [(y, single.get(y, [])) for y in range(cut + 1, end + 1)]
                uses_new = any(e == _NEW for _, rows in parts for e, _ in rows)
                if only_new and (cut == end or not uses_new):
                    continue  # already a cover of the new release's count, or without it
                add(total, total_event, parts)

        new = self.events[_NEW]
        # The new release's own counts, against rows of other releases.
        for row, end in ((ROW_TO_DATE, new.year), (_BEFORE, new.year - 1)):
            name = _name(_NEW, row, key)
            if name in self.counts:
                prefix_covers(name, _NEW, end, only_new=False)
        name = _name(_NEW, ROW_YEAR, key)
        if name in self.counts:
            add(name, _NEW, [(new.year, single[new.year])])
        # Earlier releases' counts, against rows that include the new release.
        for end, sources in prefix.items():
            for event, name in sources:
                if event != _NEW and end >= new.year - 1:
                    prefix_covers(name, event, end, only_new=True)

    def _add_assumed(self) -> None:
        """The relations of rule 9: for each count of every release (of any row) cut into
        rows of other releases as a cover is, each choice of rows that counts exactly the
        same records, in every count they share: nothing came in late between them, and
        the years no release counts had no records. Rows of one part with the same counts
        are one choice, and equal."""
        prefix, single = self._known("on_scene")  # every row has it
        released = {event.year for event in self.events.values()}
        for event in self.events.values():
            for row, end in ((ROW_TO_DATE, event.year), (_BEFORE, event.year - 1)):
                if _name(event.name, row, "on_scene") not in self.counts:
                    continue
                for cut in sorted(prefix, reverse=True):
                    if cut <= end:
                        parts = [(cut, prefix[cut])]
                        parts += [(y, single.get(y, [])) for y in range(cut + 1, end + 1)]
                        self._assume(event.name, row, parts, released)
            self._assume(event.name, ROW_YEAR, [(event.year, single[event.year])], released)

    def _assume(self, event: str, row: str, parts, released: set[int]) -> None:
        slots, gaps = _slots(parts, event, released)
        if not slots:
            return
        rows = [(event, row)] + [_split(n)[:2] for slot in slots for n in slot]
        keys = [k for k in COUNTS if all(_name(e, r, k) in self.counts for e, r in rows)]

        def values(e: str, r: str) -> tuple[int, ...]:
            return tuple(self.counts[_name(e, r, k)] for k in keys)

        options = [[_split(n)[:2] for n in slot] for slot in slots]
        for choice in _exact_choices(values(event, row), options, values):
            for k in keys:
                total = _name(event, row, k)
                relations = [(Total(total, tuple(_name(*rs[0], k) for rs in choice)), gaps)]
                relations += [
                    (Total(_name(*rs[0], k), (_name(*other, k),)), ())
                    for rs in choice
                    for other in rs[1:]
                ]
                for relation, skipped in relations:
                    key = frozenset(relation.members) if len(relation.parts) == 1 else relation
                    if key not in self._assumed_keys:
                        self._assumed_keys.add(key)
                        self.assumed.append(relation)
                        self.assumed_gaps[relation] = skipped

    # --- reasons -----------------------------------------------------------------------

    def _describe(self, names) -> str:
        named = {_split(n)[0] for n in names} - {_NEW}
        events = sorted((self.events[n] for n in named), key=lambda e: (e.year, e.revision))
        parts = [f"revision {e.revision} of the {e.year} figures" for e in events]
        if len(parts) > 1:
            return ", ".join(parts[:-1]) + " and " + parts[-1]
        return parts[0] if parts else f"the other row of the {self.events[_NEW].year} figures"

    def explain(self, alone, rows, steps) -> tuple[HiddenCell, ...]:
        year = self.events[_NEW].year
        reasons: dict[str, str] = {}
        cause = ""  # why the figures hidden so far were hidden, for those protecting them
        for step in steps:
            event, row, _ = _split(step.because)
            gaps = set(self.cover_gaps.get(step.because, ()))
            if step.assumed:  # only if no records came in late (rule 9)
                gaps.update(year for t in step.assumed for year in self.assumed_gaps[t])
                members = [*step.compared, *(m for t in step.assumed for m in t.members)]
                compared = self._describe(members)
                cause = f" because of {compared}"
                unreleased = f" and none are dated in {_unreleased(gaps)}" if gaps else ""
                reason = (
                    f"Hidden because, compared with {compared}, it would reveal a count from "
                    f"1 to 10 to anyone who assumes no records were added late{unreleased}."
                )
            elif step.compared and gaps:  # a year never released, if nothing came in late
                compared = self._describe(step.compared)
                cause = f" because of {compared}"
                reason = (
                    f"Hidden because, compared with {compared}, it would reveal a count from "
                    f"1 to 10 for {_unreleased(gaps)}, to anyone who assumes no records were "
                    "added late."
                )
            elif step.compared:
                compared = self._describe(step.compared)
                cause = f" because of {compared}"
                reason = (
                    f"Hidden because, compared with {compared}, it would reveal a count from "
                    "1 to 10."
                )
            elif event == _NEW and row == _BEFORE:
                cause = f" to protect the years before {year}"
                reason = (
                    f"Hidden because, with this release's figures for {year} alone, it would "
                    f"reveal a count from 1 to 10 for the years before {year}."
                )
            else:
                reason = (
                    "Hidden because it would let a reader work out a figure hidden in this "
                    f"release{cause}."
                )
            reasons.setdefault(step.hidden, reason)
        labels = {c.key: c.label for c in COLUMNS}
        hidden = []
        for row, figures in rows.items():
            for column in COLUMNS:
                figure, before = figures[column.key], alone[row][column.key]
                if figure.status == before.status:
                    continue
                reason = reasons.get(_name(_NEW, row, column.key))
                if reason is None:  # a share whose count is hidden
                    rate = next(r for r in RATES if r.name == column.key)
                    gone = [
                        labels[k]
                        for k in (rate.numerator, rate.denominator)
                        if k in labels
                        and figures[k].status == WITHHELD
                        and alone[row][k].status != WITHHELD
                    ]
                    what = gone[0].lower() if gone else "a figure it is worked out from"
                    reason = f"Hidden because it is worked out from {what}, hidden in this row."
                hidden.append(HiddenCell(row, column.key, reason))
        return tuple(hidden)


def _unreleased(years) -> str:
    """'2025, a year not released', '2024 and 2025, years not released'."""
    names = [str(y) for y in sorted(years)]
    if len(names) == 1:
        return f"{names[0]}, a year not released"
    return f"{', '.join(names[:-1])} and {names[-1]}, years not released"


def _slots(parts, total_event: str, released: set[int]):
    """The rows that can stand for each part of a cover of a count of `total_event` (its
    own rows left out), and the years of the parts no release counts. No slots if some
    part is counted by `total_event` alone."""
    slots, gaps = [], []
    for year, rows in parts:
        if not rows and year not in released:
            gaps.append(year)  # a year never released: its records stay in the difference
            continue
        names = tuple(n for e, n in rows if e != total_event)
        if not names:
            return (), ()
        slots.append(names)
    return tuple(slots), tuple(gaps)


def _exact_choices(target: tuple[int, ...], slots, values) -> list[tuple[tuple, ...]]:
    """Every choice of one option for each slot whose `values` add up to `target`, each
    option given with the options of its slot that have the same values. Counts are never
    negative, so sums past `target` are dropped; the sums each slot reaches are kept, and
    only choices that end on `target` are followed back."""
    groups: list[dict[tuple[int, ...], list]] = []
    for slot in slots:
        by_values: dict[tuple[int, ...], list] = {}
        for option in slot:
            by_values.setdefault(values(*option), []).append(option)
        groups.append(by_values)

    def plus(a, b):
        return tuple(x + y for x, y in zip(a, b, strict=True))

    def minus(a, b):
        return tuple(x - y for x, y in zip(a, b, strict=True))

    reached = [{tuple(0 for _ in target)}]
    for by_values in groups:
        sums = {plus(s, v) for s in reached[-1] for v in by_values}
        reached.append({s for s in sums if all(x <= t for x, t in zip(s, target, strict=True))})
    found: list[tuple[tuple, ...]] = []

    def back(i: int, remaining: tuple[int, ...], chosen: tuple) -> None:
        if i == 0:
            found.append(chosen)
            return
        for value, options in groups[i - 1].items():
            if minus(remaining, value) in reached[i - 1]:
                back(i - 1, minus(remaining, value), (tuple(options), *chosen))

    if target in reached[-1]:
        back(len(groups), target, ())
    return found
