"""The monthly reports pages: who sees which run, downloads, rebuilds, subscriptions.

Runs are made here with their files (ContentFile) and status done, so these tests do not
depend on the report builders.
"""

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from reports import tasks
from reports.models import ReportKind, ReportRun, RunStatus, Subscription

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
APRIL = dt.date(2025, 4, 1)
LIST = "/staff/reports/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_run(kind=ReportKind.CORESPONDER, *, scope="", period=MARCH, version=1, **fields):
    status = fields.pop("status", RunStatus.DONE)
    run = ReportRun.objects.create(
        kind=kind, scope=scope, period=period, version=version, status=status, **fields
    )
    if status == RunStatus.DONE:
        store_files(run)
    return run


def store_files(run: ReportRun) -> None:
    """What a finished build leaves: four files, a checksum, status done."""
    base = (
        f"{run.kind}-{run.scope.replace(':', '-') or 'program'}-{run.period:%Y-%m}-v{run.version}"
    )
    label = f"{run.kind} {run.scope or 'program'} {run.period:%Y-%m} v{run.version}"
    html = (
        f"<html><head><style>p{{}}</style></head><body><h2>{label}</h2>"
        f"<p>Figures of {label}</p><script>alert(1)</script></body></html>"
    )
    run.html_file.save(f"{base}.html", ContentFile(html.encode()), save=False)
    run.pdf_file.save(f"{base}.pdf", ContentFile(b"%PDF-1.4\n% " + label.encode()), save=False)
    run.csv_file.save(f"{base}.csv", ContentFile(f"label\r\n{label}\r\n".encode()), save=False)
    run.xlsx_file.save(f"{base}.xlsx", ContentFile(b"PK\x03\x04 " + label.encode()), save=False)
    run.checksum = f"{run.version:064d}"
    run.status = RunStatus.DONE
    run.finished_at = dt.datetime(2025, 4, 1, 7, tzinfo=dt.UTC)
    run.save()


@pytest.fixture
def runs(db):
    """March 2025: program-wide and two agencies' co-responder reports, and one of each
    other kind."""
    return {
        "program": make_run(),
        "lees": make_run(scope="agency:lees-summit"),
        "blue": make_run(scope="agency:blue-springs"),
        "provider": make_run(scope="provider:rediscover"),
        "peer": make_run(ReportKind.PEERSUPPORT),
        "training": make_run(ReportKind.TRAINING),
        "summary": make_run(ReportKind.SUMMARY),
    }


def detail(run) -> str:
    return f"/staff/reports/{run.pk}/"


# --- Who sees what ---------------------------------------------------------------------

VISIBLE = {
    "program_manager": {"program", "lees", "blue", "provider", "peer", "training", "summary"},
    "lees_summit_liaison": {"lees"},
    "training_coordinator": {"training"},
    "peer_coordinator": {"peer"},
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_role_opens_only_its_reports_and_gets_404_for_the_others(
    who, runs, staff_client, request
):
    client = staff_client(request.getfixturevalue(who))
    for name, run in runs.items():
        expected = 200 if name in VISIBLE[who] else 404
        assert client.get(detail(run)).status_code == expected, (who, name)
        assert client.get(f"{detail(run)}pdf/").status_code == expected, (who, name)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_the_list_links_only_the_reports_the_user_may_open(who, runs, staff_client, request):
    page = staff_client(request.getfixturevalue(who)).get(LIST).content.decode()
    for name, run in runs.items():
        assert (f'href="{detail(run)}"' in page) == (name in VISIBLE[who]), (who, name)


def test_liaison_is_denied_other_agencies_and_program_wide_reports_and_it_is_audited(
    runs, lees_summit_liaison, staff_client
):
    client = staff_client(lees_summit_liaison)
    assert client.get(detail(runs["blue"])).status_code == 404
    assert client.get(detail(runs["program"])).status_code == 404
    assert client.get(f"{detail(runs['program'])}csv/").status_code == 404
    denied = AuditEvent.objects.filter(
        actor_id=lees_summit_liaison.pk,
        action=AuditAction.PERMISSION_DENIED,
        object_type="reports.reportrun",
    )
    assert denied.count() == 3


def test_liaison_without_an_agency_sees_no_reports(runs, make_staff, staff_client):
    nowhere = make_staff(roles=[Role.AGENCY_LIAISON])
    client = staff_client(nowhere)
    assert client.get(LIST).status_code == 200
    assert client.get(detail(runs["lees"])).status_code == 404


def test_staff_without_a_reporting_role_get_403(runs, make_staff, staff_client):
    clinician = make_staff(roles=[Role.CORESPONDER_CLINICIAN])
    client = staff_client(clinician)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(runs["program"])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(runs, client):
    for url in (LIST, detail(runs["program"]), f"{detail(runs['program'])}pdf/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/?next=")
    assert client.post(f"{detail(runs['program'])}rebuild/").status_code == 302
    assert ReportRun.objects.count() == len(runs)


def test_staff_without_two_factor_are_sent_to_sign_in(runs, make_staff, client):
    client.force_login(make_staff(roles=[Role.PROGRAM_MANAGER]))
    assert client.get(LIST)["Location"].startswith("/account/login/")


# --- The pages -------------------------------------------------------------------------


def test_list_groups_reports_by_month_newest_first(runs, program_manager, staff_client):
    make_run(ReportKind.TRAINING, period=APRIL)
    page = staff_client(program_manager).get(LIST).content.decode()
    assert page.index("April 2025") < page.index("March 2025")
    assert "Lee&#x27;s Summit Police Department" in page


def test_detail_shows_the_stored_report_inside_the_page_without_its_scripts_or_styles(
    runs, program_manager, staff_client
):
    response = staff_client(program_manager).get(detail(runs["lees"]))
    page = response.content.decode()
    assert "<p>Figures of coresponder agency:lees-summit 2025-03 v1</p>" in page
    assert "alert(1)" not in page
    assert "p{}" not in page
    assert response["Cache-Control"] == "no-store"


def test_viewing_and_downloading_are_audited(runs, lees_summit_liaison, staff_client):
    client = staff_client(lees_summit_liaison)
    client.get(detail(runs["lees"]))
    client.get(f"{detail(runs['lees'])}xlsx/")
    reads = AuditEvent.objects.filter(
        actor_id=lees_summit_liaison.pk, action=AuditAction.VIEW, object_id=str(runs["lees"].pk)
    )
    assert reads.count() == 2
    assert {event.detail.get("format") for event in reads} == {None, "xlsx"}


@pytest.mark.parametrize(
    ("fmt", "content_type", "start"),
    [
        ("pdf", "application/pdf", b"%PDF-1.4"),
        ("csv", "text/csv; charset=utf-8", b"label\r\n"),
        ("xlsx", XLSX, b"PK\x03\x04"),
        ("html", "text/html; charset=utf-8", b"<html>"),
    ],
)
def test_downloads_have_their_content_type_and_a_named_attachment(
    fmt, content_type, start, runs, program_manager, staff_client
):
    response = staff_client(program_manager).get(f"{detail(runs['lees'])}{fmt}/")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="coresponder-agency-lees-summit-2025-03-v1.{fmt}"'
    )
    assert b"".join(response.streaming_content).startswith(start)


def test_unknown_format_and_unfinished_runs_have_no_download(runs, program_manager, staff_client):
    client = staff_client(program_manager)
    assert client.get(f"{detail(runs['lees'])}docx/").status_code == 404
    pending = make_run(ReportKind.TRAINING, period=APRIL, status=RunStatus.PENDING)
    assert client.get(f"{detail(pending)}pdf/").status_code == 404
    assert client.get(detail(pending)).status_code == 200


def test_failed_build_shows_its_error_to_program_managers_only(
    runs, program_manager, training_coordinator, staff_client
):
    make_run(
        ReportKind.TRAINING,
        version=2,
        status=RunStatus.FAILED,
        error="ValueError('no events table')",
    )
    page = staff_client(program_manager).get(LIST).content.decode()
    assert "Version 2 failed" in page
    assert "ValueError(&#x27;no events table&#x27;)" in page
    page = staff_client(training_coordinator).get(LIST).content.decode()
    assert "Version 2 failed" in page
    assert "no events table" not in page
    assert "Program managers can see why" in page


def test_build_in_progress_is_shown_with_its_status(runs, peer_coordinator, staff_client):
    make_run(ReportKind.PEERSUPPORT, version=2, status=RunStatus.RUNNING)
    page = staff_client(peer_coordinator).get(LIST).content.decode()
    assert "Being built" in page
    assert "Version 2, requested" in page


def test_list_queries_do_not_grow_with_the_number_of_reports(
    runs, program_manager, staff_client, django_assert_max_num_queries
):
    client = staff_client(program_manager)
    for version in (2, 3):
        make_run(scope="agency:lees-summit", version=version)
    # A program manager's page also reads which past months have figures (six queries).
    with django_assert_max_num_queries(18):
        assert client.get(LIST).status_code == 200


# --- Rebuild ---------------------------------------------------------------------------

# The answer of the confirmation page (core.confirm); tests/reports/test_rebuild_confirm.py
# checks the page itself.
CONFIRMED = {"confirmed": "yes"}


def test_rebuild_makes_version_2_queues_it_and_keeps_version_1_in_the_history(
    runs, program_manager, staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.build_run, "delay", queued.append)
    client = staff_client(program_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{detail(runs['lees'])}rebuild/", CONFIRMED)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}#r-2025-03-coresponder-agency-lees-summit"
    new = ReportRun.objects.get(kind="coresponder", scope="agency:lees-summit", version=2)
    assert new.status == RunStatus.PENDING
    assert new.requested_by == program_manager
    assert queued == [new.pk]

    page = client.get(LIST).content.decode()
    card = page.split('id="r-2025-03-coresponder-agency-lees-summit"')[1].split(
        'class="card mb-3"'
    )[0]
    assert "Version 2, requested" in card
    assert "Rebuild" not in card  # not while version 2 waits for a worker

    # The build finishes: version 2 is current and version 1 stays in the history.
    store_files(new)
    page = client.get(LIST).content.decode()
    assert "Version 2, built" in page
    assert "Earlier versions (1)" in page
    assert f'href="{detail(new)}pdf/"' in page
    assert f'href="{detail(runs["lees"])}pdf/"' in page
    assert runs["lees"].checksum in page
    assert "Version 2 is the current one" in client.get(detail(runs["lees"])).content.decode()


def test_rebuild_while_a_build_waits_queues_no_second_version(
    runs, program_manager, staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.build_run, "delay", lambda run_id: None)
    client = staff_client(program_manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{detail(runs['peer'])}rebuild/", CONFIRMED)
        client.post(f"{detail(runs['peer'])}rebuild/", CONFIRMED)
    assert ReportRun.objects.filter(kind="peersupport").count() == 2


def test_rebuild_survives_a_broker_that_is_down(
    runs, program_manager, staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(run_id):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.build_run, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client(program_manager).post(
            f"{detail(runs['summary'])}rebuild/", CONFIRMED
        )
    assert response.status_code == 302
    assert ReportRun.objects.get(kind="summary", version=2).status == RunStatus.PENDING


@pytest.mark.parametrize("who", ["lees_summit_liaison", "training_coordinator", "peer_coordinator"])
def test_only_program_managers_rebuild(who, runs, staff_client, request):
    client = staff_client(request.getfixturevalue(who))
    own = {
        "lees_summit_liaison": "lees",
        "training_coordinator": "training",
        "peer_coordinator": "peer",
    }
    assert client.post(f"{detail(runs[own[who]])}rebuild/").status_code == 403
    assert "Rebuild" not in client.get(LIST).content.decode()
    assert ReportRun.objects.count() == len(runs)


def test_rebuild_is_post_only(runs, program_manager, staff_client):
    assert staff_client(program_manager).get(f"{detail(runs['lees'])}rebuild/").status_code == 405


# --- Subscriptions ---------------------------------------------------------------------


def test_subscription_toggles_on_and_off(runs, peer_coordinator, staff_client):
    client = staff_client(peer_coordinator)
    page = client.get(LIST).content.decode()
    assert 'value="peersupport"' in page
    assert 'value="training"' not in page

    response = client.post("/staff/reports/emails/", {"kinds": ["peersupport"]})
    assert response.status_code == 302
    assert list(Subscription.objects.values_list("user_id", "kind")) == [
        (peer_coordinator.pk, "peersupport")
    ]
    assert 'value="peersupport" id="kind-peersupport" checked' in client.get(LIST).content.decode()

    client.post("/staff/reports/emails/", {})
    assert not Subscription.objects.exists()


def test_subscription_ignores_kinds_the_user_may_not_see(runs, lees_summit_liaison, staff_client):
    client = staff_client(lees_summit_liaison)
    client.post("/staff/reports/emails/", {"kinds": ["coresponder", "summary", "training"]})
    assert list(Subscription.objects.values_list("kind", flat=True)) == ["coresponder"]


def test_staff_landing_page_lists_monthly_reports_for_report_roles(
    lees_summit_liaison, make_staff, staff_client
):
    assert "/staff/reports/" in staff_client(lees_summit_liaison).get("/staff/").content.decode()
    clinician = make_staff(roles=[Role.CORESPONDER_CLINICIAN])
    assert "/staff/reports/" not in staff_client(clinician).get("/staff/").content.decode()
