"""The report PDF keeps each section heading with its table: no page ends with a heading.

The report is laid out by reports.rendering (templates/reports/report.html and REPORT_CSS)
and printed by WeasyPrint; the text of each page is read back from the PDF with pypdf.
The sections' lengths below are chosen so that, printed without the rule that keeps a
caption with its rows, several headings fall at the foot of a page.
"""

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from reports import rendering
from reports.rendering import Document, Row, Table, count

SECTION_ROWS = [7, 7, 1, 5, 9, 8, 7, 5, 8, 6, 10, 4, 9, 3, 5, 3, 2, 10, 5, 9, 12, 10, 3, 5, 2]
FOOTER = re.compile(r"Page \d+ of \d+$")


def long_report() -> Document:
    """A co-responder-like report with many sections of a few rows each (agencies)."""
    tables = [
        Table(
            f"Agency {n}, March 2025",
            ["Encounters", "On-site assessments"],
            [
                Row(f"Agency {n} week {week}", [count(week), count(2 * week)])
                for week in range(rows)
            ],
            label_heading="Week",
        )
        for n, rows in enumerate(SECTION_ROWS, start=1)
    ]
    return Document(
        title="Co-responder program monthly report",
        period=dt.date(2025, 3, 1),
        scope_label="Whole program: all agencies and providers",
        tables=tables,
        notes=["Definitions follow the co-responder data dictionary.", "A second note."],
    )


def page_lines(pdf: bytes) -> list[list[str]]:
    """Each page's lines of text, without the running footer (title and page number)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines = [line.strip() for line in page.extract_text().splitlines()]
        pages.append([line for line in lines if line and not FOOTER.search(line)])
    return pages


@pytest.fixture(scope="module")
def printed() -> tuple[Document, list[list[str]]]:
    """The long report and its PDF's lines, page by page (printed once: it takes seconds)."""
    document = long_report()
    return document, page_lines(rendering.render_pdf(rendering.render_html(document)))


def test_no_page_of_a_long_report_ends_with_a_section_heading(printed):
    document, pages = printed
    assert len(pages) >= 5
    headings = {table.title for table in document.tables} | {"Notes"}
    endings = [(number, lines[-1]) for number, lines in enumerate(pages, start=1)]
    alone = [(number, last) for number, last in endings if last in headings]
    assert not alone, f"pages ending with a heading: {alone}"

    # Each heading shares its page with its column headings and its first row.
    for table in document.tables:
        (page,) = [lines for lines in pages if table.title in lines]
        after = page[page.index(table.title) + 1 :]
        assert after[:1] == [f"Week {' '.join(table.columns)}"], table.title
        assert any(line.startswith(f"{table.rows[0].label} ") for line in after), table.title


def test_every_row_of_the_long_report_is_printed_once(printed):
    document, pages = printed
    text = [line for lines in pages for line in lines]
    for table in document.tables:
        for row in table.rows:
            printed_rows = [line for line in text if line.startswith(f"{row.label} ")]
            assert printed_rows == [f"{row.label} {' '.join(c.text for c in row.cells)}"]
