"""The partner API's callers: keys of two providers and of one police department, issued by
the program manager as in production (accounts.apikeys), and a client that sends them.

The clock is frozen at noon on March 16, 2026, Kansas City time: the dictionary's date
rules (no encounter in the future) and the keys' expiry depend on today.
"""

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine

NOON = dt.datetime(2026, 3, 16, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def issue(program_manager):
    """issue(organization code, scope) → the secret of a new key of that organization."""
    from accounts.apikeys import api_key_issue
    from tests.coresponder.factories import org

    def make(code: str, scope: str = "encounters", *, days: int = 365) -> str:
        _key, secret = api_key_issue(
            name=f"{code} {scope}",
            organization=org(code),
            scope=scope,
            expires_at=NOON + dt.timedelta(days=days),
            by=program_manager,
        )
        return secret

    return make


@pytest.fixture
def rediscover_key(issue):
    return issue("rediscover")


@pytest.fixture
def burrell_key(issue):
    return issue("burrell")


@pytest.fixture
def grandview_key(issue):
    return issue("grandview", "call-volume")


class Caller:
    """A partner's program: JSON in, JSON out, with its key."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self, headers: dict | None) -> dict:
        sent = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}
        return {**sent, **(headers or {})}

    def get(self, path: str, **headers):
        return self.client.get(path, **self._headers(headers))

    def put(self, path: str, body, **headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        headers.setdefault("content_type", "application/json")
        content_type = headers.pop("content_type")
        return self.client.put(path, data, content_type=content_type, **self._headers(headers))

    def post(self, path: str, body, **headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        headers.setdefault("content_type", "application/json")
        content_type = headers.pop("content_type")
        return self.client.post(path, data, content_type=content_type, **self._headers(headers))


@pytest.fixture
def caller(client):
    """caller(secret) → a Caller sending that key (None: no key at all)."""
    return lambda secret: Caller(client, secret)


def encounter_json(number: int = 1, **overrides) -> dict:
    """A ReDiscover encounter of Blue Springs with typed JSON values."""
    values = {
        "encounter_id": f"BS-{number:04}",
        "agency": "blue-springs",
        "provider": "rediscover",
        "date": "2026-03-02",
        "time": "14:30",
        "referral_source": "911-call",
        "contact_type": "on-scene",
        "concerns": ["mental-health", "housing"],
        "assessment": "yes",
        "disposition": "resolved-on-scene",
        "linked_to_services": "no",
        "age_group": "25-34",
        "minutes": 45,
    }
    values.update(overrides)
    return values


def fields_of(values: dict) -> dict:
    """An encounter without its key, as a PUT to its address sends it."""
    return {k: v for k, v in values.items() if k not in ("agency", "encounter_id")}
