"""The partner API's writes (coresponder.services.encounters_ingest, volume_ingest) and
reads (coresponder.selectors.encounter_of_provider, volume_of_agency).

A batch is checked exactly as a CSV import is, all or nothing, and answers every error with
its item (from 0), field and reason. Sending the same batch again changes nothing and says
so. The writer is an API key of one provider (or agency): never a program manager, so
closed months refuse writes, and only its own records may be written or read.

The clock is frozen at March 16, 2026 (the date rules depend on today). Every test runs
inside one database transaction, where now() never moves: records are first dated back
(BEFORE), so that a rewrite would show in updated_at.
"""

import datetime as dt
import threading
import time
import zoneinfo

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.utils import timezone

from coresponder import selectors, services
from coresponder.models import ClosedMonth, Encounter, MonthlyCallVolume
from tests.coresponder.factories import encounter, ensure_directory, org, row

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 16)
BEFORE = timezone.now() - dt.timedelta(days=30)
History = Encounter.pgh_event_model


@pytest.fixture(autouse=True)
def _frozen_clock():
    noon = dt.datetime(2026, 3, 16, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
    with time_machine.travel(noon, tick=False):
        yield


def item(number: int = 1, **overrides) -> dict:
    """A ReDiscover encounter of Blue Springs as the API passes it: text values by column."""
    overrides.setdefault("encounter_id", f"BS-{number:04}")
    overrides.setdefault("date", "2026-03-02")
    return row(**overrides)


def send(items: list[dict], provider: str = "rediscover", key: int = 7):
    return services.encounters_ingest(items=items, provider=org(provider), history={"api_key": key})


def send_volume(items: list[dict], agency: str = "blue-springs"):
    return services.volume_ingest(items=items, agency=org(agency), history={"api_key": 9})


def volume(agency="blue-springs", month="2026-02", mh_calls="40", total_calls="120") -> dict:
    return {"agency": agency, "month": month, "mh_calls": mh_calls, "total_calls": total_calls}


# --- Encounters --------------------------------------------------------------------------


def test_a_new_batch_is_written_with_no_user_and_the_keys_history_context():
    result = send([item(1), item(2), item(3, agency="grandview")], key=7)

    assert result == services.IngestResult(created=3, updated=0, unchanged=0, errors=[])
    assert Encounter.objects.count() == 3
    assert set(Encounter.objects.values_list("created_by", flat=True)) == {None}
    events = History.objects.filter(pgh_context__metadata__api_key=7)
    assert events.count() == 3


def test_one_bad_item_among_a_hundred_writes_nothing_and_every_error_is_listed():
    items = [item(n) for n in range(100)]
    items[41] = item(41, date="2026-02-30", disposition="went-home")
    items[97] = item(97, linked_to_services="yes")

    result = send(items)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert [(e["item"], e["field"]) for e in result.errors] == [
        (41, "date"),
        (41, "disposition"),
        (97, "service_type"),
    ]
    assert "“went-home” is not a listed code" in result.errors[1]["reason"]
    assert result.errors[2]["reason"] == "is required when linked_to_services is yes"
    assert not Encounter.objects.exists()


def test_every_error_of_an_item_is_listed_in_the_dictionarys_column_order():
    bad = item(1, minutes="1500", concerns="", contact_type="", cad_incident="=HYPERLINK()")
    del bad["referral_source"]  # a missing key is a blank value
    bad["gender"] = None  # so is null
    bad["colour"] = "blue"  # a key that is no column

    result = send([item(0), bad])

    assert [(e["item"], e["field"], e["reason"]) for e in result.errors] == [
        (1, "colour", "is not a column of the data dictionary"),
        (1, "cad_incident", "may not start with =, +, - or @"),
        (1, "referral_source", "is required"),
        (1, "contact_type", "is required"),
        (1, "concerns", "is required (one or more codes separated by ;)"),
        (1, "minutes", "1500 is out of range (from 0 to 1440)"),
    ]
    assert not Encounter.objects.exists()


def test_the_same_batch_twice_changes_nothing_and_says_so():
    items = [item(n, concerns="substance-use;mental-health", veteran="no") for n in range(5)]
    assert send(items).created == 5
    Encounter.objects.update(updated_at=BEFORE)
    history = History.objects.count()

    again = send(items)

    assert again == services.IngestResult(created=0, updated=0, unchanged=5, errors=[])
    assert set(Encounter.objects.values_list("updated_at", flat=True)) == {BEFORE}
    assert History.objects.count() == history

    items[3]["minutes"] = "50"
    changed = send([*items, item(9)])

    assert (changed.created, changed.updated, changed.unchanged) == (1, 1, 4)
    assert Encounter.objects.get(encounter_id="BS-0003").minutes == 50


def test_an_item_of_another_provider_is_refused():
    result = send([item(1), item(2, provider="burrell")], provider="rediscover")

    assert result.errors == [
        {
            "item": 1,
            "field": "provider",
            "reason": "“burrell” is another provider: you may send only rediscover records",
        }
    ]
    assert not Encounter.objects.exists()


def test_an_existing_record_of_another_provider_is_refused_and_left_as_it_was():
    theirs = encounter(encounter_id="BS-0002", agency="blue-springs", provider="burrell")

    result = send([item(1), item(2)], provider="rediscover")

    assert result.errors == [
        {
            "item": 1,
            "field": "encounter_id",
            "reason": "“BS-0002” of blue-springs is a record of another provider",
        }
    ]
    theirs.refresh_from_db()
    assert theirs.provider == org("burrell")
    assert Encounter.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_record_of_another_provider_created_during_the_write_is_refused_not_taken_over():
    """Burrell's record is created while ReDiscover's batch is being written: the batch's
    check did not see it, its insert waits for it, and then must not take it over."""
    ensure_directory()
    results = []

    def write():
        try:
            results.append(send([item(1), item(2)], provider="rediscover"))
        finally:
            connections.close_all()

    with transaction.atomic():
        theirs = encounter(encounter_id="BS-0002", provider="burrell")
        writer = threading.Thread(target=write)
        writer.start()
        deadline = time.monotonic() + 20
        while not _someone_waits_for_a_lock():  # the batch's insert waits for this record
            assert time.monotonic() < deadline, "the batch never reached its insert"
            time.sleep(0.05)
    writer.join(timeout=20)

    assert results[0].errors == [
        {
            "item": 1,
            "field": "encounter_id",
            "reason": "“BS-0002” of blue-springs is a record of another provider",
        }
    ]
    theirs.refresh_from_db()
    assert theirs.provider == org("burrell")
    assert list(Encounter.objects.values_list("encounter_id", flat=True)) == ["BS-0002"]


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # read afresh inside a transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_closed_month_refuses_new_records_and_changes_to_its_records(program_manager):
    ClosedMonth.objects.create(month=dt.date(2026, 1, 1), closed_by=program_manager)
    encounter(encounter_id="BS-0005", date="2026-01-20")

    result = send([item(1), item(2, date="2026-01-31"), item(5, date="2026-03-01")])

    assert [(e["item"], e["field"], e["reason"]) for e in result.errors] == [
        (
            1,
            "date",
            "2026-01 is a closed month: only a program manager can change its records",
        ),
        (
            2,
            "encounter_id",
            "“BS-0005” of blue-springs is a record dated 2026-01, a closed month: "
            "only a program manager can change it",
        ),
    ]
    assert Encounter.objects.count() == 1


def test_a_key_twice_in_one_batch_is_refused():
    result = send([item(1), item(2), item(1, minutes="10")])

    assert result.errors == [
        {
            "item": 2,
            "field": "encounter_id",
            "reason": "“BS-0001” of blue-springs is also on item 0: one row per encounter",
        }
    ]
    assert not Encounter.objects.exists()


def test_the_quality_date_rules_of_the_form_and_the_import(settings):
    settings.CORESPONDER_PROGRAM_START = dt.date(2021, 7, 1)

    result = send(
        [
            item(1, date="2021-06-30"),
            item(2, date="2026-03-17"),
            item(3, date="0026-03-10"),
            item(4, date="2026-03-16"),  # today
            item(5, date="2021-07-01"),  # the program's first day
        ]
    )

    assert [(e["item"], e["field"], e["reason"]) for e in result.errors] == [
        (0, "date", "2021-06-30 is before the program's start (2021-07-01): check the date"),
        (1, "date", "2026-03-17 is in the future"),
        (2, "date", result.errors[2]["reason"]),
    ]
    assert result.errors[2]["reason"]  # the dictionary's own words for an impossible year
    assert not Encounter.objects.exists()
    assert send([item(4, date="2026-03-16"), item(5, date="2021-07-01")]).created == 2


def test_a_batch_larger_than_the_limit_is_the_callers_error():
    with pytest.raises(ValueError, match="5,000 items at most"):
        send([item(n) for n in range(services.INGEST_MAX_ITEMS + 1)])


def test_an_empty_batch_does_nothing():
    assert send([]) == services.IngestResult(created=0, updated=0, unchanged=0, errors=[])


# --- Call volume -------------------------------------------------------------------------


def test_call_volume_is_written_then_unchanged_with_no_user():
    items = [volume(month="2026-01"), volume(month="2026-02", total_calls="")]

    assert send_volume(items) == services.IngestResult(2, 0, 0, [])
    MonthlyCallVolume.objects.update(updated_at=BEFORE)

    assert send_volume(items) == services.IngestResult(0, 0, 2, [])
    assert set(MonthlyCallVolume.objects.values_list("updated_at", flat=True)) == {BEFORE}
    assert set(MonthlyCallVolume.objects.values_list("updated_by", flat=True)) == {None}


def test_call_volume_of_another_agency_is_refused():
    result = send_volume([volume(), volume(agency="raytown")], agency="blue-springs")

    assert result.errors == [
        {
            "item": 1,
            "field": "agency",
            "reason": "“raytown” is another agency: you may send only blue-springs call volume",
        }
    ]
    assert not MonthlyCallVolume.objects.exists()


def test_call_volume_of_a_closed_or_future_month_or_twice_is_refused(program_manager):
    ClosedMonth.objects.create(month=dt.date(2026, 1, 1), closed_by=program_manager)

    result = send_volume(
        [
            volume(month="2026-01"),
            volume(month="2026-04"),
            volume(month="2026-02", mh_calls="50", total_calls="20"),
            volume(month="2026-03"),
            volume(month="2026-03"),
        ]
    )

    assert [(e["item"], e["field"], e["reason"]) for e in result.errors] == [
        (0, "month", "2026-01 is a closed month: only a program manager can change its records"),
        (1, "month", "is in the future"),
        (2, "total_calls", "is smaller than mh_calls"),
        (4, "month", "2026-03 of blue-springs is also on item 3: one row per agency and month"),
    ]
    assert not MonthlyCallVolume.objects.exists()


# --- Reading back ------------------------------------------------------------------------


def test_a_provider_reads_back_its_encounter_as_the_export_writes_it():
    sent = item(1, concerns="substance-use;mental-health", time="09:05", minutes="")
    send([sent])
    encounter(encounter_id="BS-0002", provider="burrell")

    found = selectors.encounter_of_provider(
        provider=org("rediscover"), agency="blue-springs", encounter_id="BS-0001"
    )

    assert found == {**sent, "concerns": "mental-health;substance-use"}
    theirs = selectors.encounter_of_provider(
        provider=org("rediscover"), agency="blue-springs", encounter_id="BS-0002"
    )
    assert theirs is None
    missing = selectors.encounter_of_provider(
        provider=org("rediscover"), agency="grandview", encounter_id="BS-0001"
    )
    assert missing is None


def test_an_agency_reads_back_its_call_volume_of_a_month():
    send_volume([volume(month="2026-02", total_calls="")])

    found = selectors.volume_of_agency(agency=org("blue-springs"), month=dt.date(2026, 2, 14))

    assert found == volume(month="2026-02", total_calls="")
    assert selectors.volume_of_agency(agency=org("raytown"), month=dt.date(2026, 2, 1)) is None
    assert selectors.volume_of_agency(agency=org("blue-springs"), month=dt.date(2026, 1, 1)) is None
