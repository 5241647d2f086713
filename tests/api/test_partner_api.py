"""The partner API as a partner's program meets it: /api/v1/ with a key of its own.

Writes are checked exactly as a CSV import is (coresponder.services.encounters_ingest), all
or nothing; a key reaches only its own organization's records; every refusal is an RFC
9457 problem document; every call is one line of the audit log.
"""

import datetime as dt
import json

import pytest
import time_machine

from accounts.models import AuditEvent
from coresponder.models import ClosedMonth, Encounter, MonthlyCallVolume
from tests.api.conftest import NOON, PROBLEM, encounter_json, fields_of
from tests.conftest import signed_in_client
from tests.coresponder.factories import encounter, org

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/encounters/batch"


def one(agency="blue-springs", encounter_id="BS-0001") -> str:
    return f"/api/v1/encounters/{agency}/{encounter_id}"


def problem(response) -> dict:
    assert response["Content-Type"] == PROBLEM, response.content
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == response.status_code
    return body


# --- Writing and reading encounters -----------------------------------------------------


def test_an_encounter_put_is_created_read_back_typed_and_unchanged_when_sent_again(
    caller, rediscover_key
):
    api = caller(rediscover_key)
    values = encounter_json(1, person_key="P-77", service_type=None)

    first = api.put(one(), fields_of(values))
    again = api.put(one(), fields_of(values))
    read = api.get(one())

    assert first.status_code == 200, first.content
    assert first.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "detail": "1 encounter created.",
    }
    assert again.json()["unchanged"] == 1
    assert again.json()["detail"] == "Nothing changed: 1 encounter already exactly as sent."
    assert read.status_code == 200
    record = read.json()
    assert record["concerns"] == ["mental-health", "housing"]
    assert record["minutes"] == 45
    assert record["person_key"] == "P-77"
    assert record["service_type"] is None
    assert record["date"] == "2026-03-02" and record["time"] == "14:30"
    assert Encounter.objects.get().created_by is None


def test_a_batch_with_errors_writes_nothing_and_lists_every_error(caller, rediscover_key):
    items = [encounter_json(n) for n in range(6)]
    items[1]["date"] = "2026-02-30"
    items[1]["disposition"] = "went-home"
    items[4]["linked_to_services"] = "yes"  # service_type is then required

    response = caller(rediscover_key).post(BATCH, {"encounters": items})

    assert response.status_code == 422
    body = problem(response)
    assert [(e["item"], e["field"]) for e in body["errors"]] == [
        (1, "date"),
        (1, "disposition"),
        (4, "service_type"),
    ]
    assert "February 2026 has 28 days" in body["errors"][0]["reason"]
    assert "“went-home” is not a listed code" in body["errors"][1]["reason"]
    assert body["errors"][2]["reason"] == "is required when linked_to_services is yes"
    assert "Nothing was written" in body["detail"]
    assert Encounter.objects.count() == 0


def test_wrong_json_types_are_listed_by_item_and_field(caller, rediscover_key):
    items = [encounter_json(n) for n in range(3)]
    items[0]["minutes"] = "45"
    items[2]["concerns"] = "housing"
    items[2]["colour"] = "blue"
    del items[2]["contact_type"]
    items[1]["agency"] = None

    response = caller(rediscover_key).post(BATCH, {"encounters": items})

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {
            "item": 0,
            "field": "minutes",
            "reason": "must be a whole number (a JSON number without quotes)",
        },
        {"item": 1, "field": "agency", "reason": "is required"},
        {"item": 2, "field": "contact_type", "reason": "is required"},
        {
            "item": 2,
            "field": "concerns",
            "reason": 'must be a list of codes, for example ["mental-health", "housing"]',
        },
        {"item": 2, "field": "colour", "reason": "is not a field of the data dictionary"},
    ]
    assert Encounter.objects.count() == 0


def test_the_same_batch_twice_changes_nothing_the_second_time(caller, rediscover_key):
    api = caller(rediscover_key)
    batch = {"encounters": [encounter_json(n) for n in range(50)]}

    first = api.post(BATCH, batch)
    history = Encounter.pgh_event_model.objects.count()
    second = api.post(BATCH, batch)

    assert first.json()["created"] == 50
    assert second.status_code == 200
    assert second.json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 50,
        "detail": "Nothing changed: 50 encounters already exactly as sent.",
    }
    assert Encounter.pgh_event_model.objects.count() == history


def test_a_batch_of_5000_encounters_is_accepted_and_5001_refused(caller, rediscover_key):
    api = caller(rediscover_key)
    items = [encounter_json(n, cad_incident=f"CAD-{n:08}") for n in range(5_000)]

    accepted = api.post(BATCH, {"encounters": items})
    refused = api.post(BATCH, {"encounters": [*items, encounter_json(5_000)]})

    assert len(json.dumps({"encounters": items})) > 1024 * 1024  # past the form limit
    assert accepted.status_code == 200, accepted.content[:500]
    assert accepted.json()["created"] == 5_000
    assert refused.status_code == 422
    assert problem(refused)["errors"] == [
        {
            "item": None,
            "field": "encounters",
            "reason": "has 5,001 items: a batch has 5,000 at most",
        }
    ]


def test_a_closed_month_is_refused_with_its_reason(caller, rediscover_key, program_manager):
    ClosedMonth.objects.create(month=dt.date(2026, 2, 1), closed_by=program_manager)

    response = caller(rediscover_key).put(one(), fields_of(encounter_json(1, date="2026-02-10")))

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {
            "item": 0,
            "field": "date",
            "reason": "2026-02 is a closed month: only a program manager can change its records",
        }
    ]
    assert not Encounter.objects.exists()


# --- Whose records --------------------------------------------------------------------


def test_a_provider_key_cannot_read_or_write_another_providers_encounter(
    caller, rediscover_key, burrell_key
):
    theirs = encounter(encounter_id="RT-9", agency="raytown", provider="burrell", date="2026-03-01")
    api = caller(rediscover_key)

    read = api.get(one("raytown", "RT-9"))
    missing = api.get(one("raytown", "RT-10"))
    write = api.put(
        one("raytown", "RT-9"), fields_of(encounter_json(9, minutes=1, date="2026-03-01"))
    )
    in_a_batch = api.post(
        BATCH, {"encounters": [encounter_json(1, agency="raytown", encounter_id="RT-9")]}
    )

    assert read.status_code == missing.status_code == write.status_code == 404
    assert problem(read)["title"] == problem(missing)["title"] == "Not found"
    assert (
        problem(write)["detail"] == "There is no encounter RT-9 of raytown that this key can reach."
    )
    assert in_a_batch.status_code == 422
    theirs.refresh_from_db()
    assert theirs.minutes == 45 and theirs.provider == org("burrell")
    assert caller(burrell_key).get(one("raytown", "RT-9")).status_code == 200


def test_an_item_of_another_provider_is_refused(caller, rediscover_key):
    response = caller(rediscover_key).put(one(), fields_of(encounter_json(1, provider="burrell")))

    assert response.status_code == 422
    assert problem(response)["errors"][0]["field"] == "provider"


# --- Keys -----------------------------------------------------------------------------


def test_no_key_an_unknown_revoked_or_expired_key_or_a_staff_session_gets_401(
    caller, issue, program_manager
):
    from accounts.apikeys import ApiKey, api_key_revoke

    revoked = issue("rediscover")
    api_key_revoke(ApiKey.objects.get(prefix=revoked.split("_")[1]), by=program_manager)
    expiring = issue("rediscover", days=1)
    staff = signed_in_client(program_manager)

    answers = [
        caller(None).get(one()),
        caller("marc_0000_not-a-key").get(one()),
        caller(revoked).get(one()),
        staff.get(one()),
        staff.post(BATCH, "{}", content_type="application/json"),
    ]
    with time_machine.travel(NOON + dt.timedelta(days=2), tick=False):
        answers.append(caller(expiring).get(one()))

    for response in answers:
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert problem(response)["title"] == "A valid API key is needed"


def test_a_key_of_one_scope_cannot_use_the_other(caller, rediscover_key, grandview_key):
    volume = caller(rediscover_key).get("/api/v1/call-volume/grandview/2026-02")
    encounters = caller(grandview_key).get(one())

    assert volume.status_code == encounters.status_code == 403
    assert "This key is for encounters" in problem(volume)["detail"]


# --- Call volume ----------------------------------------------------------------------


def test_call_volume_is_written_and_read_back_by_its_agency_only(caller, grandview_key, issue):
    api = caller(grandview_key)
    path = "/api/v1/call-volume/grandview/2026-02"

    written = api.put(path, {"mh_calls": 40, "total_calls": 1200})
    read = api.get(path)
    other_agency = api.put("/api/v1/call-volume/raytown/2026-02", {"mh_calls": 4})
    raytown = caller(issue("raytown", "call-volume")).get(path)
    bad_month = api.get("/api/v1/call-volume/grandview/2026-13")

    assert written.json()["created"] == 1
    assert read.json() == {
        "agency": "grandview",
        "month": "2026-02",
        "mh_calls": 40,
        "total_calls": 1200,
    }
    assert other_agency.status_code == raytown.status_code == 404
    assert bad_month.status_code == 422
    assert problem(bad_month)["errors"][0]["field"] == "month"
    assert MonthlyCallVolume.objects.count() == 1


# --- The request itself ---------------------------------------------------------------


def test_a_body_that_is_not_json_or_not_said_to_be_json(caller, rediscover_key):
    api = caller(rediscover_key)

    malformed = api.post(BATCH, '{"encounters": [')
    form = api.post(BATCH, "encounters=1", content_type="application/x-www-form-urlencoded")
    no_type = api.put(one(), json.dumps(fields_of(encounter_json())), content_type="")

    assert malformed.status_code == 400
    assert problem(malformed)["errors"] == [
        {"item": None, "field": "", "reason": "the body is not valid JSON"}
    ]
    assert form.status_code == no_type.status_code == 415
    assert "Content-Type: application/json" in problem(form)["detail"]


def test_a_body_over_the_api_limit_is_refused_before_it_is_read(caller, rediscover_key, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = caller(rediscover_key).post(
        BATCH, {"encounters": [encounter_json(n) for n in range(9)]}
    )

    assert response.status_code == 413
    assert "smaller batches" in problem(response)["detail"]
    assert not Encounter.objects.exists()


def test_too_many_calls_get_429_with_retry_after(caller, rediscover_key, burrell_key, settings):
    settings.API_RATE_LIMIT = "3/minute"
    api = caller(rediscover_key)

    statuses = [api.get(one()).status_code for _ in range(3)]
    refused = api.get(one())
    other_key = caller(burrell_key).get(one())

    assert statuses == [404, 404, 404]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert problem(refused)["title"] == "Too many requests"
    assert other_key.status_code == 404  # each key has its own count


def test_unusable_characters_and_unknown_addresses_are_problems_not_pages(caller, rediscover_key):
    api = caller(rediscover_key)

    nul_in_body = api.put(one(), fields_of(encounter_json(person_key="a\u0000b")))
    nul_in_path = api.get(one(encounter_id="a%00b"))
    unknown = api.get("/api/v1/nothing-here")
    outside_v1 = api.get("/api/")
    wrong_method = api.client.delete(one(), HTTP_AUTHORIZATION=f"Bearer {rediscover_key}")

    assert nul_in_body.status_code == 422
    assert problem(nul_in_body)["errors"] == [
        {
            "item": 0,
            "field": "person_key",
            "reason": "contains characters that cannot be used (such as a NUL byte)",
        }
    ]
    assert nul_in_path.status_code == 400 and problem(nul_in_path)
    assert unknown.status_code == outside_v1.status_code == 404
    assert problem(unknown) and problem(outside_v1)
    assert wrong_method.status_code == 405
    assert "PUT" in wrong_method["Allow"] and problem(wrong_method)


# --- The audit log --------------------------------------------------------------------


def test_every_call_is_one_line_of_the_audit_log_without_the_data(caller, rediscover_key, settings):
    from accounts.apikeys import ApiKey

    key = ApiKey.objects.get(prefix=rediscover_key.split("_")[1])
    api = caller(rediscover_key)
    before = AuditEvent.objects.count()

    api.put(one(), fields_of(encounter_json(1, person_key="SECRET-PERSON")))  # 200
    api.get(one())  # 200
    api.get(one(encounter_id="BS-0404"))  # 404
    api.post(BATCH, {"encounters": [encounter_json(2, minutes=9999)]})  # 422
    caller("marc_0000_wrong").get(one())  # 401
    api.get("/api/v1/unknown")  # 404, outside the endpoints
    settings.API_MAX_BODY_BYTES = 10
    api.post(BATCH, {"encounters": []})  # 413, before the API
    settings.API_RATE_LIMIT = "4/minute"
    api.get(one())  # 429: the key's 5th call through its check this minute
    api.client.get("/api/v1/docs/")  # the documentation: not a call

    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.detail["status"], e.outcome) for e in events] == [
        (200, "success"),
        (200, "success"),
        (404, "failure"),
        (422, "failure"),
        (401, "denied"),
        (404, "failure"),
        (413, "failure"),
        (429, "denied"),
    ]
    by_key = [e for e in events if e.detail.get("api_key") == key.pk]
    assert len(by_key) == 7
    assert {e.actor_username for e in by_key} == {f"api key {key.prefix}"}
    assert events[0].action == "create" and events[0].object_id == "blue-springs/BS-0001"
    assert events[0].detail["created"] == 1
    assert events[3].detail["errors"] == 1
    assert events[4].actor_username == "" and "api_key" not in events[4].detail
    assert "SECRET-PERSON" not in json.dumps([e.detail for e in events])
