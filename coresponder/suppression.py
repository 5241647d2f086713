"""Small-cell suppression for published figures.

The program publishes counts of encounters and calls, and percentages made from them. No
count from 1 to 10 may be published, and no other figure on the page may let such a count
be worked out, alone or beside the pages published before it. `suppress()` takes one page
of figures (the true counts), says which counts are printed and how the figures are
linked, and returns what the page may print.

Terms
    count       a whole number of records or calls. A *published* count is printed. An
                *unpublished* count is never printed but follows from printed figures (for
                example on-scene encounters that ended in arrest = on-scene encounters minus
                those that did not): it is protected exactly like a printed one.
    Rate        a whole-number percentage printed on the page: numerator / denominator.
    Total       total = sum of parts.
    earlier     figures printed on earlier pages: a reader has them, nothing can change them.
    signed      a difference between pages (it may be negative), such as the on-scene
                encounters added by a correction.
    Cover       a difference a reader can form by subtracting, from one count, one count of
                each *slot*, the slots together counting the same records as the count.

Rules
    1. A count of 0 is printed as 0: it describes no one, and readers need to tell "none"
       from "a few". Zero is not hidden, so it is also known to a reader (rule 4).
    2. A count from 1 to 10 is *small*. A published small count prints "fewer than 11"
       (primary suppression).
    3. A rate prints only when neither its numerator nor its denominator is hidden. When its
       denominator is 0 it prints "not applicable" instead. Percentages are rounded half up
       to whole numbers, but never to 0% or 100% unless exactly so ("less than 1%",
       "more than 99%").
    4. The module then reads the page as a reader would: a printed count is known exactly,
       "fewer than 11" means 1-10, a hidden or unpublished count could be anything from 0
       (a signed one anything at all). A printed rate with a known denominator is taken to
       give away its numerator exactly, and the other way round (rounding is ignored, which
       errs on the safe side). Totals narrow the range of each member from the ranges of
       the others. A small count (a signed one: from 1 to 10 either way) whose range
       narrows to a single value is *disclosed*; so is a cover whose counts are all known
       and whose difference is small.
    5. For each disclosure, one more figure is hidden and the page is read again, until
       nothing is disclosed (secondary suppression). The figure hidden is, first found:
       a printed rate over the disclosed count; a printed rate that gives away another
       unpublished member of a total it belongs to; the printed total of a relation the
       count is a part of; the smallest printed non-zero member of such a relation; any
       printed member. If the count is known only through figures already hidden or never
       printed, the same search goes on from those. If nothing is left (never the case for
       the co-responder table), every figure of the page is hidden.
       A figure hidden by this rule prints "not shown".

Pages read beside earlier ones (coresponder.release_tables: a correction of a year's
figures is read beside every revision before it, and the program-to-date figures beside
those of earlier years)
    6. The figures of earlier pages enter the reading of rule 4 with what they printed, and
       their rates and totals with them; rule 5 never hides them, since they are out.
       Whatever the earlier pages give away on their own (with this page printing nothing)
       is not this page's to fix and is not counted as disclosed.
    7. A difference between pages is protected like any count: a correction that adds 5
       on-scene encounters must not print both the old and the new number. Such
       differences are signed counts tied to the counts they separate by totals
       (new = old + difference), or covers when a reader can pick among several earlier
       counts for a part (program to date, 2025 = program to date, 2024, any revision +
       the year 2025, any revision + what came in late). A cover is disclosed when some
       choice of known counts, one of them from this page, leaves a difference from 1 to
       10; the choices are followed slot by slot as the set of sums they reach, never
       listed one by one.
    8. For a disclosed cover, rule 5 hides the cover's count from this page if it is
       printed (its total first), else goes on from the figures that make it known.
    9. A second reader assumes what no page prints: that no records came in late and that a
       year never released had none. It takes as true the relations passed as `assumed`
       (program to date, 2025 = program to date, 2024 + the year 2025, say). It reads "not
       shown" as 0 or at least 11, so a figure hidden where its range is narrow can still
       be worked out, and it solves the totals as equations, not only as ranges (two
       releases printing 33 = a + b + 23 and 33 = a + b + c give c = 23 with a and b
       unknown). Rules 4 to 8 are applied for the first reader, then for this one. What it
       pins is disclosed unless the earlier pages give it away, read with the same
       relations and beside this page with every figure hidden that can be ("not shown",
       and "fewer than 11" for its small counts): nothing this page could hide would take
       that back. For its disclosures rule 5 takes, in the same order, the first figure
       whose hiding undoes the disclosure (the first one if none does alone), and the step
       names the assumed relations it needed (Step.assumed).

Why rule 5 hides the total before another part: "not shown" tells the reader that the
value is not from 1 to 10 (it would read "fewer than 11" otherwise). With 12 on-scene
encounters of which 11 were assessed, hiding the 11 would leave a reader with
"not shown + 1-10 = 12, not shown is at least 11", so the hidden part is 1. Hiding the
total instead (11 + 1-10 = at least 12) keeps all ten values possible.

Example (the co-responder table): 40 on-scene encounters of which 37 avoided arrest or
custody. The share (93%) with its denominator (40) gives away the 3 arrests, a small
unpublished count, so the share prints "not shown" while the 40 stays.

tests/coresponder/test_suppression.py checks by brute force, over generated rows, that
every small count keeps at least two values consistent with everything printed;
tests/coresponder/test_release_tables.py checks with exact integer programming, over
generated sequences of releases and corrections, that no two published pages together
give a small count away, even to the reader of rule 9.
"""

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from math import inf

LARGEST_SMALL = 10  # counts from 1 to this are small
SMALL_TEXT = "fewer than 11"
WITHHELD_TEXT = "not shown"
NOT_APPLICABLE_TEXT = "not applicable"

# Figure.status values
SHOWN = "shown"
SMALL = "small"  # primary suppression: a count from 1 to 10
WITHHELD = "withheld"  # secondary suppression
NOT_APPLICABLE = "not-applicable"  # a rate over a denominator of 0

# Rule 9: how many figures, at most, are tried for one that undoes a disclosure alone.
_TRIES = 12


@dataclass(frozen=True)
class Rate:
    name: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class Total:
    total: str
    parts: tuple[str, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Cover:
    """`total` minus one count from each slot: a difference a reader can form.

    The counts of one slot are alternatives for the same records (the same year's figures
    in different revisions, say); the slots together count the records of `total`."""

    name: str
    total: str
    slots: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    """What the page prints for one count or rate."""

    text: str
    value: int | None = None  # the printed number (a percent for a rate); None if hidden
    status: str = SHOWN

    @property
    def shown(self) -> bool:
        return self.status == SHOWN


@dataclass(frozen=True)
class Step:
    """One figure hidden by rule 5, and what it would have given away."""

    hidden: str
    because: str  # the disclosed count, or the name of the disclosed cover
    compared: tuple[str, ...] = ()  # for a cover: its total and the counts subtracted
    assumed: tuple[Total, ...] = ()  # rule 9: the assumed relations the disclosure needs


@dataclass(frozen=True)
class Suppression:
    figures: dict[str, Figure]
    steps: tuple[Step, ...]


def is_small(count: int) -> bool:
    return 1 <= count <= LARGEST_SMALL


def percent(numerator: int, denominator: int) -> Figure:
    """A whole-number percentage, halves rounded up, never 0% or 100% unless exact."""
    value = (200 * numerator + denominator) // (2 * denominator)
    if value == 0 and numerator > 0:
        return Figure("less than 1%", 1)
    if value >= 100 and numerator < denominator:
        return Figure("more than 99%", 99)
    return Figure(f"{value}%", value)


def suppress(
    counts: Mapping[str, int],
    *,
    published: Iterable[str],
    rates: Iterable[Rate] = (),
    totals: Iterable[Total] = (),
    earlier: Mapping[str, str] | None = None,
    signed: Iterable[str] = (),
    covers: Iterable[Cover] = (),
    withheld: Iterable[str] = (),
    assumed: Iterable[Total] = (),
) -> dict[str, Figure]:
    """The printable figures of one page: each published count and each rate, by name.

    The keywords after `totals` are for a page read beside earlier ones (rules 6 to 9):
    `earlier` is the status printed for each figure (count or rate) of those pages,
    `signed` names the differences that may be negative, `covers` the differences a reader
    can form across pages, `withheld` figures of this page hidden beforehand, and `assumed`
    the relations of a reader who assumes that nothing came in late (rule 9)."""
    return suppress_explained(
        counts,
        published=published,
        rates=rates,
        totals=totals,
        earlier=earlier,
        signed=signed,
        covers=covers,
        withheld=withheld,
        assumed=assumed,
    ).figures


def suppress_explained(
    counts: Mapping[str, int],
    *,
    published: Iterable[str],
    rates: Iterable[Rate] = (),
    totals: Iterable[Total] = (),
    earlier: Mapping[str, str] | None = None,
    signed: Iterable[str] = (),
    covers: Iterable[Cover] = (),
    withheld: Iterable[str] = (),
    assumed: Iterable[Total] = (),
) -> Suppression:
    """`suppress()`, with the figures rule 5 hid, in order, and why."""
    page = _Page(
        counts,
        published=set(published),
        rates=tuple(rates),
        totals=tuple(totals),
        earlier=dict(earlier or {}),
        signed=set(signed),
        covers=tuple(covers),
        assumed=tuple(assumed),
    )
    withheld = set(withheld)
    steps: list[Step] = []
    while True:
        hidden = page.small | withheld
        shown_rates = page.shown_rates(hidden, withheld)
        found = page.first_disclosure(hidden, shown_rates)
        if found is None:
            break
        reader, bounds, step = found
        extra = page.next_to_hide(reader, step, bounds, withheld, shown_rates)
        if extra is None:  # nothing sensible left to hide: hide the whole page
            everything = (page.published - page.small) | set(page.own_rates)
            steps += [replace(step, hidden=n) for n in sorted(everything - withheld)]
            withheld |= everything
            break
        steps.append(replace(step, hidden=extra))
        withheld.add(extra)
    hidden = page.small | withheld
    return Suppression(page.figures(withheld, page.shown_rates(hidden, withheld)), tuple(steps))


@dataclass
class _Reader:
    """A reader of rule 4 (`assumes` False) or of rule 9: the relations it takes as true,
    each count's relations, and what the earlier pages give away to it (rule 6)."""

    totals: tuple[Total, ...]
    assumes: bool
    relations: dict[str, list[Total]]
    positions: dict[str, list[int]]  # count -> where its relations are in `totals`
    given_away: set[str]


class _Page:
    """The figures of one page and of the earlier pages beside it, as a reader has them."""

    def __init__(self, counts, *, published, rates, totals, earlier, signed, covers, assumed):
        _check(counts, published, rates, totals, earlier, signed, covers, assumed)
        self.counts = counts
        self.published = published
        self.rates = rates
        self.earlier = earlier
        self.signed = signed
        self.covers = {cover.name: cover for cover in covers}
        self.assumed = set(assumed)
        self.own_rates = {r.name: r for r in rates if r.name not in earlier}
        self.small = {name for name in published if is_small(counts[name])}
        self.readers = [self._reader(tuple(totals), assumes=False)]
        if assumed:
            self.readers.append(self._reader((*totals, *assumed), assumes=True))

    def _reader(self, totals: tuple[Total, ...], *, assumes: bool) -> _Reader:
        relations: dict[str, list[Total]] = {name: [] for name in self.counts}
        positions: dict[str, list[int]] = {name: [] for name in self.counts}
        for i, t in enumerate(totals):
            for member in dict.fromkeys(t.members):
                relations[member].append(t)
                positions[member].append(i)
        reader = _Reader(totals, assumes, relations, positions, set())
        # What the earlier pages give away with this page printing nothing (rule 6).
        if self.earlier:
            blank_rates = self.shown_rates(set(self.published), set(self.own_rates))
            nothing = self.bounds(reader, set(), blank_rates, blank=True)
            reader.given_away = {name for name, (low, high) in nothing.items() if low == high}
        return reader

    def is_small(self, name: str) -> bool:
        value = self.counts[name]
        return is_small(abs(value) if name in self.signed else value)

    def shown_rates(self, hidden: set[str], withheld: set[str]) -> set[str]:
        shown = {
            name
            for name, status in self.earlier.items()
            if name not in self.counts and status in (SHOWN, NOT_APPLICABLE)
        }
        shown |= {
            r.name
            for r in self.own_rates.values()
            if r.name not in withheld and r.numerator not in hidden and r.denominator not in hidden
        }
        return shown

    def bounds(self, reader: _Reader, hidden: set[str], shown_rates: set[str], blank=False):
        """The range (low, high) `reader` can narrow each count to from the printed figures
        (with `blank`, from the earlier pages alone, this page printing nothing). The reader
        of rule 9 also reads "not shown" as 0 or at least 11."""
        counts = self.counts
        holes: set[str] = set()
        if reader.assumes:  # a blank page hides every figure it can: "not shown" everywhere
            holes = {n for n, status in self.earlier.items() if status == WITHHELD}
            holes |= (self.published if blank else hidden & self.published) - self.small
        bounds: dict[str, tuple[float, float]] = {}
        for name, value in counts.items():
            status = self.earlier.get(name)
            if blank and name in self.published:
                # To the reader of rule 9, a blank page still prints "fewer than 11".
                small = reader.assumes and name in self.small
                bounds[name] = (1, LARGEST_SMALL) if small else (0, inf)
            elif (name in self.published and name not in hidden) or status == SHOWN:
                bounds[name] = (value, value)
            elif name in self.small or status == SMALL:
                bounds[name] = (1, LARGEST_SMALL)
            elif name in self.signed:
                bounds[name] = (-inf, inf)
            else:
                bounds[name] = (0, inf)

        # Each relation is read again whenever one of its counts narrows, until none does.
        totals = reader.totals
        rates = [r for r in self.rates if r.name in shown_rates]
        rates_of: dict[str, list[int]] = {}
        for i, r in enumerate(rates, start=len(totals)):
            rates_of.setdefault(r.numerator, []).append(i)
            rates_of.setdefault(r.denominator, []).append(i)
        queue = deque(range(len(totals) + len(rates)))
        waiting = [True] * len(queue)

        def narrowed(name: str) -> None:
            for i in (*reader.positions[name], *rates_of.get(name, ())):
                if not waiting[i]:
                    waiting[i] = True
                    queue.append(i)

        def pin(name: str) -> None:
            if bounds[name][0] != bounds[name][1]:
                bounds[name] = (counts[name], counts[name])
                narrowed(name)

        def narrow(name: str, low: float, high: float) -> None:
            old = bounds[name]
            new = (max(old[0], low), min(old[1], high))
            if name in holes:  # never from 1 to 10
                if new[1] <= LARGEST_SMALL and new[0] <= 0:
                    new = (0, 0)
                elif new[0] >= 1:
                    new = (max(new[0], LARGEST_SMALL + 1), new[1])
            if new != old:
                bounds[name] = new
                narrowed(name)

        while True:
            if not queue:
                if not reader.assumes:
                    break
                for name in _determined(totals, bounds):  # rule 9: exact sums too
                    pin(name)
                if not queue:
                    break
            i = queue.popleft()
            waiting[i] = False
            if i >= len(totals):
                r = rates[i - len(totals)]
                num, den = r.numerator, r.denominator
                if counts[den] == 0:
                    pin(den)  # "not applicable" gives the 0 away
                else:
                    if bounds[den][0] == bounds[den][1]:
                        pin(num)
                    if bounds[num][0] == bounds[num][1] and counts[num] > 0:
                        pin(den)
                continue
            t = totals[i]
            # Sums of lows never meet +inf nor sums of highs -inf, so no inf - inf.
            lows = [bounds[p][0] for p in t.parts]
            highs = [bounds[p][1] for p in t.parts]
            narrow(t.total, sum(lows), sum(highs))
            total_low, total_high = bounds[t.total]
            for j, part in enumerate(t.parts):
                if len(lows) == 2:  # the usual case, kept quick
                    others_low, others_high = lows[1 - j], highs[1 - j]
                else:
                    others_low = sum(lows[:j]) + sum(lows[j + 1 :])
                    others_high = sum(highs[:j]) + sum(highs[j + 1 :])
                narrow(part, total_low - others_high, total_high - others_low)
        return bounds

    def first_disclosure(self, hidden, shown_rates) -> tuple[_Reader, dict, Step] | None:
        """The first reader that pins something small, its reading, and what it pins."""
        plain = None
        for reader in self.readers:
            bounds = self.bounds(reader, hidden, shown_rates)
            step = self.disclosure(reader, bounds)
            if step is not None:
                if reader.assumes:
                    step = replace(step, assumed=self.assumptions_used(reader, step, bounds, plain))
                return reader, bounds, step
            plain = bounds
        return None

    def disclosure(self, reader: _Reader, bounds) -> Step | None:
        """The first small count or cover `reader` can pin down, with this page's help."""
        for name in self.counts:
            low, high = bounds[name]
            if low == high and self.is_small(name) and name not in reader.given_away:
                return Step("", name)
        for cover in self.covers.values():
            compared = self.witness(reader, cover, bounds)
            if compared is not None:
                return Step("", cover.name, compared)
        return None

    def witness(self, reader: _Reader, cover: Cover, bounds) -> tuple[str, ...] | None:
        """Counts that give a small difference for `cover`, one of them from this page.

        The choices are followed slot by slot as the sums they reach (rule 7), each sum
        with the first choice reaching it and whether that uses a figure of this page."""

        def known(name: str) -> bool:
            return bounds[name][0] == bounds[name][1]

        if not known(cover.total):
            return None
        given_away = reader.given_away
        reached = {(0, cover.total not in given_away): ()}
        for slot in cover.slots:
            options = [name for name in slot if known(name)]
            if not options:
                return None
            following: dict[tuple[int, bool], tuple[str, ...]] = {}
            for (total, fresh), chosen in reached.items():
                for name in options:
                    key = (total + self.counts[name], fresh or name not in given_away)
                    following.setdefault(key, (*chosen, name))
            reached = following
        value = self.counts[cover.total]
        for (total, fresh), chosen in reached.items():
            if fresh and is_small(abs(value - total)):
                return (cover.total, *chosen)
        return None

    def assumptions_used(self, reader, step: Step, bounds, plain) -> tuple[Total, ...]:
        """The assumed relations next to the counts that only `reader` knows, from those
        of the disclosure on (rule 9)."""

        def newly(name: str) -> bool:
            return bounds[name][0] == bounds[name][1] and plain[name][0] != plain[name][1]

        start = [name for name in step.compared or (step.because,) if newly(name)]
        seen, queue = set(start), deque(start)
        used: dict[Total, None] = {}
        while queue:
            for t in reader.relations[queue.popleft()]:
                if t in self.assumed:
                    used[t] = None
                for member in t.members:
                    if member not in seen and newly(member):
                        seen.add(member)
                        queue.append(member)
        return tuple(used)

    def next_to_hide(self, reader, step: Step, bounds, withheld, shown_rates) -> str | None:
        """The figure to hide next so that the disclosed count or cover is no longer pinned
        (rule 5; for the reader of rule 9, the first one that undoes it alone, if any)."""
        hidden = self.small | withheld
        candidates = self._candidates(reader, step, bounds, hidden, shown_rates)
        if not reader.assumes:
            return next(candidates, None)
        first = None
        for tried, name in enumerate(dict.fromkeys(candidates)):
            if tried == _TRIES:
                break
            first = first or name
            if not self._still_disclosed(reader, step, withheld | {name}):
                return name
        return first

    def _still_disclosed(self, reader, step: Step, withheld: set[str]) -> bool:
        hidden = self.small | withheld
        bounds = self.bounds(reader, hidden, self.shown_rates(hidden, withheld))
        if step.compared:
            return self.witness(reader, self.covers[step.because], bounds) is not None
        low, high = bounds[step.because]
        return low == high

    def _candidates(self, reader, step: Step, bounds, hidden, shown_rates) -> Iterator[str]:
        if not step.compared:
            yield from self._candidates_for(reader, step.because, bounds, hidden, shown_rates)
            return
        # The cover's total, if it is printed here (rule 8), then the printed counts of the
        # cover, then the figures that make its counts known.
        yield from (m for m in step.compared if m in self.published and m not in hidden)
        for member in step.compared:
            if member not in reader.given_away:
                yield from self._candidates_for(reader, member, bounds, hidden, shown_rates)

    def _candidates_for(self, reader, name, bounds, hidden, shown_rates) -> Iterator[str]:
        """Rule 5 for the count `name`, going on through the known counts it is tied to."""
        seen, queue = {name}, deque([name])
        while queue:
            current = queue.popleft()
            yield from self._candidates_next_to(reader, current, hidden, shown_rates)
            for t in reader.relations[current]:
                for member in t.members:
                    low, high = bounds[member]
                    if member not in seen and low == high and member not in reader.given_away:
                        seen.add(member)
                        queue.append(member)

    def _candidates_next_to(self, reader, name, hidden, shown_rates) -> Iterator[str]:
        own_shown = [r for r in self.own_rates.values() if r.name in shown_rates]
        for r in own_shown:
            if name in (r.numerator, r.denominator):
                yield r.name
        relations = reader.relations[name]
        for t in relations:
            for member in t.members:
                if member == name or member in self.published:
                    continue
                for r in own_shown:
                    if member in (r.numerator, r.denominator):
                        yield r.name
        for t in relations:
            if name in t.parts and t.total in self.published and t.total not in hidden:
                yield t.total
        printed = {
            m: self.counts[m]
            for t in relations
            for m in t.members
            if m != name and m in self.published and m not in hidden
        }
        # The smallest non-zero one first.
        yield from sorted(printed, key=lambda m: (printed[m] == 0, printed[m], m))

    def figures(self, withheld, shown_rates) -> dict[str, Figure]:
        figures: dict[str, Figure] = {}
        for name, value in self.counts.items():
            if name not in self.published:
                continue
            if name in self.small:
                figures[name] = Figure(SMALL_TEXT, status=SMALL)
            elif name in withheld:
                figures[name] = Figure(WITHHELD_TEXT, status=WITHHELD)
            else:
                figures[name] = Figure(f"{value:,}", value)
        for r in self.own_rates.values():
            if r.name not in shown_rates:
                figures[r.name] = Figure(WITHHELD_TEXT, status=WITHHELD)
            elif self.counts[r.denominator] == 0:
                figures[r.name] = Figure(NOT_APPLICABLE_TEXT, status=NOT_APPLICABLE)
            else:
                figures[r.name] = percent(self.counts[r.numerator], self.counts[r.denominator])
        return figures


_PRIME = (1 << 61) - 1  # sums are followed modulo this prime: no fractions, no overflow


def _determined(totals: tuple[Total, ...], bounds) -> list[str]:
    """The counts not known yet that the totals, taken as equations, fix to one value.

    Ranges cannot see that two totals sharing unknown parts fix their difference (33 =
    23 + a + b and 33 = c + a + b give c = 23 whatever a and b are); elimination can. The
    equations are reduced one by one (Gauss-Jordan) over the unknown counts; a count is
    fixed when its reduced row holds nothing else. Values are not needed (the true ones
    are pinned), so the arithmetic is modulo a large prime."""
    unknown = {name for name, (low, high) in bounds.items() if low != high}
    pivots: dict[str, dict[str, int]] = {}  # count -> its row, with the count at 1
    for t in totals:
        row: dict[str, int] = {}
        for name, coef in ((t.total, 1), *((p, -1) for p in t.parts)):
            if name in unknown:
                row[name] = (row.get(name, 0) + coef) % _PRIME
        row = {name: coef for name, coef in row.items() if coef}
        if len(row) < 2:
            continue  # one unknown: the ranges fix it already
        while hit := next((name for name in row if name in pivots), None):
            _subtract(row, row[hit], pivots[hit])
        if not row:
            continue
        lead = min(row)
        inverse = pow(row[lead], _PRIME - 2, _PRIME)
        row = {name: coef * inverse % _PRIME for name, coef in row.items()}
        for other in pivots.values():
            if lead in other:
                _subtract(other, other[lead], row)
        pivots[lead] = row
    return [name for name, row in pivots.items() if len(row) == 1]


def _subtract(row: dict[str, int], times: int, other: dict[str, int]) -> None:
    """row -= times * other, modulo _PRIME."""
    for name, coef in other.items():
        value = (row.get(name, 0) - times * coef) % _PRIME
        if value:
            row[name] = value
        else:
            row.pop(name, None)


def _check(counts, published, rates, totals, earlier, signed, covers, assumed) -> None:
    names = set(counts)
    for name, value in counts.items():
        if not isinstance(value, int) or (value < 0 and name not in signed):
            raise ValueError(f"{name}: a count must be a whole number >= 0, not {value!r}")
    referenced = set(published) | set(signed)
    referenced |= {n for r in rates for n in (r.numerator, r.denominator)}
    referenced |= {n for t in (*totals, *assumed) for n in t.members}
    referenced |= {n for c in covers for n in (c.total, *(m for slot in c.slots for m in slot))}
    referenced |= set(earlier) - {r.name for r in rates}
    if referenced - names:
        raise ValueError(f"unknown counts: {sorted(referenced - names)}")
    if set(published) & set(earlier):
        both = sorted(set(published) & set(earlier))
        raise ValueError(f"printed on an earlier page, so not this page's: {both}")
    for t in (*totals, *assumed):
        if counts[t.total] != sum(counts[p] for p in t.parts):
            raise ValueError(f"{t.total} is not the sum of {', '.join(t.parts)}")
