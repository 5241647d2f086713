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
from playwright.sync_api import expect

from core.dates import add_months, month_start
from reports import services
from reports.models import ReportKind, ReportRun, RunStatus
from reports.services import previous_month
from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    axe,
    broken_words,
    main_text,
    page_problems,
    sign_in,
    submit,
)
from tests.training.factories import EventFactory

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
    assert "Version 1 stays under “Earlier versions”" in main_text(page), "not asked once more"
    submit(page, "Rebuild the report")
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


# --- Reports for past months, on demand -----------------------------------------------------


def checked(page, where: str) -> list[str]:
    """axe (WCAG 2.1 A/AA) at 1280px and at 320px, no sideways scrolling and no button
    splitting a word at 320px."""
    problems = page_problems(page, f"{where} at 1280px")
    page.set_viewport_size(PHONE)
    try:
        problems += axe(page, f"{where} at 320px")
    finally:
        page.set_viewport_size(DESKTOP)
    broken = broken_words(page, where)
    return problems + ([broken] if broken else [])


def test_program_manager_builds_a_past_month_that_has_figures_but_no_report(
    page, site, program_manager
):
    current = month_start(timezone.localdate())
    past = add_months(current, -2)
    starts = timezone.make_aware(dt.datetime.combine(past + dt.timedelta(days=9), dt.time(10)))
    EventFactory(starts_at=starts)  # training figures two months ago, and no report
    label = f"{past:%B %Y}"
    problems = []
    sign_in(page, site, program_manager)
    page.goto(site + LIST)

    assert "No report has been built yet." in main_text(page)
    unbuilt = page.get_by_role("table", name="Reports not built yet, newest month first")
    assert "Training calendar" in unbuilt.inner_text()
    problems += checked(page, "the empty list, with the build form")

    # A month that is not over is refused, and what was typed stays in the form.
    page.get_by_role("combobox", name="Reports").select_option("training")
    page.get_by_label("From month").fill(f"{current:%Y-%m}")
    submit(page, "Build reports")
    alert = page.get_by_role("alert").inner_text()
    assert "Nothing was queued." in alert and f"{current:%B %Y} is not over yet" in alert
    assert page.get_by_label("From month").input_value() == f"{current:%Y-%m}"
    assert page.get_by_role("combobox", name="Reports").input_value() == "training"
    assert not ReportRun.objects.exists()
    problems += checked(page, "the build form with an error")

    # The row's button builds that report (Celery is eager in tests: it is built at once).
    page.set_default_timeout(60_000)
    submit(page, f"Build Training calendar, {label}")
    assert (
        f"1 Training calendar report for {label} was queued"
        in page.locator(".messages").inner_text()
    )
    run = ReportRun.objects.get(kind=ReportKind.TRAINING, period=past)
    assert run.status == RunStatus.DONE, run.error
    assert page.get_by_role(
        "link", name=f"View report for Training calendar: Program-wide, {label}"
    ).is_visible()
    assert "Training calendar" not in unbuilt.inner_text()  # the summary is still to build
    problems += checked(page, "the list after building a past month")
    assert not problems, "\n\n".join(problems)


def test_the_list_follows_a_build_as_it_goes_without_a_reload(page, site, program_manager):
    period = add_months(month_start(timezone.localdate()), -3)
    label = f"{period:%B %Y}"
    run = ReportRun.objects.create(kind=ReportKind.TRAINING, period=period)
    sign_in(page, site, program_manager)
    page.goto(site + LIST)
    status = page.locator(f'[data-run-id="{run.pk}"]')
    expect(status).to_contain_text("Waiting for a worker")
    problems = checked(page, "the list with a build waiting")

    assert services.report_run_claim(run_id=run.pk, worker="e2e-1")
    expect(status).to_contain_text("Being built", timeout=20_000)
    outcome = services.report_run_execute(run_id=run.pk, worker="e2e-2", abandoned_claim="e2e-1")
    assert outcome == "built"
    view = page.get_by_role(
        "link", name=f"View report for Training calendar: Program-wide, {label}"
    )
    expect(view).to_be_visible(timeout=20_000)
    expect(page.locator("#report-progress-news")).to_contain_text(
        f"Training calendar: Program-wide, {label}: ready"
    )
    problems += checked(page, "the list once the build is done")
    assert not problems, "\n\n".join(problems)
