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
    what it takes as true  for every cover of every release, each choice of rows that adds
                           up exactly to the cover's count (nothing came in late there, the
                           skipped years are empty) is a relation that reader takes as
                           true (coresponder.suppression, rule 9), so whatever such
                           relations pin, alone or with other figures, is protected
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
        """The covers of `key` that a row of the new release takes part in (checked, rule 7
        of coresponder.suppression), and the assumed relations of every cover (rule 9)."""
        prefix, single = self._known(key)
        released = {event.year for event in self.events.values()}
        new = self.events[_NEW]

        def consider(total: str, total_event: str, parts, check: bool) -> None:
            """`total` minus one row for each part (a year, or the records up to a year)."""
            options, unreleased = [], []
            for year, rows in parts:
                if not rows and year not in released:
                    unreleased.append(year)  # no release counts it: its records stay in
                    continue
                names = tuple(n for e, n in rows if e != total_event)
                if not names:
                    return  # only the total's own release counts this part
                options.append(names)
            if not options:
                return
            slots, gaps = tuple(options), tuple(unreleased)
            self._assume(total, slots, gaps)
            if check and (total, slots) not in self._cover_keys:
                self._cover_keys.add((total, slots))
                cover = Cover(f"{total}-{len(self.covers)}", total, slots)
                self.covers.append(cover)
                self.cover_gaps[cover.name] = gaps

        def prefix_covers(total: str, total_event: str, end: int) -> None:
            """`total` counts the records up to `end`: cut it into rows of other releases."""
            for cut in sorted(prefix, reverse=True):
                if cut > end:
                    continue
                parts = [(cut, prefix[cut])]
                parts += [(y, single.get(y, [])) for y in range(cut + 1, end + 1)]
                if total_event == _NEW:
                    check = True
                else:  # an earlier count, checked against rows that include the new release
                    uses_new = any(e == _NEW for _, rows in parts for e, _ in rows)
                    check = end >= new.year - 1 and cut != end and uses_new
                consider(total, total_event, parts, check)

        # The new release's own counts, against rows of other releases.
        for row, end in ((ROW_TO_DATE, new.year), (_BEFORE, new.year - 1)):
            name = _name(_NEW, row, key)
            if name in self.counts:
                prefix_covers(name, _NEW, end)
        name = _name(_NEW, ROW_YEAR, key)
        if name in self.counts:
            consider(name, _NEW, [(new.year, single[new.year])], True)
        # Earlier releases' counts: checked against rows that include the new release, the
        # rest only for the relations of rule 9.
        for end, sources in prefix.items():
            for event, name in sources:
                if event != _NEW:
                    prefix_covers(name, event, end)
        for event in self.events.values():
            name = _name(event.name, ROW_YEAR, key)
            if event is not new and name in self.counts:
                consider(name, event.name, [(event.year, single[event.year])], False)

    def _assume(self, total: str, slots, gaps: tuple[int, ...]) -> None:
        """The relations `total` = one row of each slot that hold: what a reader who assumes
        that nothing came in late, and that the `gaps` years had no records, takes as true
        (rule 9). Rows of one slot with the same value are one choice, and equal."""
        for choice in _exact_choices(self.counts, self.counts[total], slots):
            relations = [(Total(total, tuple(rows[0] for rows in choice)), gaps)]
            relations += [(Total(rows[0], (row,)), ()) for rows in choice for row in rows[1:]]
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


def _exact_choices(counts, target: int, slots) -> list[tuple[tuple[str, ...], ...]]:
    """Every choice of one value for each slot that adds up to `target`, each value as the
    rows of the slot that have it. Counts are never negative, so sums past `target` are
    dropped; the sums each slot reaches are kept, and only choices that end on `target`
    are followed back."""
    groups: list[dict[int, list[str]]] = []
    for slot in slots:
        by_value: dict[int, list[str]] = {}
        for name in slot:
            by_value.setdefault(counts[name], []).append(name)
        groups.append(by_value)
    reached = [{0}]
    for by_value in groups:
        reached.append({s + v for s in reached[-1] for v in by_value if s + v <= target})
    found: list[tuple[tuple[str, ...], ...]] = []

    def back(i: int, remaining: int, chosen: tuple) -> None:
        if i == 0:
            found.append(chosen)
            return
        for value, names in groups[i - 1].items():
            if remaining - value in reached[i - 1]:
                back(i - 1, remaining - value, (tuple(names), *chosen))

    if target in reached[-1]:
        back(len(groups), target, ())
    return found
