"""CSV import and export of encounters and call volume (coresponder.csvio, views.data)."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from core.dates import month_start
from coresponder import services, tasks
from coresponder.csvio import jobs, lock, upsert
from coresponder.csvio.parse import FORMULA_REASON
from coresponder.dictionary import ENCOUNTER_COLUMNS, VOLUME_COLUMNS
from coresponder.models import ClosedMonth, Encounter, ImportJob, MonthlyCallVolume
from tests.conftest import signed_in_client
from tests.coresponder.factories import clinician_for, encounter, ensure_directory, org, row

pytestmark = pytest.mark.django_db

FIELDS = [
    "encounter_id",
    "agency_id",
    "provider_id",
    "date",
    "time",
    "cad_incident",
    "referral_source",
    "contact_type",
    "concerns",
    "assessment",
    "disposition",
    "linked_to_services",
    "service_type",
    "age_group",
    "gender",
    "veteran",
    "person_key",
    "minutes",
    "use_of_force",
]


def url(name: str, **kwargs) -> str:
    return reverse(f"coresponder:data:{name}", kwargs=kwargs)


def days_ago(days: int) -> str:
    return (services.today() - dt.timedelta(days=days)).isoformat()


def closed_month() -> dt.date:
    """The month before last: ended, and never the month of a row dated days_ago(1)."""
    return month_start(month_start(services.today()) - dt.timedelta(days=35))


def csv_text(rows: list[dict], columns=ENCOUNTER_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def upload(client: Client, content: str | bytes, *, kind="encounters", name="data.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        url("import"), {"kind": kind, "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def imported(client: Client, content, **kwargs) -> ImportJob:
    response = upload(client, content, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])


def snapshot() -> dict:
    return {(e["agency_id"], e["encounter_id"]): e for e in Encounter.objects.values(*FIELDS)}


def exported(client: Client, **params) -> str:
    response = client.get(url("export"), {"kind": "encounters", **params})
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def error_places(job: ImportJob) -> list[tuple]:
    return [(e["row"], e["column"]) for e in job.errors]


VARIED = [
    {"encounter_id": "BS-1", "date": days_ago(1)},
    {
        "encounter_id": "BS-2",
        "date": days_ago(2),
        "time": "",
        "age_group": "",
        "minutes": "",
        "concerns": "substance-use;mental-health;housing",
        "linked_to_services": "yes",
        "service_type": "substance-use-treatment",
        "gender": "female",
        "veteran": "yes",
        "person_key": "pk-77",
        "use_of_force": "no",
    },
    {
        "encounter_id": "GV-1",
        "agency": "grandview",
        "provider": "burrell",
        "date": days_ago(40),
        "time": "00:05",
        "cad_incident": "CAD 2026-001",
        "referral_source": "follow-up",
        "contact_type": "phone",
        "concerns": "other",
        "assessment": "no",
        "disposition": "no-contact",
        "age_group": "65-plus",
        "gender": "another",
        "veteran": "no",
        "minutes": "0",
        "use_of_force": "yes",
    },
    {
        "encounter_id": "OG 1/7",
        "agency": "oak-grove",
        "date": days_ago(70),
        "time": "23:59",
        "referral_source": "officer-initiated",
        "concerns": "family-conflict;welfare-check;homicidal-ideation;suicidal-ideation",
        "disposition": "involuntary-hold",
        "linked_to_services": "yes",
        "service_type": "crisis-center",
        "person_key": "pk-77",
        "minutes": "1440",
    },
    {"encounter_id": "BS-1", "agency": "raytown", "provider": "burrell", "date": days_ago(5)},
    {"encounter_id": 'R,"7" x', "agency": "raytown", "cad_incident": "a;b,c", "date": days_ago(9)},
]


# --- Round trip --------------------------------------------------------------------------


def test_exporting_and_importing_again_gives_identical_records(program_manager_client):
    for overrides in VARIED:
        encounter(**overrides)
    before = snapshot()
    text = exported(program_manager_client)
    Encounter.objects.all().delete()

    job = imported(program_manager_client, text)

    assert job.status == "done", job.errors
    assert (job.created_rows, job.updated_rows) == (len(VARIED), 0)
    assert snapshot() == before
    # and the export of the import is byte for byte the same
    assert exported(program_manager_client) == text


def test_the_export_is_exactly_the_dictionary_format(program_manager_client):
    encounter(**VARIED[1])
    encounter(**VARIED[2])

    lines = exported(program_manager_client).splitlines()

    assert lines[0] == ",".join(ENCOUNTER_COLUMNS)
    assert lines[1] == (
        f"GV-1,grandview,burrell,{days_ago(40)},00:05,CAD 2026-001,follow-up,phone,other,no,"
        "no-contact,no,,65-plus,another,no,,0,yes"
    )
    assert lines[2] == (
        f"BS-2,blue-springs,rediscover,{days_ago(2)},,,911-call,on-scene,"
        "mental-health;substance-use;housing,yes,resolved-on-scene,yes,substance-use-treatment,"
        ",female,yes,pk-77,,no"
    )


def test_importing_again_updates_records_instead_of_adding_them(program_manager_client):
    rows = [row(encounter_id=f"BS-{n}", date=days_ago(n)) for n in range(1, 4)]
    first = imported(program_manager_client, csv_text(rows))
    assert (first.created_rows, first.updated_rows) == (3, 0)
    created_at = Encounter.objects.get(encounter_id="BS-2").created_at

    rows[1]["disposition"] = "referred"
    rows[1]["minutes"] = ""
    second = imported(program_manager_client, csv_text(rows))

    assert second.status == "done"
    assert (second.created_rows, second.updated_rows, second.unchanged_rows) == (0, 1, 2)
    assert Encounter.objects.count() == 3
    changed = Encounter.objects.get(encounter_id="BS-2")
    assert (changed.disposition, changed.minutes) == ("referred", None)
    assert changed.created_at == created_at
    assert Encounter.objects.get(encounter_id="BS-1").disposition == "resolved-on-scene"


# --- Errors ------------------------------------------------------------------------------


def test_every_error_of_a_file_is_listed_with_row_column_and_reason_and_nothing_is_imported(
    program_manager_client,
):
    rows = [
        row(encounter_id="ok-1", date=days_ago(1)),  # row 2
        row(encounter_id="a-1", agency="kansas-city", date=days_ago(1)),  # 3
        row(encounter_id="d-1", date=days_ago(-2), time="2:30 pm"),  # 4: two errors
        row(encounter_id="r-1", date=days_ago(1), referral_source="", concerns=""),  # 5
        row(encounter_id="=HYPERLINK(1)", date=days_ago(1)),  # 6
        row(encounter_id="f-2", date=days_ago(1), cad_incident="+123", person_key="@me"),  # 7
        row(encounter_id="dup", date=days_ago(1)),  # 8
        row(encounter_id="dup", date=days_ago(2)),  # 9: same agency and id as row 8
        row(encounter_id="s-1", date=days_ago(1), linked_to_services="yes"),  # 10
        row(encounter_id="m-1", date=days_ago(1), minutes="-5"),  # 11
    ]
    text = csv_text(rows) + "short,row\n" + csv_text([row(encounter_id="ok-2")]).split("\n", 1)[1]

    job = imported(program_manager_client, text)

    assert job.status == "failed"
    assert error_places(job) == [
        (3, "agency"),
        (4, "date"),
        (4, "time"),
        (5, "referral_source"),
        (5, "concerns"),
        (6, "encounter_id"),
        (7, "cad_incident"),
        (7, "person_key"),
        (9, "encounter_id"),
        (10, "service_type"),
        (11, "minutes"),
        (12, ""),
    ]
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert reasons[(6, "encounter_id")] == "may not start with =, +, - or @"
    assert reasons[(7, "cad_incident")] == reasons[(7, "person_key")] == FORMULA_REASON
    assert "row 8" in reasons[(9, "encounter_id")]
    assert "in the future" in reasons[(4, "date")]
    assert "2 values" in reasons[(12, "")]
    assert job.total_rows == 12
    assert not Encounter.objects.exists()

    page = text_of(program_manager_client.get(url("import_job", pk=job.pk)))
    assert "the header is row 1, so the first data row is row 2" in page
    assert "Nothing was imported" in page
    assert "kansas-city" in page and "may not start with =, +, - or @" in page


def test_the_full_error_list_downloads_as_csv_with_formulas_made_text(program_manager_client):
    rows = [row(encounter_id=f"=X{n}", date=days_ago(1)) for n in range(300)]
    job = imported(program_manager_client, csv_text(rows))

    response = program_manager_client.get(url("import_errors", pk=job.pk))
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert lines[0] == ["row", "column", "reason"]
    assert len(lines) == 301  # every error, although the page shows 200 at a time
    assert lines[1] == ["2", "encounter_id", FORMULA_REASON]
    page2 = text_of(program_manager_client.get(url("import_job", pk=job.pk), {"page": 2}))
    assert "Errors 201 to 300 of 300" in page2


def test_header_problems_are_reported_first_and_a_missing_column_once(program_manager_client):
    columns = [c for c in ENCOUNTER_COLUMNS if c != "minutes"] + ["Agency Name", "time"]
    values = row(date=days_ago(1), disposition="jail", **{"Agency Name": "Raytown PD"})
    out = io.StringIO()
    csv.writer(out).writerows([columns, [values[c] for c in columns]])

    job = imported(program_manager_client, out.getvalue())

    assert job.status == "failed"
    assert error_places(job) == [
        (1, "minutes"),
        (1, "Agency Name"),
        (1, "time"),
        (2, "disposition"),
    ]
    assert job.errors[0]["reason"] == "is missing from the header row"
    assert "appears twice" in job.errors[2]["reason"]
    assert not Encounter.objects.exists()


def test_a_column_name_in_another_case_gets_a_hint(program_manager_client):
    text = csv_text([row(date=days_ago(1))]).replace("encounter_id", "Encounter ID", 1)

    job = imported(program_manager_client, text)

    assert (1, "Encounter ID") in error_places(job)
    assert any("did you mean “encounter_id”" in e["reason"] for e in job.errors)


@pytest.mark.parametrize(
    "content,reason",
    [
        (",".join(ENCOUNTER_COLUMNS).encode() + b"\r\n", "no data rows"),
        (",".join(ENCOUNTER_COLUMNS).encode() + b"\nBS-\xe9\xff", "not UTF-8"),
    ],
)
def test_empty_and_unreadable_files_are_refused(program_manager_client, content, reason):
    job = imported(program_manager_client, content)

    assert job.status == "failed"
    assert reason in job.errors[0]["reason"]


def test_a_file_with_a_byte_order_mark_and_blank_lines_is_read(program_manager_client):
    text = csv_text([row(encounter_id="A", date=days_ago(1)), row(encounter_id="B")])
    job = imported(program_manager_client, ("\ufeff" + text + "\r\n,,,\r\n").encode())

    assert job.status == "done", job.errors
    assert job.created_rows == 2


def test_an_empty_file_is_refused_before_upload(program_manager_client):
    response = upload(program_manager_client, b"")

    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_spreadsheet_is_refused_before_upload(program_manager_client):
    response = upload(program_manager_client, b"PK\x03\x04", name="encounters.xlsx")

    assert response.status_code == 200
    assert "save it as “CSV UTF-8”" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- Who may import what -----------------------------------------------------------------


def test_a_clinician_may_import_only_rows_of_their_own_provider(clinician_client, make_staff):
    theirs = encounter(encounter_id="X-9", provider="burrell", date=days_ago(3))
    rows = [
        row(encounter_id="mine", date=days_ago(1)),
        row(encounter_id="other", provider="burrell", date=days_ago(1)),
        row(encounter_id="X-9", date=days_ago(1)),  # would take over burrell's record
    ]

    job = imported(clinician_client, csv_text(rows))

    assert error_places(job) == [(3, "provider"), (4, "encounter_id")]
    assert "you may import only rediscover records" in job.errors[0]["reason"]
    assert "another provider" in job.errors[1]["reason"]
    assert Encounter.objects.get() == theirs
    assert job.provider == org("rediscover")


def test_a_clinician_importing_their_own_rows_succeeds(clinician_client, clinician):
    job = imported(clinician_client, csv_text([row(encounter_id="mine", date=days_ago(1))]))

    assert job.status == "done", job.errors
    assert Encounter.objects.get().created_by == clinician.user


def test_rows_of_a_closed_month_are_refused_for_clinicians_but_not_for_managers(
    clinician_client, clinician, program_manager_client, program_manager
):
    month = closed_month()
    ClosedMonth.objects.create(month=month, closed_by=program_manager)
    old = encounter(encounter_id="OLD", date=(month + dt.timedelta(days=3)).isoformat())
    rows = [
        row(encounter_id="new", date=(month + dt.timedelta(days=9)).isoformat()),
        row(encounter_id="OLD", date=days_ago(1)),  # moving it out of the closed month
        row(encounter_id="fine", date=days_ago(1)),
    ]

    refused = imported(clinician_client, csv_text(rows))

    assert error_places(refused) == [(2, "date"), (3, "encounter_id")]
    assert "closed month" in refused.errors[0]["reason"]
    assert Encounter.objects.get() == old

    accepted = imported(program_manager_client, csv_text(rows))

    assert accepted.status == "done", accepted.errors
    assert (accepted.created_rows, accepted.updated_rows) == (2, 1)


def test_volume_import_and_reimport_replaces_the_numbers(program_manager_client):
    rows = [
        {"agency": "raytown", "month": "2026-09", "mh_calls": "40", "total_calls": "900"},
        {"agency": "raytown", "month": "2026-10", "mh_calls": "35", "total_calls": ""},
        {"agency": "grandview", "month": "2026-10", "mh_calls": "12", "total_calls": "300"},
    ]
    first = imported(program_manager_client, csv_text(rows, VOLUME_COLUMNS), kind="volume")
    assert first.status == "done", first.errors
    assert (first.created_rows, first.updated_rows) == (3, 0)

    rows[0].update(mh_calls="44", total_calls="")
    second = imported(program_manager_client, csv_text(rows[:1], VOLUME_COLUMNS), kind="volume")

    assert (second.created_rows, second.updated_rows) == (0, 1)
    assert MonthlyCallVolume.objects.count() == 3
    september = MonthlyCallVolume.objects.get(month=dt.date(2026, 9, 1))
    assert (september.mh_calls, september.total_calls) == (44, None)


def test_volume_errors_are_listed(program_manager_client):
    rows = [
        {"agency": "raytown", "month": "2026-10", "mh_calls": "40", "total_calls": "10"},
        {"agency": "raytown", "month": "10/2026", "mh_calls": "x"},
        {"agency": "raytown", "month": "2026-10", "mh_calls": "40"},
    ]

    job = imported(program_manager_client, csv_text(rows, VOLUME_COLUMNS), kind="volume")

    assert error_places(job) == [(2, "total_calls"), (3, "month"), (3, "mh_calls"), (4, "month")]
    assert not MonthlyCallVolume.objects.exists()


def test_clinicians_may_not_import_call_volume(clinician_client):
    text = csv_text([{"agency": "raytown", "month": "2026-10", "mh_calls": "4"}], VOLUME_COLUMNS)

    response = upload(clinician_client, text, kind="volume")

    assert response.status_code == 200
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["import", "export"])
def test_import_and_export_pages_answer_insiders_only(
    name, program_manager_client, clinician_client, make_staff, client
):
    assert program_manager_client.get(url(name)).status_code == 200
    assert clinician_client.get(url(name)).status_code == 200
    outsider = signed_in_client(make_staff(roles=[Role.TRAINING_COORDINATOR]))
    assert outsider.get(url(name)).status_code == 403
    liaison = signed_in_client(make_staff(roles=[Role.AGENCY_LIAISON], organization=org("raytown")))
    assert liaison.get(url(name)).status_code == 403
    no_record = signed_in_client(make_staff(roles=[Role.CORESPONDER_CLINICIAN]))  # no Clinician row
    assert no_record.get(url(name)).status_code == 403
    anonymous = client.get(url(name))
    assert anonymous.status_code == 302 and "login" in anonymous.url


def test_an_import_is_visible_to_its_author_and_program_managers_only(
    clinician_client, program_manager_client, make_staff
):
    job = imported(clinician_client, csv_text([row(encounter_id="mine", date=days_ago(1))]))
    other = signed_in_client(clinician_for(make_staff(), provider="burrell").user)

    assert clinician_client.get(url("import_job", pk=job.pk)).status_code == 200
    assert program_manager_client.get(url("import_job", pk=job.pk)).status_code == 200
    assert other.get(url("import_job", pk=job.pk)).status_code == 404
    assert other.get(url("import_errors", pk=job.pk)).status_code == 404


# --- Large files: the Celery task --------------------------------------------------------


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(jobs, "ASYNC_THRESHOLD", 10)
    monkeypatch.setattr(upsert, "BATCH_SIZE", 4)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 5)


def rows_of(count: int) -> list[dict]:
    return [row(encounter_id=f"T-{n}", date=days_ago(1 + n % 20)) for n in range(count)]


def test_a_large_file_runs_as_a_task_that_reports_progress_and_counts(
    program_manager_client, small_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    reported = []

    def record(self, rows, *, status=""):
        reported.append((status, rows))

    monkeypatch.setattr(jobs._Progress, "__call__", record)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = imported(program_manager_client, csv_text(rows_of(23)))
    assert job.status == "queued" and job.total_rows == 23
    waiting = program_manager_client.get(url("import_job", pk=job.pk))
    assert waiting["Refresh"] == "2"
    assert "Waiting to start: 23 rows" in text_of(waiting)

    for callback in callbacks:  # the commit: the task is queued and, eager in tests, runs
        callback()
    job.refresh_from_db()

    assert job.status == "done", job.errors
    assert (job.total_rows, job.processed_rows, job.created_rows, job.updated_rows) == (
        23,
        23,
        23,
        0,
    )
    # Checking: every PROGRESS_EVERY rows; importing: after each batch of BATCH_SIZE rows.
    assert reported == [("", 5), ("", 10), ("", 15), ("", 20), ("importing", 0)] + [
        ("", rows) for rows in (4, 8, 12, 16, 20, 23)
    ]
    assert Encounter.objects.count() == 23
    assert not job.file  # the upload is not kept
    done = program_manager_client.get(url("import_job", pk=job.pk))
    assert not done.has_header("Refresh")
    assert "Imported 23 rows: 23 new, 0 updated, 0 unchanged." in text_of(done)


def test_the_job_page_shows_progress_in_text_and_can_stop_reloading(
    program_manager_client, program_manager
):
    job = jobs.import_job_create(
        kind="encounters", upload=SimpleUploadedFile("a.csv", b"x"), by=program_manager
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status="importing", total_rows=100, processed_rows=40
    )

    response = program_manager_client.get(url("import_job", pk=job.pk))
    page = text_of(response)

    assert response["Refresh"] == "2"
    assert '<progress id="import-progress"' in page and 'max="100" value="40"' in page
    assert "Importing rows: 40 of 100 (40%)." in page
    assert not program_manager_client.get(
        url("import_job", pk=job.pk), {"refresh": "off"}
    ).has_header("Refresh")


def queued_job(by, count: int = 6) -> ImportJob:
    data = csv_text(rows_of(count)).encode()
    return jobs.import_job_create(
        kind="encounters", upload=SimpleUploadedFile("big.csv", data), by=by
    )


def test_a_job_running_elsewhere_is_not_run_twice_and_a_done_job_not_again(program_manager):
    job = queued_job(program_manager)
    other = connections.create_connection("default")
    key = [lock.LOCK_NAMESPACE, job.pk]
    try:
        with other.cursor() as cursor:  # another worker holds the job
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
        assert tasks.import_run(job.pk) is False
        assert not Encounter.objects.exists()
        with other.cursor() as cursor:  # that worker finishes (here: gives up) the job
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    finally:
        other.close()

    assert tasks.import_run(job.pk) is True
    assert Encounter.objects.count() == 6
    Encounter.objects.filter(encounter_id="T-1").update(disposition="arrest")

    assert tasks.import_run(job.pk) is False  # done: running it again does nothing
    assert Encounter.objects.get(encounter_id="T-1").disposition == "arrest"
    assert ImportJob.objects.get(pk=job.pk).created_rows == 6


def test_a_job_left_behind_by_a_worker_that_died_is_finished_once(program_manager):
    job = queued_job(program_manager)
    # The worker died mid-import: its transaction rolled back, the status stayed behind.
    ImportJob.objects.filter(pk=job.pk).update(status="importing", processed_rows=4)

    assert tasks.import_run(job.pk) is True

    job.refresh_from_db()
    assert (job.status, job.created_rows, job.processed_rows) == ("done", 6, 6)
    assert Encounter.objects.count() == 6


def test_an_unexpected_failure_mid_import_leaves_nothing_half_imported(
    program_manager_client, program_manager, small_threshold, monkeypatch
):
    staging_upsert = upsert.staging_upsert

    def upsert_then_fail(*args):
        staging_upsert(*args)  # every row written, then something breaks before the commit
        raise RuntimeError("disk full")

    monkeypatch.setattr(upsert, "staging_upsert", upsert_then_fail)
    job = queued_job(program_manager)

    assert tasks.import_run(job.pk) is True

    job.refresh_from_db()
    assert job.status == "error"
    assert not Encounter.objects.exists()
    assert "nothing was imported" in text_of(
        program_manager_client.get(url("import_job", pk=job.pk))
    )


def test_the_sweep_queues_jobs_left_queued(program_manager, django_capture_on_commit_callbacks):
    stale = queued_job(program_manager)
    fresh = queued_job(program_manager)
    ImportJob.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )

    # Beat runs the sweep outside any transaction, so its queueing happens at once; the
    # test's own transaction holds it until the callbacks run here.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.import_resume() == 1  # queued and, eager in tests, run

    assert ImportJob.objects.get(pk=stale.pk).status == "done"
    assert ImportJob.objects.get(pk=fresh.pk).status == "queued"


@pytest.mark.django_db(transaction=True)
def test_import_progress_is_visible_while_the_import_transaction_is_open(
    make_staff, small_threshold, monkeypatch
):
    ensure_directory()
    manager = make_staff(roles=[Role.PROGRAM_MANAGER])
    job = queued_job(manager, count=13)
    seen = []
    report = jobs._Progress.__call__

    def report_and_look(self, rows, *, status=""):
        report(self, rows, status=status)
        observer = connections.create_connection("default")
        try:
            with observer.cursor() as cursor:
                cursor.execute(
                    "SELECT status, processed_rows, (SELECT count(*) FROM coresponder_encounter)"
                    " FROM coresponder_importjob WHERE id = %s",
                    [job.pk],
                )
                seen.append(cursor.fetchone())
        finally:
            observer.close()

    monkeypatch.setattr(jobs._Progress, "__call__", report_and_look)

    assert tasks.import_run(job.pk) is True

    # Mid-import another connection sees the progress, and none of the rows yet.
    assert seen == [("checking", 5, 0), ("checking", 10, 0)] + [
        ("importing", rows, 0) for rows in (0, 4, 8, 12, 13)
    ]
    assert Encounter.objects.count() == 13


# --- Export ------------------------------------------------------------------------------


def test_clinicians_export_only_their_providers_records(clinician_client, program_manager_client):
    encounter(encounter_id="R-1", date=days_ago(1))
    encounter(encounter_id="B-1", provider="burrell", date=days_ago(1))

    mine = exported(clinician_client, provider="burrell")  # the provider filter is not theirs

    assert [line.split(",")[0] for line in mine.splitlines()[1:]] == ["R-1"]
    everything = exported(program_manager_client)
    assert {line.split(",")[0] for line in everything.splitlines()[1:]} == {"R-1", "B-1"}


def test_the_export_filters_by_dates_agency_and_provider(program_manager_client):
    encounter(encounter_id="old", date=days_ago(60))
    encounter(encounter_id="new", date=days_ago(2))
    encounter(encounter_id="ray", agency="raytown", date=days_ago(2))
    encounter(encounter_id="bur", provider="burrell", date=days_ago(2))

    def ids(**params):
        return sorted(
            line.split(",")[0]
            for line in exported(program_manager_client, **params).splitlines()[1:]
        )

    assert ids(date_from=days_ago(10)) == ["bur", "new", "ray"]
    assert ids(date_to=days_ago(10)) == ["old"]
    assert ids(agency="raytown") == ["ray"]
    assert ids(provider="burrell") == ["bur"]


def test_an_export_with_invalid_filters_is_refused_with_the_form(program_manager_client):
    response = program_manager_client.get(
        url("export"), {"kind": "encounters", "date_from": days_ago(1), "date_to": days_ago(3)}
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_exports_are_audited(clinician_client, clinician):
    encounter(encounter_id="R-1", date=days_ago(1))
    exported(clinician_client, agency="blue-springs")

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor_id == clinician.user.pk
    assert event.object_type == "coresponder.encounter"
    assert event.detail["rows"] == 1
    assert event.detail["filters"]["agency"] == "blue-springs"
    assert event.detail["filters"]["provider"] == "rediscover"


def test_the_volume_export_is_in_the_dictionary_format_and_imports_again(
    program_manager_client, program_manager
):
    services.volume_save(
        agency=org("raytown"),
        month=dt.date(2026, 9, 1),
        mh_calls=40,
        total_calls=None,
        by=program_manager,
    )
    services.volume_save(
        agency=org("grandview"),
        month=dt.date(2026, 9, 1),
        mh_calls=7,
        total_calls=70,
        by=program_manager,
    )
    response = program_manager_client.get(
        url("export"), {"kind": "volume", "date_from": "2026-09-15"}
    )
    text = b"".join(response.streaming_content).decode()

    assert text.splitlines() == [
        "agency,month,mh_calls,total_calls",
        "grandview,2026-09,7,70",
        "raytown,2026-09,40,",
    ]
    MonthlyCallVolume.objects.all().delete()
    job = imported(program_manager_client, text, kind="volume")
    assert job.created_rows == 2
    assert MonthlyCallVolume.objects.get(agency=org("raytown")).total_calls is None


def test_a_stored_value_that_looks_like_a_formula_is_never_exported_as_one(program_manager_client):
    record = encounter(encounter_id="E-1", date=days_ago(1))
    Encounter.objects.filter(pk=record.pk).update(person_key="=cmd()")  # not through the import

    line = exported(program_manager_client).splitlines()[1]

    assert ",'=cmd()," in line
