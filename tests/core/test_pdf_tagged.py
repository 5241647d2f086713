"""The portal's PDFs are tagged (PDF/UA-1), so a screen reader gets headings and tables.

A monthly report (built by reports.builders) and a certificate of attendance
(training.certificates) are printed through core.pdf and read back with pypdf: the
catalog says the PDF is marked, names its language and shows its title rather than its
file name; the structure tree has the headings in order, the tables with their header
cells linked to each data cell, and the chart with its text alternative.
"""

import datetime as dt
import io
import logging
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from reports import builders
from reports.models import ReportRun
from tests.training.factories import EventFactory, RegistrationFactory
from training.certificates import certificate_for, certificate_pdf
from training.models import RegistrationStatus

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2025, 4, 2, 9, 0, tzinfo=CHICAGO)


def structure(pdf: bytes) -> tuple[dict, list[dict]]:
    """The PDF's catalog and its structure elements in reading order."""
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    elements = []

    def visit(node):
        node = node.get_object()
        if not hasattr(node, "get"):
            return  # a marked-content number: the text itself
        if "/S" in node:
            elements.append(node)
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            visit(kid)

    visit(catalog["/StructTreeRoot"])
    return catalog, elements


def tags(elements: list[dict]) -> list[str]:
    return [element["/S"][1:] for element in elements]


def assert_tagged_with_title(pdf: bytes, title: str) -> list[dict]:
    catalog, elements = structure(pdf)
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert catalog["/Lang"] == "en"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert PdfReader(io.BytesIO(pdf)).metadata.title == title
    return elements


def assert_headings_in_order(elements: list[dict]) -> None:
    levels = [int(tag[1]) for tag in tags(elements) if tag in {"H1", "H2", "H3", "H4"}]
    assert levels[0] == 1
    assert all(later <= earlier + 1 for earlier, later in pairwise(levels)), levels


def assert_data_cells_name_their_headers(elements: list[dict]) -> None:
    header_ids = {element["/ID"] for element in elements if element["/S"] == "/TH"}
    cells = [element for element in elements if element["/S"] == "/TD"]
    assert cells
    for cell in cells:
        headers = cell["/A"]["/Headers"]
        assert headers and set(headers) <= header_ids


@time_machine.travel(NOW, tick=False)
def test_a_monthly_report_pdf_has_headings_tables_and_a_described_chart(caplog):
    run = ReportRun(kind="coresponder", period=dt.date(2025, 3, 1), scope="")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        built = builders.build(run)
    assert not caplog.records, "WeasyPrint reported something PDF/UA lacks"

    elements = assert_tagged_with_title(
        built.pdf, "Co-responder program monthly report, March 2025"
    )
    assert_headings_in_order(elements)
    assert {"H1", "Table", "Caption", "THead", "TH", "TD"} <= set(tags(elements))
    assert_data_cells_name_their_headers(elements)
    (figure,) = [element for element in elements if element["/S"] == "/Figure"]
    assert figure["/Alt"].startswith("Bar chart of")


@time_machine.travel(NOW, tick=False)
def test_a_certificate_pdf_has_its_heading_and_a_table_with_row_headers(caplog):
    event = EventFactory(
        title="Crisis intervention for call-takers",
        starts_at=NOW - dt.timedelta(days=2),
        ends_at=NOW - dt.timedelta(days=2) + dt.timedelta(minutes=100),
        ce_category="technical",
    )
    registration = RegistrationFactory(
        event=event, name="Dana Dispatcher", status=RegistrationStatus.ATTENDED
    )
    certificate = certificate_for(registration)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = certificate_pdf(certificate)
    assert not caplog.records, "WeasyPrint reported something PDF/UA lacks"

    elements = assert_tagged_with_title(pdf, f"Certificate of attendance {certificate.code}")
    assert_headings_in_order(elements)
    assert {"H1", "Table", "TH", "TD"} <= set(tags(elements))
    assert_data_cells_name_their_headers(elements)
