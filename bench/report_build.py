"""The co-responder monthly report over a million encounters: build time, part by part.

Uses the database bench/coresponder_measures.py loads (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/marc_bench_cr): it is created, migrated and loaded
with --rows encounters by that bench's own functions when it does not hold them yet.

For the last full month of the data it times, --repeat times each after one warm-up run:
- the report's figures: reports.builders.document_for, the very call a worker makes (the
  program measures of the month, the month before and the year to date, and the
  twelve-month chart), for the program-wide report (--scope changes it);
- the hand-written SQL aggregate of bench/coresponder_measures.py (RAW_SQL) over the same
  month, and over the same windows the builder reads (month, month before, year to date,
  twelve months), and the ratios;
- the outputs from those figures: HTML, PDF (WeasyPrint), CSV and XLSX, each separately;
- the whole build (reports.builders.build, what a worker stores), figures included.

It prints medians (and the fastest and slowest run) and asserts nothing about timing.

    .venv/bin/python bench/report_build.py [--rows 1000000] [--repeat 5] [--scope ""]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import coresponder_measures as cr  # noqa: E402
from bench.load import BenchError, database_ensure, redact  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="encounters to load")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each part")
    parser.add_argument(
        "--scope", default="", help='report scope: "", "agency:<code>" or "provider:<code>"'
    )
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")
    return args


def timed(function, repeat: int) -> tuple[list[float], object]:
    """Seconds of each of `repeat` runs after a warm-up, and the last result."""
    result = function()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return times, result


def line(name: str, times: list[float], note: str = "") -> str:
    median = statistics.median(times) * 1000
    return f"{name:<44} {median:>9.1f} {min(times) * 1000:>9.1f} {max(times) * 1000:>9.1f}  {note}"


def run(args: argparse.Namespace) -> int:
    database_url = os.environ.get("DATABASE_URL") or cr.DEFAULT_DATABASE_URL
    database_ensure(database_url)
    cr.django_setup(database_url)
    from django.core.management import call_command

    from core.dates import add_months, month_end, month_start
    from coresponder.models import Encounter
    from reports import builders, rendering
    from reports.models import ReportKind, ReportRun

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"database {redact(database_url)} migrated in {time.monotonic() - started:.1f}s")
    cr.load(args.rows)

    last_day = Encounter.objects.order_by("-date").values_list("date", flat=True).first()
    period = add_months(month_start(last_day), -1)  # the last full month
    end = month_end(period)
    encounters = Encounter.objects.filter(date__range=(period, end)).count()
    windows = [
        (period, end),  # the month
        (add_months(period, -1), period - dt.timedelta(days=1)),  # the month before
        (period.replace(month=1), end),  # the year to date
        (add_months(period, 1 - builders.CHART_MONTHS), end),  # the chart's twelve months
    ]

    def figures():
        return builders.document_for(kind=ReportKind.CORESPONDER, period=period, scope=args.scope)

    def raw_month():
        return cr.raw_measures(period, end)

    def raw_windows():
        return [cr.raw_measures(start, stop) for start, stop in windows]

    figures_s, document = timed(figures, args.repeat)
    raw_month_s, _ = timed(raw_month, args.repeat)
    raw_windows_s, _ = timed(raw_windows, args.repeat)
    html_s, html = timed(lambda: rendering.render_html(document), args.repeat)
    pdf_s, pdf = timed(lambda: rendering.render_pdf(html), args.repeat)
    csv_s, csv = timed(lambda: rendering.render_csv(document), args.repeat)
    xlsx_s, xlsx = timed(lambda: rendering.render_xlsx(document), args.repeat)
    run = ReportRun(kind=ReportKind.CORESPONDER, period=period, scope=args.scope)  # unsaved
    build_s, _ = timed(lambda: builders.build(run), args.repeat)

    def median(times: list[float]) -> float:
        return statistics.median(times)

    scope = args.scope or "program-wide"
    print(
        f"\nco-responder report, {scope}, {period:%B %Y}: {encounters:,} encounters that month "
        f"of {Encounter.objects.count():,}; median of {args.repeat} runs after a warm-up\n"
    )
    header = f"{'part':<44} {'median ms':>9} {'min ms':>9} {'max ms':>9}  note"
    print(header)
    print("-" * len(header))
    print(line("report figures (builders.document_for)", figures_s))
    print(
        line(
            "raw SQL aggregate, the same month",
            raw_month_s,
            f"figures / raw = {median(figures_s) / median(raw_month_s):.2f}",
        )
    )
    print(
        line(
            "raw SQL, the builder's 4 windows",
            raw_windows_s,
            f"figures / raw = {median(figures_s) / median(raw_windows_s):.2f} "
            "(month, month before, year to date, 12 months)",
        )
    )
    print(line("HTML (render_html)", html_s, f"{len(html.encode()) / 1024:.0f} KiB"))
    print(line("PDF (render_pdf, WeasyPrint)", pdf_s, f"{len(pdf) / 1024:.0f} KiB"))
    print(line("CSV (render_csv)", csv_s, f"{len(csv) / 1024:.1f} KiB"))
    print(line("XLSX (render_xlsx)", xlsx_s, f"{len(xlsx) / 1024:.1f} KiB"))
    total = median(build_s)
    print(
        line(
            "whole build (builders.build: all of the above)",
            build_s,
            f"figures {median(figures_s) / total:.0%}, PDF {median(pdf_s) / total:.0%}",
        )
    )
    return 0


def main() -> int:
    args = parse_args()
    try:
        return run(args)
    except BenchError as exc:
        print(f"bench/report_build.py: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
