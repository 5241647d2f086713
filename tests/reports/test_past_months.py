"""Reports for past months, on demand: a program manager builds a kind (or all kinds) for a
month or a range of months from /staff/reports/, and sees the past months that have
figures but no report yet.

The clock is April 15, 2026 (Central time): March 2026 is the last month that is over.
Builds are counted by the tasks queued when the request commits (Celery runs eagerly in
tests, so the callbacks are counted, not run, except where a test says so).
"""

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from coresponder.dictionary import AGENCIES, PROVIDERS
from coresponder.models import MonthlyCallVolume
from reports import selectors, services
from reports.models import ReportKind, ReportRun, RunStatus
from tests.coresponder.factories import encounter, org
from tests.peersupport.factories import submitted_request
from tests.training.factories import EventFactory
from training.models import EventStatus

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=CHICAGO)
LIST = "/staff/reports/"
BUILD = "/staff/reports/build/"
PROGRESS = "/staff/reports/progress/"
CORESPONDER_REPORTS = 1 + len(AGENCIES) + len(PROVIDERS)  # program-wide, agencies, providers
REPORTS_PER_MONTH = CORESPONDER_REPORTS + 3  # and peer support, training, summary


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def month(text: str) -> dt.date:
    return dt.date.fromisoformat(f"{text}-01")


def build(by, kinds=ReportKind.values, start="2025-01", end=None, **kwargs):
    return services.report_months_build(
        kinds=kinds, start=month(start), end=month(end or start), by=by, **kwargs
    )


# --- The service -------------------------------------------------------------------------


def test_a_range_makes_one_run_per_kind_month_and_scope_queued_once_committed(
    program_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        outcome = build(program_manager, start="2025-01", end="2025-03", ip="198.51.100.7")

    runs = ReportRun.objects.all()
    assert runs.count() == 3 * REPORTS_PER_MONTH
    keys = set(runs.values_list("kind", "period", "scope"))
    assert len(keys) == runs.count()  # exactly one per report
    assert {period for _, period, _ in keys} == {
        month("2025-01"),
        month("2025-02"),
        month("2025-03"),
    }
    assert {scope for kind, _, scope in keys if kind == "coresponder"} == set(
        services.scopes_for("coresponder")
    )
    assert set(runs.values_list("version", "status", "requested_by")) == {
        (1, RunStatus.PENDING, program_manager.pk)
    }
    assert len(outcome.queued) == len(queued) == runs.count()
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="reports.reportrun")
    assert created.count() == runs.count()
    assert set(created.values_list("actor_id", "ip_address")) == {
        (program_manager.pk, "198.51.100.7")
    }


def test_asking_again_queues_nothing_and_counts_what_is_already_on_its_way(
    program_manager, django_capture_on_commit_callbacks
):
    build(program_manager, kinds=["training", "peersupport"], start="2025-01", end="2025-02")

    with django_capture_on_commit_callbacks() as queued:
        again = build(
            program_manager, kinds=["training", "peersupport"], start="2025-01", end="2025-02"
        )

    assert queued == [] and again.queued == []
    assert (again.building, again.ready, again.failed) == (4, 0, 0)
    assert ReportRun.objects.count() == 4


def test_finished_and_failed_reports_are_left_alone_and_only_missing_ones_are_made(
    program_manager,
):
    done = ReportRun.objects.create(kind="training", period=month("2025-02"), status="done")
    ReportRun.objects.create(kind="training", period=month("2025-03"), status="failed")
    # A rebuild of a finished report is on its way: the report is building, not ready.
    ReportRun.objects.create(kind="summary", period=month("2025-02"), status="done")
    ReportRun.objects.create(kind="summary", period=month("2025-02"), version=2)

    outcome = build(program_manager, kinds=["training", "summary"], start="2025-01", end="2025-03")

    assert (outcome.building, outcome.ready, outcome.failed) == (1, 1, 1)
    assert {(r.kind, r.period) for r in outcome.queued} == {
        ("training", month("2025-01")),
        ("summary", month("2025-01")),
        ("summary", month("2025-03")),
    }
    assert ReportRun.objects.filter(kind="training", period=month("2025-02")).get() == done
    assert ReportRun.objects.filter(kind="training", period=month("2025-03")).count() == 1


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        ("2026-04", "2026-04", "start", "April 2026 is not over yet"),
        ("2026-03", "2026-04", "end", "April 2026 is not over yet"),
        ("2026-06", "2026-06", "start", "June 2026 has not come yet"),
        ("2025-05", "2025-02", "end", "“To” (February 2025) comes before “From” (May 2025)"),
        ("2022-01", "2025-01", "end", "That is 37 months. Build at most 36 months at a time"),
    ],
)
def test_the_service_refuses_months_that_are_not_over_reversed_or_too_many(
    start, end, field, words, program_manager, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as queued,
        pytest.raises(services.BuildRefused) as refused,
    ):
        build(program_manager, start=start, end=end)
    assert words in refused.value.message and refused.value.field == field
    assert queued == [] and not ReportRun.objects.exists()


def test_thirty_six_months_are_allowed_and_unknown_kinds_are_refused(program_manager):
    assert (
        len(build(program_manager, kinds=["training"], start="2023-01", end="2025-12").queued) == 36
    )
    for kinds in ([], ["training", "budget"]):
        with pytest.raises(services.BuildRefused):
            build(program_manager, kinds=kinds, start="2020-01")
    assert ReportRun.objects.count() == 36


def test_a_queued_report_is_really_built(program_manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (run,) = build(program_manager, kinds=["training"], start="2025-03").queued
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.pdf_file.name.endswith("training-program-2025-03-v1.pdf")


# --- Months with figures and no report -----------------------------------------------------


@pytest.fixture
def figures():
    """Training held in February 2025 (and one cancelled in January, which does not count);
    a peer support request submitted in February 2025; co-responder encounters in March
    2025 and call volume for December 2024; and figures of the current month (not listed)."""
    EventFactory(starts_at=dt.datetime(2025, 2, 28, 23, 30, tzinfo=CHICAGO))  # UTC: March 1st
    EventFactory(
        starts_at=dt.datetime(2025, 1, 10, 9, tzinfo=CHICAGO), status=EventStatus.CANCELLED
    )
    EventFactory(starts_at=dt.datetime(2026, 4, 2, 9, tzinfo=CHICAGO))
    with time_machine.travel(dt.datetime(2025, 2, 12, 8, tzinfo=CHICAGO)):
        submitted_request()
    encounter(date="2025-03-03")
    MonthlyCallVolume.objects.create(agency=org("blue-springs"), month=month("2024-12"), mh_calls=9)


def rows() -> list[tuple[str, str, str]]:
    return [
        (r.kind, f"{r.period:%Y-%m}", f"{r.missing}/{r.reports}")
        for r in selectors.unbuilt_reports()
    ]


def test_past_months_with_figures_and_no_report_are_listed_newest_first(figures):
    everything = f"{CORESPONDER_REPORTS}/{CORESPONDER_REPORTS}"
    assert rows() == [
        ("coresponder", "2025-03", everything),
        ("summary", "2025-03", "1/1"),
        ("peersupport", "2025-02", "1/1"),
        ("training", "2025-02", "1/1"),
        ("summary", "2025-02", "1/1"),
        ("coresponder", "2024-12", everything),
        ("summary", "2024-12", "1/1"),
    ]


def test_a_month_drops_off_the_list_once_built_and_a_new_scope_shows_as_missing(
    figures, program_manager
):
    build(program_manager, kinds=["peersupport", "training"], start="2025-02")
    ReportRun.objects.create(kind="coresponder", period=month("2025-03"), scope="")
    listed = rows()
    assert ("training", "2025-02", "1/1") not in listed
    assert ("peersupport", "2025-02", "1/1") not in listed
    missing = f"{CORESPONDER_REPORTS - 1}/{CORESPONDER_REPORTS}"
    assert ("coresponder", "2025-03", missing) in listed


# --- The page ------------------------------------------------------------------------------


def test_manager_builds_a_range_from_the_page_and_a_second_submit_says_nothing_was_queued(
    program_manager, staff_client, django_capture_on_commit_callbacks
):
    client = staff_client(program_manager)
    form = {"kind": "all", "start": "2025-01", "end": "2025-03"}
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(BUILD, form, follow=True)
    total = 3 * REPORTS_PER_MONTH
    assert len(queued) == ReportRun.objects.count() == total
    page = response.content.decode()
    assert response.redirect_chain == [(f"{LIST}#month-2025-03", 302)]
    assert f"{total} reports for January 2025 to March 2025 were queued to be built" in page
    assert page.count('data-run-status="pending"') == total
    assert "report-progress.js" in page

    with django_capture_on_commit_callbacks() as queued:
        page = client.post(BUILD, form, follow=True).content.decode()
    assert queued == [] and ReportRun.objects.count() == total
    assert "No new report was queued for January 2025 to March 2025." in page
    assert f"{total} reports were waiting or being built already, and not queued again." in page


def test_a_finished_report_is_not_rebuilt_from_the_form_and_the_page_points_to_rebuild(
    program_manager, staff_client
):
    ReportRun.objects.create(kind="training", period=month("2025-03"), status="done")
    form = {"kind": "training", "start": "2025-03"}
    page = staff_client(program_manager).post(BUILD, form, follow=True).content.decode()
    assert "No new Training calendar report was queued for March 2025." in page
    assert (
        "1 Training calendar report was built already and left as it is; for a new version, "
        "use the report&#x27;s Rebuild button." in page
    )
    assert ReportRun.objects.count() == 1


def test_the_redirect_opens_the_page_of_the_list_that_shows_the_month(
    program_manager, staff_client
):
    for n in range(1, 10):
        ReportRun.objects.create(kind="training", period=month(f"2025-{n:02}"), status="done")
    response = staff_client(program_manager).post(BUILD, {"kind": "summary", "start": "2025-02"})
    assert response["Location"] == f"{LIST}?page=2#month-2025-02"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "all", "start": "2026-05"}, "May 2026 has not come yet."),
        ({"kind": "all", "start": "2026-04"}, "April 2026 is not over yet."),
        (
            {"kind": "training", "start": "2025-06", "end": "2025-01"},
            "“To” (January 2025) comes before “From” (June 2025).",
        ),
        (
            {"kind": "all", "start": "2020-01", "end": "2024-12"},
            "That is 60 months. Build at most 36 months at a time, for example 2020-01 to "
            "2022-12, then the rest.",
        ),
        ({"kind": "all", "start": "last spring"}, "Write the month as YYYY-MM (2025-03)."),
        ({"kind": "all", "start": "2025-13"}, "2025-13 does not exist"),
        ({"kind": "all", "start": "2025-01", "end": "soon"}, "Write the month as YYYY-MM"),
        ({"kind": "all", "start": ""}, "Enter the first month to build, written YYYY-MM."),
        ({"kind": "budget", "start": "2025-01"}, "Choose which reports to build from the list."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_keeps_what_was_typed(
    form, message, program_manager, staff_client
):
    response = staff_client(program_manager).post(BUILD, form)
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert message in page
    assert "Nothing was queued." in page
    for name in ("start", "end"):
        if form.get(name):
            assert f'name="{name}" value="{form[name]}"' in page
    if form["kind"] in ReportKind.values:
        assert f'<option value="{form["kind"]}" selected>' in page
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("who", ["lees_summit_liaison", "training_coordinator", "peer_coordinator"])
def test_only_program_managers_build_past_months(who, staff_client, request, figures):
    client = staff_client(request.getfixturevalue(who))
    response = client.post(BUILD, {"kind": "training", "start": "2025-02"})
    assert response.status_code == 403
    assert not ReportRun.objects.exists()
    page = client.get(LIST).content.decode()
    assert "Build reports for past months" not in page and BUILD not in page
    assert "Past months with figures" not in page
    assert "a program manager can build the reports of earlier months" in page
    denied = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED)
    assert denied.filter(path=BUILD).count() == 1


def test_visitors_who_are_not_signed_in_cannot_build(client, make_staff, staff_client):
    response = client.post(BUILD, {"kind": "training", "start": "2025-02"})
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    clinician = staff_client(make_staff(roles=[Role.CORESPONDER_CLINICIAN]))
    assert clinician.post(BUILD, {"kind": "training", "start": "2025-02"}).status_code == 403
    assert not ReportRun.objects.exists()


def test_build_is_post_only(program_manager, staff_client):
    assert staff_client(program_manager).get(BUILD).status_code == 405


def test_the_list_offers_a_build_button_for_each_month_not_built_yet(
    figures, program_manager, staff_client, django_capture_on_commit_callbacks
):
    client = staff_client(program_manager)
    page = client.get(LIST).content.decode()
    assert "Past months with figures but no report yet" in page
    assert page.count('action="/staff/reports/build/" class="m-0"') == 7
    assert 'Build<span class="visually-hidden"> Training calendar, February 2025</span>' in page
    assert "No report has been built yet." in page
    assert "use “Build reports for past months” above" in page

    # The row's button sends its kind and month.
    with django_capture_on_commit_callbacks() as queued:
        client.post(BUILD, {"kind": "training", "start": "2025-02", "end": "2025-02"})
    assert len(queued) == 1
    page = client.get(LIST).content.decode()
    assert 'Build<span class="visually-hidden"> Training calendar, February 2025</span>' not in page
    assert page.count('action="/staff/reports/build/" class="m-0"') == 6


def test_progress_answers_the_status_of_the_runs_the_user_may_see(
    lees_summit_liaison, staff_client
):
    own = ReportRun.objects.create(
        kind="coresponder", period=month("2025-03"), scope="agency:lees-summit", status="running"
    )
    other = ReportRun.objects.create(kind="coresponder", period=month("2025-03"))
    client = staff_client(lees_summit_liaison)
    response = client.get(PROGRESS, {"run": [own.pk, other.pk, "x", "-1", "²", "9" * 30]})
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "runs": {str(own.pk): {"status": "running", "label": "Being built"}}
    }
    page = client.get(LIST).content.decode()
    assert f'data-run-id="{own.pk}" data-run-status="running"' in page
    assert "report-progress.js" in page


def test_no_script_is_loaded_when_nothing_is_being_built(program_manager, staff_client):
    ReportRun.objects.create(kind="training", period=month("2025-03"), status="done")
    assert "report-progress.js" not in staff_client(program_manager).get(LIST).content.decode()
