"""Re-importing rows that match what is stored writes nothing; changed rows say what changed.

The import's upsert skips a record whose values all match the file's row, so the record
keeps its updated_at and gets no history event; the job counts new, updated and unchanged
rows, and for the updated records how many changed in each column. The single-encounter
form does the same: saving without a change writes nothing.

Every test here runs inside one database transaction, where now() never moves: the stored
records are first dated back (BEFORE), so that a rewrite would show in updated_at.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from coresponder import services
from coresponder.dictionary import VOLUME_COLUMNS
from coresponder.forms.entry import row_from_encounter
from coresponder.models import Encounter, MonthlyCallVolume
from tests.conftest import signed_in_client
from tests.coresponder.factories import encounter, row
from tests.coresponder.test_import_export import csv_text, days_ago, imported, text_of, url

pytestmark = pytest.mark.django_db

BEFORE = timezone.now() - dt.timedelta(days=30)
History = Encounter.pgh_event_model


def rows() -> list[dict]:
    """Four encounters with blanks, several concerns and yes/no/blank answers."""
    return [
        row(encounter_id="BS-1", date=days_ago(1)),
        row(
            encounter_id="BS-2",
            date=days_ago(2),
            time="",
            minutes="",
            concerns="substance-use;mental-health",
            linked_to_services="yes",
            service_type="crisis-center",
            veteran="no",
            use_of_force="yes",
        ),
        row(encounter_id="GV-1", agency="grandview", provider="burrell", date=days_ago(40)),
        row(encounter_id="GV-2", agency="grandview", date=days_ago(41), person_key="pk-7"),
    ]


def import_and_date_back(client, content, **kwargs):
    job = imported(client, content, **kwargs)
    assert job.status == "done", job.errors
    model = MonthlyCallVolume if kwargs.get("kind") == "volume" else Encounter
    model.objects.update(updated_at=BEFORE)
    return job


def updated_at() -> dict[str, dt.datetime]:
    return dict(Encounter.objects.values_list("encounter_id", "updated_at"))


# --- Encounters --------------------------------------------------------------------------


def test_reimporting_an_unchanged_file_writes_no_record_and_no_history(program_manager_client):
    content = csv_text(rows())
    import_and_date_back(program_manager_client, content)
    history = History.objects.count()

    job = imported(program_manager_client, content)

    assert job.status == "done", job.errors
    assert (job.created_rows, job.updated_rows, job.unchanged_rows) == (0, 0, 4)
    assert job.changed_columns == {}
    assert History.objects.count() == history
    assert set(updated_at().values()) == {BEFORE}
    page = text_of(program_manager_client.get(url("import_job", pk=job.pk)))
    assert "No records changed: all 4 rows match what is stored." in page
    assert "What changed" not in page


def test_changed_rows_are_written_and_counted_per_column(program_manager_client):
    data = rows()
    import_and_date_back(program_manager_client, csv_text(data))
    history = History.objects.count()
    data[0]["disposition"] = "referred"
    data[2]["disposition"] = "arrest"
    data[1]["minutes"] = "30"  # was blank
    data.append(row(encounter_id="BS-3", date=days_ago(3)))

    job = imported(program_manager_client, csv_text(data))

    assert (job.created_rows, job.updated_rows, job.unchanged_rows) == (1, 3, 1)
    assert job.changed_columns == {"disposition": 2, "minutes": 1}
    assert History.objects.count() == history + 4  # three updates and one insert
    stamps = updated_at()
    assert stamps["GV-2"] == BEFORE
    assert all(stamps[key] > BEFORE for key in ("BS-1", "BS-2", "GV-1", "BS-3"))
    assert Encounter.objects.get(encounter_id="BS-2").minutes == 30
    page = text_of(program_manager_client.get(url("import_job", pk=job.pk)))
    assert "Imported 5 rows: 1 new, 3 updated, 1 unchanged." in page
    assert "What changed in the 3 updated records" in page
    assert '<td>Disposition</td><td><code>disposition</code></td><td class="text-end">2</td>' in (
        page
    )
    assert '<td>Minutes</td><td><code>minutes</code></td><td class="text-end">1</td>' in page
    assert "more than one field" not in page


def test_a_record_changed_in_two_columns_counts_in_both(program_manager_client):
    data = rows()
    import_and_date_back(program_manager_client, csv_text(data))
    data[3].update(disposition="no-contact", minutes="", person_key="")

    job = imported(program_manager_client, csv_text(data))

    assert (job.created_rows, job.updated_rows, job.unchanged_rows) == (0, 1, 3)
    assert job.changed_columns == {"disposition": 1, "person_key": 1, "minutes": 1}
    page = text_of(program_manager_client.get(url("import_job", pk=job.pk)))
    assert "What changed in the 1 updated record<" in page
    assert "each such record is counted once for every field that changed" in page


def test_the_list_of_imports_shows_new_updated_unchanged_and_the_changed_columns(
    program_manager_client,
):
    data = rows()
    import_and_date_back(program_manager_client, csv_text(data))
    imported(program_manager_client, csv_text(data))
    data[0]["disposition"] = data[1]["disposition"] = "referred"
    data[2]["minutes"] = "50"
    imported(program_manager_client, csv_text(data))

    page = text_of(program_manager_client.get(url("import")))

    assert "4 new, 0 updated, 0 unchanged" in page
    assert "0 new, 0 updated, 4 unchanged" in page
    assert "0 new, 3 updated (Disposition: 2, Minutes: 1), 1 unchanged" in page


# --- Monthly call volume -----------------------------------------------------------------


VOLUME = [
    {"agency": "raytown", "month": "2026-09", "mh_calls": "40", "total_calls": "900"},
    {"agency": "raytown", "month": "2026-10", "mh_calls": "35", "total_calls": ""},
    {"agency": "grandview", "month": "2026-10", "mh_calls": "12", "total_calls": "300"},
]


def test_reimporting_unchanged_call_volume_writes_nothing_and_changes_are_counted(
    program_manager_client, make_staff
):
    content = csv_text(VOLUME, VOLUME_COLUMNS)
    first = import_and_date_back(program_manager_client, content, kind="volume")
    other_manager = signed_in_client(make_staff(roles=[Role.PROGRAM_MANAGER]))

    same = imported(other_manager, content, kind="volume")

    assert (same.created_rows, same.updated_rows, same.unchanged_rows) == (0, 0, 3)
    assert same.changed_columns == {}
    stored = MonthlyCallVolume.objects.values_list("updated_at", "updated_by", flat=False)
    assert set(stored) == {(BEFORE, first.created_by_id)}  # not even who touched it last
    page = text_of(other_manager.get(url("import_job", pk=same.pk)))
    assert "No records changed: all 3 rows match what is stored." in page

    changed = [dict(v) for v in VOLUME]
    changed[0]["mh_calls"] = "44"
    changed[2]["total_calls"] = ""
    job = imported(other_manager, csv_text(changed, VOLUME_COLUMNS), kind="volume")

    assert (job.created_rows, job.updated_rows, job.unchanged_rows) == (0, 2, 1)
    assert job.changed_columns == {"mh_calls": 1, "total_calls": 1}
    untouched = MonthlyCallVolume.objects.get(agency__dictionary_code="raytown", month__month=10)
    assert (untouched.updated_at, untouched.updated_by_id) == (BEFORE, first.created_by_id)
    september = MonthlyCallVolume.objects.get(month__month=9)
    assert (september.mh_calls, september.updated_by_id) == (44, job.created_by_id)
    page = text_of(other_manager.get(url("import_job", pk=job.pk)))
    assert "Imported 3 rows: 0 new, 2 updated, 1 unchanged." in page
    assert "<td>Mental-health calls</td>" in page and "<td>Total calls</td>" in page


# --- The single-encounter form -----------------------------------------------------------


def edit_url(record: Encounter) -> str:
    return reverse("coresponder:entry:encounter", kwargs={"pk": record.pk})


def test_saving_the_form_without_a_change_writes_nothing(clinician_client):
    record = encounter(encounter_id="E-1", agency="blue-springs", minutes="", veteran="no")
    Encounter.objects.filter(pk=record.pk).update(updated_at=BEFORE)
    record.refresh_from_db()
    history = record.history.count()
    data = row_from_encounter(record)

    response = clinician_client.post(edit_url(record), data, follow=True)

    assert response.redirect_chain == [(edit_url(record), 302)]
    assert "No changes to save." in text_of(response)
    assert "saved." not in text_of(response)
    record.refresh_from_db()
    assert record.updated_at == BEFORE
    assert record.history.count() == history
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()

    data["minutes"] = "20"
    response = clinician_client.post(edit_url(record), data, follow=True)

    assert "Encounter E-1 saved." in text_of(response)
    record.refresh_from_db()
    assert (record.minutes, record.history.count()) == (20, history + 1)
    assert record.updated_at > BEFORE


def test_the_service_writes_nothing_for_identical_values(clinician):
    record = encounter(encounter_id="E-2", concerns="mental-health;housing", time="")
    Encounter.objects.filter(pk=record.pk).update(updated_at=BEFORE)
    record.refresh_from_db()
    history = record.history.count()
    orgs = services.organizations_by_code()
    cleaned = {
        **row_from_encounter(record),
        "date": record.date,
        "time": record.time,
        "minutes": record.minutes,
    }
    values = services.encounter_values(cleaned, orgs)

    services.encounter_save(values=values, by=clinician.user, instance=record)

    record.refresh_from_db()
    assert (record.updated_at, record.history.count()) == (BEFORE, history)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()
    assert services.encounter_changes(record, {**values, "agency": orgs["raytown"]}) == ["agency"]
