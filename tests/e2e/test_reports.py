"""Monthly reports in a real Chromium (issue 7, point 8).

A program manager signs in (two-factor), opens last month's report from the list, reads it
inside the page, downloads the PDF and the CSV file (the bytes are the stored ones), and
rebuilds it: version 2 is built (Celery is eager in tests, so reports.builders runs when the
request commits) and version 1 stays in the history. axe (WCAG 2.1 A/AA) finds nothing on
the list and the report pages, and none of them scrolls sideways at 320px.

The flush after each browser test removes the role groups and the directory, so the `site`
fixture makes them again.
"""

import datetime as dt
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import ReportKind, ReportRun, RunStatus
from reports.services import previous_month
from tests.e2e.helpers import page_problems, sign_in, submit

LIST = "/staff/reports/"
CSV = b"measure,value\r\nencounters,42\r\n"


def _pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<p>Co-responder program</p>").write_pdf()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["measure", "value"])
    book.active.append(["encounters", 42])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def report(site) -> ReportRun:
    """Last month's program-wide co-responder report, version 1, finished."""
    run = ReportRun.objects.create(
        kind=ReportKind.CORESPONDER, period=previous_month(timezone.localdate()), scope=""
    )
    html = (
        "<!doctype html><html><head><title>x</title></head><body>"
        "<h2>Encounters</h2><p>42 encounters this month.</p></body></html>"
    )
    base = f"coresponder-program-{run.period:%Y-%m}-v1"
    run.html_file.save(f"{base}.html", ContentFile(html.encode()), save=False)
    run.pdf_file.save(f"{base}.pdf", ContentFile(_pdf()), save=False)
    run.csv_file.save(f"{base}.csv", ContentFile(CSV), save=False)
    run.xlsx_file.save(f"{base}.xlsx", ContentFile(_xlsx()), save=False)
    run.status = RunStatus.DONE
    run.checksum = "a" * 64
    run.finished_at = timezone.now() - dt.timedelta(days=1)
    run.save()
    return run


def _download(page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name, exact=True).click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


def test_program_manager_reads_downloads_and_rebuilds_a_monthly_report(
    page, site, program_manager, report
):
    month = f"{report.period:%B %Y}"
    problems = []
    sign_in(page, site, program_manager)

    page.get_by_role("link", name="Monthly reports").first.click()
    assert page.url.removeprefix(site) == LIST
    assert page.get_by_role("heading", level=2, name=month).is_visible()
    problems += page_problems(page, "the list of reports")

    page.get_by_role(
        "link", name=f"View report for Co-responder program: Program-wide, {month}"
    ).click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Co-responder program: Program-wide, {month}"
    assert "42 encounters this month." in page.locator("main").inner_text()
    problems += page_problems(page, "the report page")

    name, pdf = _download(page, "PDF")
    assert name == f"coresponder-program-{report.period:%Y-%m}-v1.pdf"
    with report.pdf_file.open("rb") as stored:
        assert pdf.startswith(b"%PDF-") and pdf == stored.read()
    name, csv = _download(page, "CSV data")
    assert name.endswith(".csv") and csv == CSV

    page.set_default_timeout(60_000)  # the eager build renders a real report
    submit(page, "Rebuild this report")
    assert page.url.removeprefix(site).startswith(LIST)
    assert re.search(
        r"Version 2 of .* (is being built|is ready)", page.locator(".messages").inner_text()
    )
    rebuilt = ReportRun.objects.get(kind=report.kind, period=report.period, scope="", version=2)
    assert rebuilt.status == RunStatus.DONE, rebuilt.error
    assert ReportRun.objects.filter(pk=report.pk, status=RunStatus.DONE).exists()

    # Version 1 stays in the history, with its downloads.
    card = page.locator("li.card").filter(has_text="Co-responder program: Program-wide")
    card.locator("summary", has_text="Earlier versions (1)").click()
    history = card.locator("table").inner_text()
    assert "a" * 64 in history  # version 1's checksum
    assert card.get_by_role("link", name="PDF of version 1").is_visible()
    problems += page_problems(page, "the list after the rebuild, history open")

    # The rebuilt report (rendered by reports.builders) inside the page.
    page.goto(f"{site}/staff/reports/{rebuilt.pk}/")
    assert page.get_by_role("region", name="The report").is_visible()
    problems += page_problems(page, "the rebuilt report page")
    assert not problems, "\n\n".join(problems)
