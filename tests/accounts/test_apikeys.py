"""The partners' API keys (issue 15): issued once and stored only as a hash, refused when
unknown, revoked or expired, and audited by who issued, revoked or used them."""

import datetime as dt
import hashlib
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.apikeys import (
    ApiKey,
    ApiScope,
    api_call_audit,
    api_key_authenticate,
    api_key_issue,
    api_key_revoke,
    api_key_status,
)
from accounts.models import AuditAction, AuditEvent, AuditOutcome, Organization

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOON = dt.datetime(2026, 5, 12, 12, 0, tzinfo=CHICAGO)


def org(code: str) -> Organization:
    return Organization.objects.get(dictionary_code=code)


def issue(by, *, scope=ApiScope.ENCOUNTERS, code="rediscover", days=365, name="Nightly upload"):
    return api_key_issue(
        name=name,
        organization=org(code),
        scope=scope,
        expires_at=NOON + dt.timedelta(days=days),
        by=by,
        ip="198.51.100.7",
        path="/staff/api-keys/new/",
    )


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def test_an_issued_key_works_with_its_secret_and_the_database_keeps_only_a_hash(
    clock, program_manager
):
    key, secret = issue(program_manager)

    assert secret.startswith(f"marc_{key.prefix}_")
    assert len(secret) > 50
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert api_key_authenticate(secret) == key
    assert api_key_authenticate(secret).organization.dictionary_code == "rediscover"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apikey")
        stored = [str(value) for row in cursor.fetchall() for value in row]
        cursor.execute("SELECT detail::text FROM accounts_auditevent")
        logged = [row[0] for row in cursor.fetchall()]
    random_part = secret.split("_", 2)[2]
    assert not any(random_part in value for value in stored + logged)


def test_a_wrong_or_malformed_secret_finds_no_key(clock, program_manager):
    key, secret = issue(program_manager)

    assert api_key_authenticate(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert api_key_authenticate(f"marc_{key.prefix}_") is None
    assert api_key_authenticate("marc_nothere_" + secret.split("_", 2)[2]) is None
    assert api_key_authenticate("") is None
    assert api_key_authenticate("Bearer " + secret) is None


def test_a_revoked_key_works_no_more_and_the_revocation_is_audited(clock, program_manager):
    key, secret = issue(program_manager)

    api_key_revoke(key, by=program_manager, ip="198.51.100.7", path="/staff/api-keys/1/revoke/")

    assert api_key_authenticate(secret) is None
    key.refresh_from_db()
    assert key.revoked_by == program_manager
    assert api_key_status(key) == "revoked"
    line = AuditEvent.objects.get(object_type="accounts.apikey", action=AuditAction.UPDATE)
    assert line.actor_id == program_manager.pk
    assert line.detail["revoked"] is True
    assert line.ip_address == "198.51.100.7"

    api_key_revoke(key, by=program_manager)  # again: nothing changes, nothing is recorded
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_an_expired_key_works_no_more(program_manager):
    with time_machine.travel(NOON, tick=False):
        key, secret = issue(program_manager, days=30)
    with time_machine.travel(NOON + dt.timedelta(days=30) - dt.timedelta(seconds=1), tick=False):
        assert api_key_authenticate(secret) == key
    with time_machine.travel(NOON + dt.timedelta(days=30), tick=False):
        assert api_key_authenticate(secret) is None
        assert api_key_status(key) == "expired"


def test_a_key_of_an_organization_made_inactive_works_no_more(clock, program_manager):
    key, secret = issue(program_manager)
    Organization.objects.filter(pk=key.organization_id).update(active=False)

    assert api_key_authenticate(secret) is None


def test_last_used_is_written_at_most_once_a_minute(clock, program_manager):
    key, secret = issue(program_manager)
    assert key.last_used_at is None

    api_key_authenticate(secret)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == NOON

    clock.shift(dt.timedelta(seconds=30))
    api_key_authenticate(secret)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == NOON

    clock.shift(dt.timedelta(seconds=31))
    api_key_authenticate(secret)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == NOON + dt.timedelta(seconds=61)


def test_the_organization_must_fit_the_scope(clock, program_manager):
    with pytest.raises(ValidationError) as police_for_encounters:
        issue(program_manager, scope=ApiScope.ENCOUNTERS, code="lees-summit")
    assert "behavioral-health provider" in str(police_for_encounters.value.message_dict)

    with pytest.raises(ValidationError) as provider_for_volume:
        issue(program_manager, scope=ApiScope.CALL_VOLUME, code="rediscover")
    assert "police department" in str(provider_for_volume.value.message_dict)

    uncoded = Organization.objects.create(name="No Code Clinic", kind="behavioral_health")
    with pytest.raises(ValidationError) as without_code:
        api_key_issue(
            name="x",
            organization=uncoded,
            scope=ApiScope.ENCOUNTERS,
            expires_at=NOON + dt.timedelta(days=30),
            by=program_manager,
        )
    assert "organization" in without_code.value.message_dict

    key, _ = issue(program_manager, scope=ApiScope.CALL_VOLUME, code="lees-summit")
    assert key.scope == ApiScope.CALL_VOLUME
    assert not ApiKey.objects.filter(organization__dictionary_code="rediscover").exists()


def test_the_expiry_is_after_now_and_at_most_two_years_away(clock, program_manager):
    with pytest.raises(ValidationError) as past:
        issue(program_manager, days=0)
    assert "expires_at" in past.value.message_dict
    with pytest.raises(ValidationError) as too_far:
        issue(program_manager, days=2 * 366 + 2)
    assert "two years" in str(too_far.value.message_dict)

    key, _ = issue(program_manager, days=2 * 365)
    assert key.expires_at == NOON + dt.timedelta(days=730)


def test_issuing_is_audited_as_the_staff_members_without_the_secret(clock, program_manager):
    key, secret = issue(program_manager)

    line = AuditEvent.objects.get(object_type="accounts.apikey", action=AuditAction.CREATE)
    assert line.actor_id == program_manager.pk
    assert line.object_id == str(key.pk)
    assert line.detail["organization"] == "rediscover"
    assert line.detail["prefix"] == key.prefix
    assert secret not in str(line.detail)


def test_an_api_call_is_audited_as_the_key_and_its_organization(clock, program_manager):
    key, _ = issue(program_manager)

    line = api_call_audit(
        key,
        action=AuditAction.CREATE,
        outcome=AuditOutcome.SUCCESS,
        ip="203.0.113.9",
        path="/api/v1/encounters/",
        object_type="coresponder.encounter",
        object_id="BS-0001",
        detail={"created": 3},
    )

    stored = AuditEvent.objects.get(pk=line.pk)
    assert stored.actor_id is None
    assert stored.actor_username == f"api key {key.prefix}"
    assert stored.detail == {
        "created": 3,
        "api_key": key.pk,
        "key_name": "Nightly upload",
        "organization": "rediscover",
    }
    assert stored.ip_address == "203.0.113.9"
    assert stored.path == "/api/v1/encounters/"
    assert stored.object_id == "BS-0001"


def test_a_call_without_a_valid_key_is_audited_as_anonymous(clock):
    line = api_call_audit(
        None,
        action=AuditAction.PERMISSION_DENIED,
        outcome=AuditOutcome.DENIED,
        ip="203.0.113.9",
        path="/api/v1/encounters/",
    )

    stored = AuditEvent.objects.get(pk=line.pk)
    assert stored.actor_id is None
    assert stored.actor_username == ""
    assert stored.outcome == AuditOutcome.DENIED
