"""The dashboard's charts, drawn on the server with matplotlib and served as SVG images.

    svg = chart_svg("encounters", points, scope="All agencies and providers")

Each chart carries a <title> and a <desc> (its text alternative, which the page also uses
as the image's alt text), and every number it draws is in the dashboard's month table.
Only month points (coresponder.measures.monthly_series) reach this module: never a record
and never a substance-use figure.

matplotlib's pyplot is not used (it keeps global state); each chart is its own Figure with
the Agg canvas. The SVG settings (text kept as text, stable ids) are applied under a lock
because matplotlib's rcParams are shared by the whole process.
"""

import io
import math
import threading
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402

from coresponder.measures import MonthPoint  # noqa: E402

CHARTS = ("encounters", "coverage")

# Colours with at least 3:1 contrast against white and against each other's fill; the two
# bar series also differ by hatching, so they do not rely on colour alone.
CALLS_COLOUR = "#6c757d"
ENCOUNTERS_COLOUR = "#0b5394"
COVERAGE_COLOUR = "#0b5394"
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


def chart_description(name: str, points: list[MonthPoint]) -> str:
    """The text alternative: what the chart shows, its totals, where its numbers are."""
    if not points:
        return "No months in the chosen period."
    if name == "encounters":
        calls = sum(p.mh_calls for p in points)
        encounters = sum(p.encounters for p in points)
        busiest = max(points, key=lambda p: p.encounters)
        text = (
            f"Bar chart of {len(points)} months: mental-health calls and co-responder "
            f"encounters each month. Over the period, {encounters:,} encounters and "
            f"{calls:,} mental-health calls"
        )
        if encounters:
            text += f"; most encounters in {busiest.month:%B %Y} ({busiest.encounters:,})"
        return text + ". The numbers are in the table “By month”."
    onsite = sum(p.onsite_assessments for p in points)
    calls = sum(p.mh_calls for p in points)
    with_calls = [p for p in points if p.mh_calls]
    text = (
        f"Line chart of {len(points)} months: on-site assessments as a percentage of "
        f"mental-health calls each month."
    )
    if calls:
        text += f" Over the period, {onsite:,} of {calls:,} calls ({onsite / calls:.1%})"
        low = min(with_calls, key=lambda p: p.coverage)
        high = max(with_calls, key=lambda p: p.coverage)
        text += (
            f", from {low.coverage:.1%} in {low.month:%B %Y} "
            f"to {high.coverage:.1%} in {high.month:%B %Y}."
        )
    else:
        text += " No call volume was reported for the period."
    return text + " The numbers are in the table “By month”."


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
