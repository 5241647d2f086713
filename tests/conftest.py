"""Fixtures every test may use. Real PostgreSQL always; Redis and Chromium where present.

Under CI (CI=true) a missing Redis or Chromium fails the tests that need them; on a
laptop without them those tests are skipped with the reason.
"""

import os

import pytest
from django.core.cache import cache

UNDER_CI = bool(os.environ.get("CI"))
PASSWORD = "correct horse battery staple"  # of every account make_staff creates


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if UNDER_CI:
        pytest.fail(f"Required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (the page cache included)."""
    from core.pagecache import invalidate_all

    cache.clear()
    invalidate_all()
    yield
    cache.clear()
    invalidate_all()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Staff accounts --------------------------------------------------------------------
# Every later test gets an insider, an outsider and an anonymous user from these helpers:
#     insider = make_staff(roles=[Role.TRAINING_COORDINATOR]); client = staff_client(insider)


def granted_by_migrations() -> dict[str, set[str]]:
    """The permissions the data migrations give each role ("app_label.codename")."""
    from importlib import import_module

    from accounts.roles import ROLE_PERMISSIONS, Role

    granted = {role: set(permissions) for role, permissions in ROLE_PERMISSIONS.items()}
    for module in (
        "coresponder.migrations.0003_roles",
        "coresponder.migrations.0006_releases",
        "accounts.migrations.0009_apikey_roles",
    ):
        for role, permissions in import_module(module).PERMISSIONS.items():
            granted.setdefault(role, set()).update(permissions)
    for role, module in (
        (Role.TRAINING_COORDINATOR, "training.migrations.0002_coordinator_role"),
        (Role.PEER_SUPPORT_COORDINATOR, "peersupport.migrations.0002_roles"),
    ):
        granted.setdefault(role, set()).update(import_module(module).PERMISSIONS)
    return granted


def role_group(role: str):
    """The role's group with the permissions the data migrations gave it. Transactional and
    browser tests flush the database after them, groups and their permissions included, so
    a later test on the same worker gets them back here."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=role)
    wanted = granted_by_migrations().get(role)
    if wanted and not group.permissions.exists():
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


@pytest.fixture
def make_staff(db):
    """Create a staff account with roles, enrolled in two-factor (a confirmed TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    counter = iter(range(1, 10_000))

    def make(*, roles=(), username=None, enrolled=True, superuser=False, **fields):
        n = next(counter)
        user = User.objects.create_user(
            username=username or f"staff{n}",
            email=f"staff{n}@example.org",
            password=PASSWORD,
            is_staff=superuser,
            is_superuser=superuser,
            **fields,
        )
        for role in roles:
            user.groups.add(role_group(role))
        if enrolled:
            TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        return user

    return make


def _sign_in(client, user):
    """Sign the user in on the client, with the two-factor session verified by the user's
    confirmed device (if they have one)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def staff_client(client):
    """Sign a user in on the test client with a verified two-factor session."""
    return lambda user: _sign_in(client, user)


def signed_in_client(user):
    """A test client of its own, signed in as the user with a verified two-factor session:
    for tests where several people use the site at once (staff_client has one client)."""
    from django.test import Client

    return _sign_in(Client(), user)


@pytest.fixture
def insider(make_staff):
    return make_staff(superuser=True)


@pytest.fixture
def outsider(make_staff):
    return make_staff(roles=())


# --- Roles -------------------------------------------------------------------------------
# The people of more than one app's tests. Those of one app only are in its own conftest.py
# (tests/coresponder/conftest.py: clinicians; tests/peersupport/conftest.py: team members).


@pytest.fixture
def superuser_client(make_staff, staff_client):
    """The test client, signed in with two factors as a superuser (the admin's pages)."""
    return staff_client(make_staff(superuser=True))


@pytest.fixture
def program_manager(make_staff):
    """A co-responder program manager (every record, every report)."""
    from accounts.roles import Role

    return make_staff(roles=[Role.PROGRAM_MANAGER])


@pytest.fixture
def lees_summit_liaison(make_staff):
    """The agency liaison of the Lee's Summit Police Department."""
    from accounts.models import Organization
    from accounts.roles import Role

    organization = Organization.objects.get(dictionary_code="lees-summit")
    return make_staff(roles=[Role.AGENCY_LIAISON], organization=organization)


@pytest.fixture
def training_coordinator(make_staff):
    from accounts.roles import Role

    return make_staff(roles=[Role.TRAINING_COORDINATOR])


@pytest.fixture
def peer_coordinator(make_staff):
    """A peer support coordinator, Casey Coord."""
    from accounts.roles import Role

    return make_staff(roles=[Role.PEER_SUPPORT_COORDINATOR], first_name="Casey", last_name="Coord")


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
