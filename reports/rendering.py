"""A report's content as tables and charts, written out as HTML, PDF, CSV and XLSX.

The builders (reports.builders) fill a Document with the figures; this module only lays
them out. Every format shows the same tables: the HTML page and the PDF print them (one
template, templates/reports/report.html), the CSV file flattens them into one table of
section, measure, column, value and unit, and the XLSX workbook has one sheet per table.

Each cell keeps its raw value (for CSV/XLSX: a number, or empty when there is none) and
the text shown on the page. Text cells written to CSV/XLSX are neutralized when a
spreadsheet would read them as a formula (a leading =, +, -, @, tab or carriage return
gets a leading apostrophe), because organization names come from the database.
"""

import base64
import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from core.pdf import html_to_pdf

Number = int | float | Decimal

# The PDF's stylesheet: templates carry no <style> (the site's CSP forbids inline styles
# and tests/marc_safety checks every template), so WeasyPrint takes it as a user sheet.
# A heading never ends a page: each table's caption (its section heading) keeps to its
# header row and first row, the notes' heading to the notes, and a row is never split.
REPORT_CSS = """
@page { size: letter; margin: 0.6in 0.6in 0.7in;
  @bottom-left { content: string(report-title); font-size: 8pt; color: #5c6670; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
    color: #5c6670; } }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b232b;
  font-size: 9.5pt; line-height: 1.35; margin: 0; }
.report-issuer { color: #0b3a5b; font-weight: bold; letter-spacing: 0.06em;
  text-transform: uppercase; font-size: 8.5pt; margin: 0; }
h1 { color: #0b3a5b; font-size: 18pt; margin: 0.05in 0 0.05in; string-set: report-title content(); }
.report-meta { color: #3d4650; margin: 0 0 0.2in; }
h2 { color: #0b3a5b; font-size: 12pt; margin: 0.25in 0 0.08in; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0 0 0.1in; break-inside: auto; }
caption { text-align: left; font-weight: bold; color: #0b3a5b; padding: 0 0 0.05in;
  font-size: 11pt; break-after: avoid; }
th, td { border-bottom: 1px solid #d6dde5; padding: 0.035in 0.06in; vertical-align: top; }
thead th { border-bottom: 1.5px solid #0b3a5b; text-align: right; font-size: 8.5pt; }
thead th:first-child, tbody th { text-align: left; font-weight: normal; }
td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
.report-chart { margin: 0.1in 0 0.15in; break-inside: avoid; }
.report-chart img { width: 100%; }
.report-chart figcaption { font-size: 8.5pt; color: #3d4650; }
.report-notes { font-size: 8.5pt; color: #3d4650; margin-top: 0.2in; }
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EMPTY = "–"


# --- The content -------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: Number | None  # raw figure for CSV/XLSX; None when there is none
    text: str  # as shown on the page
    unit: str = "count"


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]  # headings of the value columns
    rows: list[Row] = field(default_factory=list)
    label_heading: str = "Measure"


@dataclass(frozen=True)
class Chart:
    title: str
    description: str  # the text alternative
    svg: str

    @property
    def data_uri(self) -> str:
        encoded = base64.b64encode(self.svg.encode()).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


@dataclass(frozen=True)
class Document:
    title: str
    period: dt.date
    scope_label: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return f"{self.period:%B %Y}"


# --- Cells -------------------------------------------------------------------------------


def count(value: int | None) -> Cell:
    if value is None:
        return Cell(None, EMPTY)
    return Cell(value, f"{value:,}")


def percent(fraction: float | None) -> Cell:
    """A share as a percentage: the CSV holds 42.5 for 42.5 %."""
    if fraction is None:
        return Cell(None, EMPTY, "percent")
    return Cell(round(fraction * 100, 1), f"{fraction:.1%}", "percent")


def minutes(value: int | None) -> Cell:
    if value is None:
        return Cell(None, EMPTY, "minutes")
    hours, rest = divmod(value, 60)
    return Cell(value, f"{hours:,} h {rest} min" if hours else f"{rest} min", "minutes")


def hours(value: Decimal | None) -> Cell:
    if value is None:
        return Cell(None, EMPTY, "hours")
    return Cell(value, f"{value.normalize():,f}", "hours")


def duration(value: dt.timedelta | None) -> Cell:
    """A waiting time: the CSV holds whole minutes, the page shows hours and minutes."""
    if value is None:
        return Cell(None, EMPTY, "minutes")
    return minutes(round(value.total_seconds() / 60))


def change(current: Cell, previous: Cell) -> Cell:
    """The change from the previous figure: a difference, in points for percentages."""
    if current.value is None or previous.value is None:
        return Cell(None, EMPTY, current.unit)
    difference = current.value - previous.value
    if current.unit == "percent":
        difference = round(difference, 1)
        text = f"{difference:+.1f} pts" if difference else "0 pts"
        return Cell(difference, text.replace("-", "−"), "percent points")
    if current.unit == "minutes":
        text = minutes(abs(difference)).text
    elif current.unit == "hours":
        text = hours(abs(difference)).text
    else:
        text = f"{abs(difference):,}"
    sign = "+" if difference > 0 else "−" if difference < 0 else ""
    return Cell(difference, f"{sign}{text}", current.unit)


# --- Formats -------------------------------------------------------------------------------


def neutralize(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _plain(value):
    return neutralize(value) if isinstance(value, str) else value


def render_html(document: Document, *, standalone: bool = True) -> str:
    """The report as HTML: a whole document (stored, printed) or the body alone (a page)."""
    return render_to_string(
        "reports/report.html",
        {"document": document, "standalone": standalone, "generated_at": timezone.now()},
    )


def render_pdf(html: str) -> bytes:
    """The report as a tagged PDF (core.pdf), for screen readers as much as for print."""
    return html_to_pdf(html, stylesheet=REPORT_CSS)


CSV_HEADER = ["section", "measure", "column", "value", "unit"]


def render_csv(document: Document) -> bytes:
    """Every figure as one flat table: section, measure, column, value, unit."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for table in document.tables:
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                value = "" if cell.value is None else cell.value
                writer.writerow(
                    [_plain(table.title), _plain(row.label), _plain(column), value, cell.unit]
                )
    return buffer.getvalue().encode("utf-8-sig")  # with a BOM: Excel then reads UTF-8


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip(" '") or "Sheet"
    name, n = cleaned[:31], 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def render_xlsx(document: Document) -> bytes:
    """The same tables as the CSV file, one sheet each, figures as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in document.tables:
        sheet = workbook.create_sheet(sheet_title(table.title, taken))
        sheet.append([_plain(table.label_heading), *(_plain(c) for c in table.columns)])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values = [None if c.value is None else c.value for c in row.cells]
            sheet.append([_plain(row.label), *values])
            for excel_cell, cell in zip(sheet[sheet.max_row][1:], row.cells, strict=True):
                if cell.unit == "percent":
                    excel_cell.number_format = "0.0"
        sheet.column_dimensions["A"].width = max(
            [len(table.label_heading), *(len(r.label) for r in table.rows)], default=10
        )
        for index in range(len(table.columns)):
            letter = sheet.cell(row=1, column=index + 2).column_letter
            sheet.column_dimensions[letter].width = max(12, len(table.columns[index]) + 2)
    if not workbook.sheetnames:
        workbook.create_sheet("Report")
    workbook.properties.title = document.title
    workbook.properties.creator = "MARC Safety Portal"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
