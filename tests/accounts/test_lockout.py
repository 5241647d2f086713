"""Sign-in lockout (django-axes, accounts.lockout): per account and address together, a
slowdown for an account attacked from many addresses, the client address behind proxies,
and typed passwords kept nowhere."""

import datetime as dt
import importlib
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory

from accounts.models import AuditAction, AuditEvent, AuditOutcome
from accounts.network import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOCKED = "Sign-in is locked for now"
SLOWED = "Please wait before you try again"
CODE_STEP = "6-digit code"
WRONG = "Please enter a correct username and password"


def _sign_in(client, username, password=PASSWORD, **extra):
    """The password step of the two-factor sign-in, with the wizard's field names."""
    return client.post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": username, "auth-password": password},
        **extra,
    )


def _fail(username, address, times=1, **extra):
    for _ in range(times):
        response = _sign_in(Client(), username, "wrong password", REMOTE_ADDR=address, **extra)
        assert response.status_code in (200, 429)
    return response


def _failures(username, address) -> int:
    attempt = AccessAttempt.objects.filter(username=username, ip_address=address).first()
    return attempt.failures_since_start if attempt else 0


# --- Per account and address together ---------------------------------------------------


def test_five_failures_lock_the_account_from_that_address_only(make_staff):
    make_staff(username="target")
    last = _fail("target", "203.0.113.9", times=5)
    assert last.status_code == 429
    assert LOCKED in last.content.decode()
    locked = _sign_in(Client(), "target", REMOTE_ADDR="203.0.113.9")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert LOCKED in html
    assert CODE_STEP not in html
    assert 'href="/account/password-reset/"' in html
    elsewhere = _sign_in(Client(), "target", REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 200
    assert CODE_STEP in elsewhere.content.decode()


def test_four_failures_do_not_lock_an_account(client, make_staff):
    make_staff(username="clumsy")
    for _ in range(4):
        assert _sign_in(client, "clumsy", "wrong password").status_code == 200
    response = _sign_in(client, "clumsy")
    assert response.status_code == 200
    assert CODE_STEP in response.content.decode()


def test_a_scanner_as_alice_does_not_lock_the_coordinator_on_the_same_address(make_staff):
    make_staff(username="alice")
    make_staff(username="coordinator")
    shared_network = "203.0.113.40"  # e.g. one 911 center behind one NAT address
    _fail("alice", shared_network, times=6)
    assert _sign_in(Client(), "alice", REMOTE_ADDR=shared_network).status_code == 429

    response = _sign_in(Client(), "coordinator", REMOTE_ADDR=shared_network)
    assert response.status_code == 200
    assert CODE_STEP in response.content.decode()


def test_guesses_at_many_accounts_from_one_address_lock_none_of_them(make_staff):
    make_staff(username="bystander")
    for n in range(6):
        _fail(f"guess{n}", "203.0.113.9")
    response = _sign_in(Client(), "bystander", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert CODE_STEP in response.content.decode()


def test_a_success_by_bob_does_not_clear_alices_failures_from_the_same_address(make_staff):
    make_staff(username="alice")
    make_staff(username="bob", enrolled=False)  # signs in with the password step alone
    shared_network = "203.0.113.41"
    _fail("alice", shared_network, times=4)
    _fail("bob", shared_network, times=2)

    bob = Client()
    signed_in = _sign_in(bob, "bob", REMOTE_ADDR=shared_network)
    assert signed_in.status_code == 302
    assert "_auth_user_id" in bob.session
    assert _failures("bob", shared_network) == 0  # bob's own failures are reset
    assert _failures("alice", shared_network) == 4  # alice's are not

    fifth = _sign_in(Client(), "alice", "wrong password", REMOTE_ADDR=shared_network)
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()


def test_a_success_resets_only_that_address(make_staff):
    make_staff(username="alice", enrolled=False)
    _fail("alice", "198.51.100.1", times=3)
    _fail("alice", "198.51.100.2", times=2)
    assert _sign_in(Client(), "alice", REMOTE_ADDR="198.51.100.1").status_code == 302
    assert _failures("alice", "198.51.100.1") == 0
    assert _failures("alice", "198.51.100.2") == 2


def test_failed_sign_ins_and_the_lockout_are_in_the_audit_log(make_staff):
    make_staff(username="target")
    _fail("target", "10.0.0.5", times=5)
    failed = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert failed.count() == 5
    assert set(failed.values_list("actor_username", flat=True)) == {"target"}
    assert set(failed.values_list("ip_address", flat=True)) == {"10.0.0.5"}
    assert set(failed.values_list("outcome", flat=True)) == {AuditOutcome.FAILURE}
    locked = AuditEvent.objects.get(action=AuditAction.LOCKED_OUT)
    assert locked.actor_username == "target"
    assert locked.outcome == AuditOutcome.DENIED
    assert locked.ip_address == "10.0.0.5"
    assert locked.path == "/account/login/"


def test_attempts_refused_while_locked_do_not_extend_the_lock(make_staff):
    make_staff(username="target")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        _fail("target", "10.0.0.5", times=5)
        clock.shift(dt.timedelta(minutes=50))
        _fail("target", "10.0.0.5", times=3)  # refused: the lock still ends at 10:00
        assert _failures("target", "10.0.0.5") == 5
        clock.shift(dt.timedelta(minutes=11))
        response = _sign_in(Client(), "target", REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200
    assert CODE_STEP in response.content.decode()


def test_resetting_the_attempts_unlocks_the_account(make_staff):
    make_staff(username="target")
    _fail("target", "10.0.0.6", times=5)
    assert _sign_in(Client(), "target", REMOTE_ADDR="10.0.0.6").status_code == 429
    assert axes_reset(username="target") >= 1
    response = _sign_in(Client(), "target", REMOTE_ADDR="10.0.0.6")
    assert response.status_code == 200
    assert CODE_STEP in response.content.decode()


def test_an_administrator_unlocks_an_account_in_the_admin(make_staff, staff_client):
    make_staff(username="target")
    _fail("target", "10.0.0.6", times=5)
    assert _sign_in(Client(), "target", REMOTE_ADDR="10.0.0.6").status_code == 429

    admin = staff_client(make_staff(superuser=True))
    changelist = admin.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200
    assert "target" in changelist.content.decode()
    ids = list(AccessAttempt.objects.filter(username="target").values_list("pk", flat=True))
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="target").exists()

    response = _sign_in(Client(), "target", REMOTE_ADDR="10.0.0.6")
    assert response.status_code == 200
    assert CODE_STEP in response.content.decode()


# --- An account attacked from many addresses is slowed down ------------------------------


def _wait_of(response) -> int:
    assert response.status_code == 429, response.status_code
    html = " ".join(response.content.decode().split())
    assert SLOWED in html
    assert 'href="/account/password-reset/"' in html
    match = re.search(r"Try again in (\d+) seconds?\.", html)
    assert match, html
    assert response["Retry-After"] == match.group(1)
    return int(match.group(1))


def test_failures_on_alice_from_twenty_addresses_slow_her_down_and_tell_an_administrator_once(
    make_staff, settings, django_capture_on_commit_callbacks
):
    settings.SIGN_IN_SLOWDOWN_AFTER = 10
    settings.SIGN_IN_SLOWDOWN_MAX_SECONDS = 300
    make_staff(username="alice")
    administrator = make_staff(username="admin", superuser=True)
    make_staff(username="unrelated")  # neither superuser nor Administrator: not told
    attackers = [f"192.0.2.{n}" for n in range(1, 21)]

    waits = []
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        # Each phase commits (the outbox sends its emails) at the end of its block.
        with django_capture_on_commit_callbacks(execute=True):
            for address in attackers[:9]:  # under the threshold: ordinary failures
                response = _fail("alice", address)
                assert response.status_code == 200
                assert WRONG in response.content.decode()
        assert mail.outbox == []

        with django_capture_on_commit_callbacks(execute=True):
            for address in attackers[9:]:
                failed = _fail("alice", address)  # checked, and wrong
                assert failed.status_code == 200
                refused = _fail("alice", address)  # at once: refused, not checked
                waits.append(_wait_of(refused))
                clock.shift(dt.timedelta(seconds=waits[-1]))

        # alice herself, with the right password, is refused during a wait ...
        _fail("alice", "198.51.100.7")
        waiting = _sign_in(Client(), "alice", REMOTE_ADDR="198.51.100.7")
        wait = _wait_of(waiting)
        assert CODE_STEP not in waiting.content.decode()
        # ... and gets in once it is over: slowed down, never locked for the hour.
        clock.shift(dt.timedelta(seconds=wait))
        response = _sign_in(Client(), "alice", REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 200
        assert CODE_STEP in response.content.decode()

    assert waits[:6] == [5, 10, 20, 40, 80, 160]
    assert waits[6:] == [300] * 5  # capped at SIGN_IN_SLOWDOWN_MAX_SECONDS
    assert wait == 300

    # Refused attempts counted for nothing: one recorded failure per attacker, plus alice's.
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 21

    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [administrator.email]
    assert "alice" in notice.subject
    assert "10 failed sign-in attempts" in " ".join(notice.body.split())
    assert "wrong password" not in notice.body
    slowed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_SLOWED)
    assert slowed.outcome == AuditOutcome.DENIED
    assert slowed.object_type == "accounts.user"
    assert slowed.detail["username"] == "alice"
    assert slowed.detail["failures"] == 10
    refused = AuditEvent.objects.filter(
        action=AuditAction.SIGN_IN_FAILED, detail__refused__isnull=False
    )
    assert refused.count() == 12


def test_administrators_by_role_are_told_too(
    make_staff, settings, django_capture_on_commit_callbacks
):
    from accounts.roles import Role

    settings.SIGN_IN_SLOWDOWN_AFTER = 3
    make_staff(username="alice")
    administrator = make_staff(username="auditor", roles=[Role.ADMINISTRATOR])
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            _fail("alice", f"192.0.2.{n}")
    assert [message.to for message in mail.outbox] == [[administrator.email]]


def test_a_name_that_is_nobodys_is_slowed_down_without_a_notice(make_staff, settings):
    settings.SIGN_IN_SLOWDOWN_AFTER = 3
    make_staff(superuser=True)
    for n in range(3):
        _fail("root", f"192.0.2.{n}")
    assert _wait_of(_fail("root", "192.0.2.99")) == 5
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=AuditAction.SIGN_IN_SLOWED).exists()


# --- The client address behind proxies ---------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.9", "10.1.1.1"),  # no proxy: the header is the client's own writing
        (1, "", "10.1.1.1"),
        (1, " , ", "10.1.1.1"),
        (1, "not-an-address", "10.1.1.1"),
        (1, "198.51.100.9", "198.51.100.9"),
        (1, "192.0.2.66, 198.51.100.9", "198.51.100.9"),
        (2, "192.0.2.66", "10.1.1.1"),  # fewer entries than proxies: not through them
        (2, "192.0.2.66, 198.51.100.9, 10.2.2.2", "198.51.100.9"),
    ],
)
def test_the_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_one_proxy_a_spoofed_forwarded_address_does_not_evade_the_lock(make_staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_staff(username="target")
    for n in range(5):
        _fail("target", "10.1.1.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9")
    locked = _sign_in(
        Client(), "target", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.9"
    )
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    # Another client behind the same proxy is not locked.
    other = _sign_in(
        Client(), "target", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="198.51.100.10"
    )
    assert other.status_code == 200
    assert CODE_STEP in other.content.decode()


def test_a_forged_forwarded_address_without_the_proxys_entry_does_not_change_the_address(
    make_staff, settings
):
    """Two proxies expected, one entry sent: it came straight to gunicorn, forged."""
    settings.TRUSTED_PROXY_COUNT = 2
    make_staff(username="target")
    for n in range(5):
        _fail("target", "203.0.113.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert _failures("target", "203.0.113.50") == 5
    locked = _sign_in(
        Client(), "target", REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.77"
    )
    assert locked.status_code == 429


def test_one_proxy_and_a_forged_header_that_is_no_address_does_not_change_the_address(
    make_staff, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    make_staff(username="target")
    for n in range(5):
        _fail("target", "203.0.113.51", HTTP_X_FORWARDED_FOR=f"evil-{n}, ,")
    assert _failures("target", "203.0.113.51") == 5
    assert _sign_in(Client(), "target", REMOTE_ADDR="203.0.113.51").status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(make_staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    make_staff(username="target")
    for n in range(5):
        _fail("target", "203.0.113.52", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    locked = _sign_in(
        Client(), "target", REMOTE_ADDR="203.0.113.52", HTTP_X_FORWARDED_FOR="198.51.100.77"
    )
    assert locked.status_code == 429
    other = _sign_in(
        Client(), "target", REMOTE_ADDR="203.0.113.53", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert other.status_code == 200


# --- A very long username ----------------------------------------------------------------


def test_a_username_over_255_characters_is_refused_with_the_normal_error(make_staff):
    make_staff(username="alice")
    long_name = "alice" + "x" * 395
    response = _sign_in(Client(), long_name, REMOTE_ADDR="203.0.113.60")
    assert response.status_code == 200
    html = response.content.decode()
    assert WRONG in html
    assert CODE_STEP not in html
    attempt = AccessAttempt.objects.get(ip_address="203.0.113.60")
    assert attempt.username == long_name[:255]
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert failed.actor_username == long_name[:150]
    # It counts like any other name: five of them lock that name, not alice.
    last = _fail(long_name, "203.0.113.60", times=4)
    assert last.status_code == 429
    assert _sign_in(Client(), "alice", REMOTE_ADDR="203.0.113.60").status_code == 200


# --- Typed passwords are kept nowhere ----------------------------------------------------

SECRET = "Tangerine-Quokka-4417"


def _stored_text() -> str:
    """Every value of every row of every axes table and of the audit log, as one text."""
    rows = []
    for model in [*apps.get_app_config("axes").get_models(), AuditEvent]:
        rows.extend(str(row) for row in model.objects.values())
    return "\n".join(rows)


def test_typed_passwords_are_stored_nowhere(make_staff, staff_client, settings, caplog):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    settings.SIGN_IN_SLOWDOWN_AFTER = 6
    caplog.set_level("DEBUG")
    make_staff(username="alice")
    typed = [f"{SECRET}-{n}" for n in range(8)]
    for n, password in enumerate(typed):  # locked after 5; slowed from the 6th account-wide
        address = "203.0.113.70" if n < 6 else f"203.0.113.{71 + n}"
        _sign_in(Client(), "alice", password, REMOTE_ADDR=address)
    _sign_in(Client(), "nobody", f"{SECRET}-nobody", REMOTE_ADDR="203.0.113.90")
    # The code steps' fields too (a code is a password of a minute).
    Client().post(
        "/account/login/",
        {
            "login_view-current_step": "token",
            "token-otp_token": "918273",
            "auth-password": f"{SECRET}-late",
        },
        REMOTE_ADDR="203.0.113.91",
    )

    assert AccessAttempt.objects.filter(username="alice").exists()
    stored = _stored_text()
    assert "alice" in stored
    assert SECRET not in stored
    assert "918273" not in stored
    assert SECRET not in caplog.text

    admin = staff_client(make_staff(superuser=True))
    pages = [
        "/admin/axes/accessattempt/",
        "/admin/axes/accessfailurelog/",
        "/admin/accounts/auditevent/",
        *(
            f"/admin/axes/accessattempt/{pk}/change/"
            for pk in AccessAttempt.objects.values_list("pk", flat=True)
        ),
    ]
    for page in pages:
        response = admin.get(page)
        assert response.status_code == 200, page
        assert SECRET not in response.content.decode(), page


def test_the_migration_erases_the_form_data_kept_before(make_staff):
    attempt = AccessAttempt.objects.create(
        username="alice",
        ip_address="203.0.113.80",
        user_agent="test",
        http_accept="*/*",
        path_info="/account/login/",
        failures_since_start=1,
        get_data="",
        post_data="",
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(  # as older versions stored it
        post_data=f"auth-username=alice\nauth-password={SECRET}"
    )
    migration = importlib.import_module("accounts.migrations.0005_axes_attempts_without_form_data")

    class Editor:
        connection = connection

    migration.erase_form_data(apps, Editor())
    attempt.refresh_from_db()
    assert attempt.post_data == ""
