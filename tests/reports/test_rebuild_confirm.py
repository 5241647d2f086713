"""Rebuilding a report is asked once more (core.confirm): the page says which version the
new one replaces, nothing is queued until the program manager confirms, and "Go back"
leads to where the button was."""

import pytest

from reports import tasks
from reports.models import ReportKind, ReportRun
from tests.reports.test_views import LIST, detail, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    runs: list[int] = []
    monkeypatch.setattr(tasks.build_run, "delay", runs.append)
    return runs


def test_rebuild_asks_once_more_and_says_what_is_replaced(
    program_manager, staff_client, queued, django_capture_on_commit_callbacks
):
    run = make_run(ReportKind.PEERSUPPORT)
    client = staff_client(program_manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{detail(run)}rebuild/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Rebuild 911 peer support: Program-wide for March 2025?" in page
    assert "It replaces version 1 as the current report" in page
    assert "Version 1 stays under “Earlier versions”, with its files." in page
    assert 'name="confirmed" value="yes"' in page
    assert "Rebuild the report" in page
    assert f'href="{LIST}#r-2025-03-peersupport-program"' in page  # "Go back" to the card
    assert ReportRun.objects.count() == 1 and queued == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{detail(run)}rebuild/", {"confirmed": "yes"})

    assert response.status_code == 302
    new = ReportRun.objects.get(kind=ReportKind.PEERSUPPORT, version=2)
    assert queued == [new.pk]


def test_going_back_from_the_report_page_returns_to_it(program_manager, staff_client):
    run = make_run(ReportKind.TRAINING)
    client = staff_client(program_manager)

    page = client.get(detail(run)).content.decode()
    assert 'class="actions-destructive' in page and "btn-outline-danger" in page

    response = client.post(f"{detail(run)}rebuild/", {"from": "detail"})
    assert f'href="{detail(run)}"' in response.content.decode()
    assert ReportRun.objects.count() == 1
