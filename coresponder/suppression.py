"""Small-cell suppression for published figures.

The program publishes counts of encounters and calls, and percentages made from them. No
count from 1 to 10 may be published, and no other figure on the page may let such a count
be worked out. `suppress()` takes one row of figures (the true counts), says which counts
are printed and how the figures are linked, and returns what the page may print.

Terms
    count       a whole number of records or calls. A *published* count is printed. An
                *unpublished* count is never printed but follows from printed figures (for
                example on-scene encounters that ended in arrest = on-scene encounters minus
                those that did not): it is protected exactly like a printed one.
    Rate        a whole-number percentage printed on the page: numerator / denominator.
    Total       total = sum of parts, all counts of the same row.

Rules
    1. A count of 0 is printed as 0: it describes no one, and readers need to tell "none"
       from "a few". Zero is not hidden, so it is also known to a reader (rule 4).
    2. A count from 1 to 10 is *small*. A published small count prints "fewer than 11"
       (primary suppression).
    3. A rate prints only when neither its numerator nor its denominator is hidden. When its
       denominator is 0 it prints "not applicable" instead. Percentages are rounded half up
       to whole numbers, but never to 0% or 100% unless exactly so ("less than 1%",
       "more than 99%").
    4. The module then reads the row as a reader would: a printed count is known exactly,
       "fewer than 11" means 1-10, a hidden or unpublished count could be anything from 0.
       A printed rate with a known denominator is taken to give away its numerator
       exactly, and the other way round (rounding is ignored, which errs on the safe
       side). Totals narrow the range of each member from the ranges of the others. A
       small count whose range narrows to a single value is *disclosed*.
    5. For each disclosure, one more figure is hidden and the row is read again, until
       nothing is disclosed (secondary suppression). The figure hidden is, first found:
       a printed rate over the disclosed count; a printed rate that gives away another
       unpublished member of a total it belongs to; the printed total of a relation the
       count is a part of; the smallest printed non-zero member of such a relation; any
       printed member. If none is left (never the case for the co-responder table),
       every figure of the row is hidden.
       A figure hidden by this rule prints "not shown".

Why rule 5 hides the total before another part: "not shown" tells the reader that the
value is not from 1 to 10 (it would read "fewer than 11" otherwise). With 12 on-scene
encounters of which 11 were assessed, hiding the 11 would leave a reader with
"not shown + 1-10 = 12, not shown is at least 11", so the hidden part is 1. Hiding the
total instead (11 + 1-10 = at least 12) keeps all ten values possible.

Example (the co-responder table): 40 on-scene encounters of which 37 avoided arrest or
custody. The share (93%) with its denominator (40) gives away the 3 arrests, a small
unpublished count, so the share prints "not shown" while the 40 stays.

tests/coresponder/test_suppression.py checks by brute force, over generated rows, that
every small count keeps at least two values consistent with everything printed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
class Figure:
    """What the page prints for one count or rate."""

    text: str
    value: int | None = None  # the printed number (a percent for a rate); None if hidden
    status: str = SHOWN

    @property
    def shown(self) -> bool:
        return self.status == SHOWN


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
) -> dict[str, Figure]:
    """The printable figures of one row: each published count and each rate, by name."""
    published = set(published)
    rates, totals = tuple(rates), tuple(totals)
    _check(counts, published, rates, totals)
    small = {name for name in published if is_small(counts[name])}
    withheld: set[str] = set()  # published counts and rates hidden by rule 5
    while True:
        hidden = small | withheld
        shown_rates = {
            r.name
            for r in rates
            if r.name not in withheld and r.numerator not in hidden and r.denominator not in hidden
        }
        bounds = _reader_bounds(counts, published, small, hidden, rates, shown_rates, totals)
        disclosed = [n for n in counts if is_small(counts[n]) and bounds[n][0] == bounds[n][1]]
        if not disclosed:
            break
        extra = _next_to_hide(disclosed[0], counts, published, hidden, rates, shown_rates, totals)
        if extra is None:  # nothing sensible left to hide: hide the whole row
            withheld |= (published - small) | {r.name for r in rates}
            shown_rates = set()
            break
        withheld.add(extra)
    return _figures(counts, published, small, withheld, rates, shown_rates)


def _check(counts, published, rates, totals) -> None:
    names = set(counts)
    for name, value in counts.items():
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{name}: a count must be a whole number >= 0, not {value!r}")
    referenced = set(published)
    referenced |= {n for r in rates for n in (r.numerator, r.denominator)}
    referenced |= {n for t in totals for n in t.members}
    if referenced - names:
        raise ValueError(f"unknown counts: {sorted(referenced - names)}")
    for t in totals:
        if counts[t.total] != sum(counts[p] for p in t.parts):
            raise ValueError(f"{t.total} is not the sum of {', '.join(t.parts)}")


def _reader_bounds(counts, published, small, hidden, rates, shown_rates, totals):
    """The range (low, high) a reader can narrow each count to from the printed figures."""
    bounds: dict[str, tuple[float, float]] = {}
    for name, value in counts.items():
        if name in published and name not in hidden:
            bounds[name] = (value, value)
        elif name in small:
            bounds[name] = (1, LARGEST_SMALL)
        else:
            bounds[name] = (0, inf)

    def pin(name: str) -> bool:
        if bounds[name][0] == bounds[name][1]:
            return False
        bounds[name] = (counts[name], counts[name])
        return True

    def narrow(name: str, low: float, high: float) -> bool:
        old = bounds[name]
        new = (max(old[0], low), min(old[1], high))
        bounds[name] = new
        return new != old

    changed = True
    while changed:
        changed = False
        for r in rates:
            num, den = r.numerator, r.denominator
            if r.name in shown_rates and counts[den] == 0:
                changed |= pin(den)  # "not applicable" gives the 0 away
            elif r.name in shown_rates:
                if bounds[den][0] == bounds[den][1]:
                    changed |= pin(num)
                if bounds[num][0] == bounds[num][1] and counts[num] > 0:
                    changed |= pin(den)
        for t in totals:
            low = sum(bounds[p][0] for p in t.parts)
            high = sum(bounds[p][1] for p in t.parts)
            changed |= narrow(t.total, low, high)
            total_low, total_high = bounds[t.total]
            for part in t.parts:
                others_low = low - bounds[part][0]
                others_high = high - bounds[part][1]
                changed |= narrow(part, total_low - others_high, total_high - others_low)
    return bounds


def _next_to_hide(name, counts, published, hidden, rates, shown_rates, totals) -> str | None:
    """The figure to hide next so that the disclosed count `name` is no longer pinned."""
    for r in rates:
        if r.name in shown_rates and name in (r.numerator, r.denominator):
            return r.name
    relations = [t for t in totals if name in t.members]
    for t in relations:
        for member in t.members:
            if member == name or member in published:
                continue
            for r in rates:
                if r.name in shown_rates and member in (r.numerator, r.denominator):
                    return r.name
    for t in relations:
        if name in t.parts and t.total in published and t.total not in hidden:
            return t.total
    printed = [
        m for t in relations for m in t.members if m != name and m in published and m not in hidden
    ]
    if not printed:
        return None
    non_zero = [m for m in printed if counts[m] > 0]
    return min(non_zero or printed, key=lambda m: (counts[m], m))


def _figures(counts, published, small, withheld, rates, shown_rates) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for name, value in counts.items():
        if name not in published:
            continue
        if name in small:
            figures[name] = Figure(SMALL_TEXT, status=SMALL)
        elif name in withheld:
            figures[name] = Figure(WITHHELD_TEXT, status=WITHHELD)
        else:
            figures[name] = Figure(f"{value:,}", value)
    for r in rates:
        if r.name not in shown_rates:
            figures[r.name] = Figure(WITHHELD_TEXT, status=WITHHELD)
        elif counts[r.denominator] == 0:
            figures[r.name] = Figure(NOT_APPLICABLE_TEXT, status=NOT_APPLICABLE)
        else:
            figures[r.name] = percent(counts[r.numerator], counts[r.denominator])
    return figures
