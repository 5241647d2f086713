"""Staff sessions end after 30 minutes idle, after 12 hours, on sign-out and on deactivation."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from accounts.models import AuditAction, AuditEvent
from accounts.services import user_deactivate
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

MINUTE = 60
HOUR = 60 * MINUTE


def _set_session_times(client, *, signed_in_ago: float, last_seen_ago: float) -> None:
    now = time.time()
    session = client.session
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN] = now - last_seen_ago
    session.save()


def _is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_staff_session_idle_for_just_under_30_minutes_continues(make_staff, staff_client):
    client = staff_client(make_staff())
    _set_session_times(client, signed_in_ago=2 * HOUR, last_seen_ago=29 * MINUTE)
    assert client.get("/staff/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).exists()


def test_a_staff_session_ends_after_30_minutes_idle(make_staff, staff_client):
    user = make_staff()
    client = staff_client(user)
    assert client.get("/staff/").status_code == 200
    _set_session_times(client, signed_in_ago=HOUR, last_seen_ago=31 * MINUTE)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/staff/"
    sign_in_page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in sign_in_page.content.decode()
    assert not _is_signed_in(client)
    assert client.get("/staff/").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED)
    assert event.actor_id == user.pk
    assert event.detail == {"reason": "idle"}
    assert event.path == "/staff/"


def test_a_staff_session_ends_after_12_hours_even_when_active(make_staff, staff_client):
    user = make_staff()
    client = staff_client(user)
    _set_session_times(client, signed_in_ago=12 * HOUR + MINUTE, last_seen_ago=MINUTE)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    sign_in_page = client.get(response["Location"])
    assert "Sessions last 12 hours at most" in sign_in_page.content.decode()
    assert not _is_signed_in(client)
    event = AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED)
    assert event.actor_id == user.pk
    assert event.detail == {"reason": "maximum length"}


def test_the_idle_limit_follows_the_setting(make_staff, staff_client, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 5
    client = staff_client(make_staff())
    _set_session_times(client, signed_in_ago=MINUTE, last_seen_ago=10)
    assert client.get("/staff/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).count() == 1


def test_activity_keeps_a_session_alive_past_30_minutes_since_sign_in(make_staff, staff_client):
    client = staff_client(make_staff())
    _set_session_times(client, signed_in_ago=HOUR, last_seen_ago=20 * MINUTE)
    assert client.get("/staff/").status_code == 200
    assert time.time() - client.session[LAST_SEEN] < MINUTE  # the visit counted as activity


def test_a_report_page_polling_by_itself_does_not_keep_a_session_alive(make_staff, staff_client):
    client = staff_client(make_staff())
    _set_session_times(client, signed_in_ago=HOUR, last_seen_ago=20 * MINUTE)
    # static/js/report-progress.js asks with this header every few seconds
    assert client.get("/staff/", headers={"X-Background-Poll": "1"}).status_code == 200
    assert time.time() - client.session[LAST_SEEN] > 19 * MINUTE  # not counted as activity
    _set_session_times(client, signed_in_ago=HOUR, last_seen_ago=31 * MINUTE)
    assert client.get("/staff/", headers={"X-Background-Poll": "1"}).status_code == 302


def test_an_expired_session_also_ends_on_a_public_page(make_staff, staff_client):
    client = staff_client(make_staff())
    _set_session_times(client, signed_in_ago=HOUR, last_seen_ago=31 * MINUTE)
    client.get("/")
    assert not _is_signed_in(client)
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED).count() == 1


def test_signing_out_ends_the_session(make_staff, staff_client):
    user = make_staff()
    client = staff_client(user)
    assert client.get("/staff/").status_code == 200
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert not _is_signed_in(client)
    assert client.get("/staff/").status_code == 302
    assert AuditEvent.objects.filter(actor_id=user.pk, action=AuditAction.SIGN_OUT).exists()


def test_sign_out_cannot_be_triggered_by_a_link(make_staff, staff_client):
    client = staff_client(make_staff())
    assert client.get("/account/logout/").status_code == 405
    assert client.get("/staff/").status_code == 200


def test_deactivating_an_account_ends_all_its_sessions_at_once(make_staff):
    user = make_staff()
    other = make_staff()
    laptop, phone = signed_in_client(user), signed_in_client(user)
    colleague = signed_in_client(other)
    for client in (laptop, phone, colleague):
        assert client.get("/staff/").status_code == 200
    user_sessions = {laptop.session.session_key, phone.session.session_key}

    ended = user_deactivate(user=user, by=other)

    assert ended == 2
    assert not Session.objects.filter(session_key__in=user_sessions).exists()
    for client in (laptop, phone):
        response = client.get("/staff/")
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
        assert not _is_signed_in(client)
    assert colleague.get("/staff/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_DEACTIVATED)
    assert event.actor_id == other.pk
    assert event.object_type == "accounts.user"
    assert event.object_id == str(user.pk)
    assert event.detail == {"sessions_ended": 2}


def test_a_deactivated_account_cannot_sign_in_again(make_staff):
    user = make_staff(username="leaver")
    user_deactivate(user=user)
    response = Client().post(
        "/account/login/",
        {
            "login_view-current_step": "auth",
            "auth-username": "leaver",
            "auth-password": "correct horse battery staple",
        },
    )
    assert response.status_code == 200
    assert "6-digit code" not in response.content.decode()


def _user_change_data(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": list(user.groups.values_list("pk", flat=True)),
        "user_permissions": [],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "organization": "",
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_unchecking_active_in_the_admin_ends_the_accounts_sessions(make_staff):
    admin_user = make_staff(superuser=True)
    admin = signed_in_client(admin_user)
    user = make_staff()
    browser = signed_in_client(user)
    assert browser.get("/staff/").status_code == 200

    data = _user_change_data(user)
    del data["is_active"]
    response = admin.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    user.refresh_from_db()
    assert not user.is_active
    assert not _is_signed_in(browser)
    assert browser.get("/staff/").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.ACCOUNT_DEACTIVATED)
    assert event.actor_id == admin_user.pk
    assert event.detail == {"sessions_ended": 1}


def test_editing_an_active_account_in_the_admin_leaves_its_sessions_alone(make_staff):
    admin = signed_in_client(make_staff(superuser=True))
    user = make_staff()
    browser = signed_in_client(user)
    response = admin.post(
        f"/admin/accounts/user/{user.pk}/change/", _user_change_data(user, first_name="Pat")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.first_name == "Pat" and user.is_active
    assert browser.get("/staff/").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.ACCOUNT_DEACTIVATED).exists()


def test_the_admin_deactivate_action_signs_the_accounts_out(make_staff):
    admin = signed_in_client(make_staff(superuser=True))
    user = make_staff()
    browser = signed_in_client(user)
    response = admin.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert not _is_signed_in(browser)
