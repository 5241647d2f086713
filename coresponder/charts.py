"""The dashboard's charts, drawn on the server with matplotlib and served as SVG images.

    svg = chart_svg("encounters", points, scope="All agencies and providers")
    svg = agency_chart_svg(agency_points, series, scope="All agencies and providers")

Each chart carries a <title> and a <desc> (its text alternative, which the page also uses
as the image's alt text), and every number it draws is in a table of the dashboard: the
month charts' in "By month", the agency chart's in "Agencies compared". Only month points
(coresponder.measures.monthly_series) and agency points (agency_series) reach this
module: never a record and never a substance-use figure.

matplotlib's pyplot is not used (it keeps global state); each chart is its own Figure with
the Agg canvas. The SVG settings (text kept as text, stable ids) are applied under a lock
because matplotlib's rcParams are shared by the whole process.
"""

import datetime as dt
import io
import math
import threading
from dataclasses import dataclass
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402

from coresponder.measures import AgencyPoint, MonthPoint  # noqa: E402

CHARTS = ("encounters", "coverage")  # month charts
AGENCY_CHART = "agencies"

# Colours with at least 3:1 contrast against white and against each other's fill; the two
# bar series also differ by hatching, so they do not rely on colour alone.
CALLS_COLOUR = "#6c757d"
ENCOUNTERS_COLOUR = "#0b5394"
COVERAGE_COLOUR = "#0b5394"
YEAR_BEFORE_COLOUR = "#8a4b08"
# The agency chart's series: this period, the previous one, a year before.
SERIES_STYLES = (
    {"color": ENCOUNTERS_COLOUR},
    {"color": CALLS_COLOUR, "hatch": "//", "edgecolor": "white", "linewidth": 0},
    {"color": YEAR_BEFORE_COLOUR, "hatch": "..", "edgecolor": "white", "linewidth": 0},
)
SVG_SETTINGS = {
    "svg.fonttype": "none",  # text stays text: selectable, scalable, readable by tools
    "svg.hashsalt": "coresponder-dashboard",  # stable ids: the same figures, the same file
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_LOCK = threading.Lock()


def _month_label(point: MonthPoint, many: bool) -> str:
    return point.month.strftime("%b\n%Y" if not many else "%b %y")


def _span(points: list[MonthPoint]) -> str:
    if not points:
        return "no months"
    first, last = points[0].month, points[-1].month
    if first == last:
        return first.strftime("%B %Y")
    return f"{first:%B %Y} to {last:%B %Y}"


def chart_title(name: str, points: list[MonthPoint], scope: str) -> str:
    titles = {
        "encounters": "Co-responder encounters and mental-health calls by month",
        "coverage": "Assessment coverage by month",
    }
    return f"{titles[name]}, {_span(points)} ({scope})"


def _when(day: dt.date) -> str:
    return f"{day:%B %Y}"


def _months(points: list[MonthPoint]) -> str:
    return "1 month" if len(points) == 1 else f"{len(points)} months"


def trend(points: list[MonthPoint], value, show, what: str) -> str:
    """One or two sentences on how a monthly figure moved, in the order of time: the first
    and the last month's values, then the highest and the lowest month, the earlier of
    the two first (ties: the earliest month). Months without a value are left out."""
    known = [(p.month, value(p)) for p in points if value(p) is not None]
    if not known:
        return ""
    (first_month, first), (last_month, last) = known[0], known[-1]
    if len(known) == 1:
        return f"{what}: {show(first)} in {_when(first_month)}."
    high = max(known, key=lambda k: k[1])  # max and min keep the earliest of equal values
    low = min(known, key=lambda k: k[1])
    if show(high[1]) == show(low[1]):
        return f"{what} stayed at {show(first)} every month."
    text = f"{what} went from {show(first)} in {_when(first_month)} to {show(last)} in "
    text += f"{_when(last_month)}."
    extremes = sorted([("highest", *high), ("lowest", *low)], key=lambda e: e[1])
    (name_1, month_1, value_1), (name_2, month_2, value_2) = extremes
    return (
        f"{text} The {name_1} was {show(value_1)} in {_when(month_1)}, "
        f"the {name_2} {show(value_2)} in {_when(month_2)}."
    )


def chart_description(name: str, points: list[MonthPoint]) -> str:
    """The text alternative: what the chart shows, how each figure moved (first and last
    month, highest and lowest in the order they came), totals, where its numbers are."""
    if not points:
        return "No months in the chosen period."
    calls = sum(p.mh_calls for p in points)
    if name == "encounters":
        encounters = sum(p.encounters for p in points)
        parts = [
            f"Bar chart of {_months(points)}, {_span(points)}: mental-health calls and "
            f"co-responder encounters each month.",
            trend(points, lambda p: p.encounters, lambda v: f"{v:,}", "Encounters"),
            trend(points, lambda p: p.mh_calls, lambda v: f"{v:,}", "Mental-health calls"),
            f"Over the period, {encounters:,} encounters and {calls:,} mental-health calls.",
        ]
    else:
        onsite = sum(p.onsite_assessments for p in points)
        parts = [
            f"Line chart of {_months(points)}, {_span(points)}: on-site assessments as a "
            f"percentage of mental-health calls each month."
        ]
        if calls:
            parts.append(trend(points, lambda p: p.coverage, lambda v: f"{v:.1%}", "Coverage"))
            parts.append(f"Over the period, {onsite:,} of {calls:,} calls ({onsite / calls:.1%}).")
            without = sum(1 for p in points if not p.mh_calls)
            if without:
                parts.append(
                    f"{without} of the months had no call volume reported, so no coverage."
                )
        else:
            parts.append("No call volume was reported for the period.")
    parts.append("The numbers are in the table “By month”.")
    return " ".join(part for part in parts if part)


def _x_axis(ax, points: list[MonthPoint]) -> None:
    many = len(points) > 12
    positions = range(len(points))
    ax.set_xticks(list(positions))
    ax.set_xticklabels([_month_label(p, many) for p in points])
    if many:
        step = math.ceil(len(points) / 12)
        for index, label in enumerate(ax.get_xticklabels()):
            label.set_visible(index % step == 0)
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlim(-0.6, max(len(points) - 0.4, 0.6))


def _draw_encounters(fig: Figure, points: list[MonthPoint]) -> None:
    ax = fig.add_subplot()
    x = range(len(points))
    width = 0.4
    ax.bar(
        [i - width / 2 for i in x],
        [p.mh_calls for p in points],
        width,
        label="Mental-health calls",
        color=CALLS_COLOUR,
        hatch="//",
        edgecolor="white",
        linewidth=0,
    )
    ax.bar(
        [i + width / 2 for i in x],
        [p.encounters for p in points],
        width,
        label="Co-responder encounters",
        color=ENCOUNTERS_COLOUR,
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.set_ylabel("Per month")
    ax.grid(axis="y", color="#dee2e6", linewidth=0.6)
    ax.set_axisbelow(True)
    _x_axis(ax, points)
    ax.legend(loc="upper left", frameon=False, ncols=2, bbox_to_anchor=(0, 1.12))


def _draw_coverage(fig: Figure, points: list[MonthPoint]) -> None:
    ax = fig.add_subplot()
    values = [p.coverage * 100 if p.coverage is not None else math.nan for p in points]
    ax.plot(
        list(range(len(points))),
        values,
        color=COVERAGE_COLOUR,
        marker="o",
        markersize=4,
        linewidth=1.8,
        label="On-site assessments per mental-health call",
    )
    top = max([v for v in values if not math.isnan(v)] or [0])
    ax.set_ylim(0, max(10, math.ceil(top / 10) * 10 + 5))
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylabel("Coverage")
    ax.grid(axis="y", color="#dee2e6", linewidth=0.6)
    ax.set_axisbelow(True)
    _x_axis(ax, points)
    ax.legend(loc="upper left", frameon=False, bbox_to_anchor=(0, 1.12))


@dataclass(frozen=True)
class Series:
    """One period of the agency chart: "Previous period", "May 1 to May 15, 2025"."""

    name: str
    dates: str

    @property
    def legend(self) -> str:
        return f"{self.name} ({self.dates})"


def agency_chart_size(points: list[AgencyPoint], series: list[Series]) -> tuple[float, float]:
    """Width and height in inches (100 pixels each): taller with more agencies and periods."""
    return 8.0, round(1.2 + 0.18 * max(len(series), 1) * max(len(points), 1), 2)


def agency_chart_title(scope: str) -> str:
    return f"Co-responder encounters by agency, compared with earlier periods ({scope})"


def _change_words(now: int, then: int) -> str:
    if now > then:
        return f"up {now - then:,}"
    if now < then:
        return f"down {then - now:,}"
    return "no change"


def _where(points: list[AgencyPoint], encounters: int) -> str:
    """The agencies with this many encounters this period: their names, or how many."""
    names = [p.label for p in points if p.encounters[0] == encounters]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{len(names)} agencies"


def agency_chart_description(points: list[AgencyPoint], series: list[Series]) -> str:
    """The agency chart's text alternative: the periods, the agencies with the most and
    the fewest encounters, and how many went up or down against each earlier period."""
    if not points or not series:
        return "No agencies to compare."
    periods = "; ".join(f"{s.name.lower()}, {s.dates}" for s in series)
    text = [
        f"Bar chart of co-responder encounters in {len(points)} "
        f"agenc{'y' if len(points) == 1 else 'ies'}, one bar per period: {periods}."
    ]
    if len(points) == 1:
        point = points[0]
        now = point.encounters[0]
        text.append(f"{point.label}: {now:,} encounters this period")
        text[-1] += "".join(
            f", {then:,} in the {s.name.lower()} ({_change_words(now, then)})"
            for s, then in zip(series[1:], point.encounters[1:], strict=True)
        )
        text[-1] += "."
    else:
        now = [p.encounters[0] for p in points]
        text.append(
            f"This period, the most encounters were in {_where(points, max(now))} "
            f"({max(now):,}) and the fewest in {_where(points, min(now))} ({min(now):,})."
        )
        for index, s in enumerate(series[1:], start=1):
            up = sum(1 for p in points if p.encounters[0] > p.encounters[index])
            down = sum(1 for p in points if p.encounters[0] < p.encounters[index])
            same = len(points) - up - down
            text.append(
                f"Against the {s.name.lower()}, {up} had more encounters, {down} fewer "
                f"and {same} as many."
            )
    text.append("The numbers are in the table “Agencies compared”.")
    return " ".join(text)


def _draw_agencies(fig: Figure, points: list[AgencyPoint], series: list[Series]) -> None:
    ax = fig.add_subplot()
    height = 0.8 / len(series)
    for index, (s, style) in enumerate(zip(series, SERIES_STYLES, strict=False)):
        ax.barh(
            [row + (index - (len(series) - 1) / 2) * height for row in range(len(points))],
            [p.encounters[index] for p in points],
            height,
            label=s.legend,
            **style,
        )
    ax.set_yticks(list(range(len(points))))
    ax.set_yticklabels([p.label for p in points])
    ax.invert_yaxis()  # the dictionary's order, from the top
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.set_xlabel("Encounters")
    ax.grid(axis="x", color="#dee2e6", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="lower left", frameon=False, bbox_to_anchor=(0, 1.0), ncols=1)


def agency_chart_svg(points: list[AgencyPoint], series: list[Series], *, scope: str) -> str:
    """The agency chart as SVG text: each agency's encounters in each period of `series`
    (point.encounters in the same order), with its title and text alternative inside."""
    title = agency_chart_title(scope)
    with _LOCK, matplotlib.rc_context(SVG_SETTINGS):
        fig = Figure(figsize=agency_chart_size(points, series), layout="constrained")
        if points and series:
            _draw_agencies(fig, points, series)
        else:
            fig.text(0.5, 0.5, "No agencies to compare.", ha="center", va="center")
        buffer = io.StringIO()
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Title": title, "Date": None, "Creator": None},
        )
    return _with_description(buffer.getvalue(), agency_chart_description(points, series))


def _with_description(svg: str, description: str) -> str:
    """Put a <desc> right after the <title> matplotlib writes (from the Title metadata)."""
    closing = "</title>"
    at = svg.find(closing)
    if at == -1:
        return svg
    at += len(closing)
    return f"{svg[:at]}\n <desc>{escape(description)}</desc>{svg[at:]}"


def chart_svg(name: str, points: list[MonthPoint], *, scope: str) -> str:
    """One chart as SVG text, with its title and text alternative inside."""
    if name not in CHARTS:
        raise ValueError(f"Unknown chart {name!r}.")
    draw = {"encounters": _draw_encounters, "coverage": _draw_coverage}[name]
    title = chart_title(name, points, scope)
    with _LOCK, matplotlib.rc_context(SVG_SETTINGS):
        fig = Figure(figsize=(8, 3.4), layout="constrained")
        if points:
            draw(fig, points)
        else:
            fig.text(0.5, 0.5, "No months in the chosen period.", ha="center", va="center")
        buffer = io.StringIO()
        fig.savefig(
            buffer,
            format="svg",
            metadata={"Title": title, "Date": None, "Creator": None},
        )
    return _with_description(buffer.getvalue(), chart_description(name, points))
