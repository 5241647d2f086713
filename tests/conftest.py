"""Fixtures every test may use. Real PostgreSQL always; Redis and Chromium where present.

Under CI (CI=true) a missing Redis or Chromium fails the tests that need them; on a
laptop without them those tests are skipped with the reason.
"""

import os

import pytest
from django.core.cache import cache

UNDER_CI = bool(os.environ.get("CI"))


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if UNDER_CI:
        pytest.fail(f"Required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (the page cache included)."""
    from programs.pagecache import content_changed

    cache.clear()
    content_changed()
    yield
    cache.clear()
    content_changed()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Staff accounts --------------------------------------------------------------------
# Every later test gets an insider, an outsider and an anonymous user from these helpers:
#     insider = make_staff(roles=[Role.TRAINING_COORDINATOR]); client = staff_client(insider)


@pytest.fixture
def make_staff(db):
    """Create a staff account with roles, enrolled in two-factor (a confirmed TOTP device)."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    counter = iter(range(1, 10_000))

    def make(*, roles=(), username=None, enrolled=True, superuser=False, **fields):
        n = next(counter)
        user = User.objects.create_user(
            username=username or f"staff{n}",
            email=f"staff{n}@example.org",
            password="correct horse battery staple",
            is_staff=superuser,
            is_superuser=superuser,
            **fields,
        )
        for role in roles:
            # get_or_create: browser tests flush the database, role groups included
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        if enrolled:
            TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        return user

    return make


@pytest.fixture
def staff_client(client):
    """Sign a user in on the test client with a verified two-factor session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def sign_in(user):
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return sign_in


@pytest.fixture
def insider(make_staff):
    return make_staff(superuser=True)


@pytest.fixture
def outsider(make_staff):
    return make_staff(roles=())


# --- The clock ---------------------------------------------------------------------------
# TEST_CLOCK=2026-12-31T23:45-06:00 make test  runs the whole suite as if it were that moment
# (the clock keeps ticking from there). CI runs the suite on whatever day it is; this lets a
# developer check that no test depends on the day it runs: month ends, the end of a
# credit-hour cycle, the night of a daylight-saving change.


def pytest_configure(config):
    moment = os.environ.get("TEST_CLOCK")
    if moment:
        import datetime as dt

        import time_machine

        traveller = time_machine.travel(dt.datetime.fromisoformat(moment))
        traveller.start()
        config.add_cleanup(traveller.stop)
