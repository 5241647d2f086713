"""The staff pages of the API keys (issue 15): program managers issue, list and revoke keys;
the secret is shown once; nobody else gets in; and a key never opens a staff page."""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.test import Client

from accounts.apikeys import ApiKey, ApiScope, api_key_authenticate, api_key_issue
from accounts.models import AuditAction, AuditEvent, Organization
from accounts.roles import Role
from core.confirm import CONFIRM_FIELD

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOON = dt.datetime(2026, 5, 12, 12, 0, tzinfo=CHICAGO)
SECRET = re.compile(r"marc_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def org(code: str) -> Organization:
    return Organization.objects.get(dictionary_code=code)


def issue_form(**overrides) -> dict:
    data = {
        "name": "ReDiscover nightly upload",
        "scope": ApiScope.ENCOUNTERS,
        "organization": str(org("rediscover").pk),
        "expires_on": "2027-05-12",
    }
    data.update(overrides)
    return data


def a_key(by, **fields) -> ApiKey:
    key, _ = api_key_issue(
        name=fields.get("name", "Lee's Summit monthly"),
        organization=org(fields.get("code", "lees-summit")),
        scope=fields.get("scope", ApiScope.CALL_VOLUME),
        expires_at=NOON + dt.timedelta(days=90),
        by=by,
    )
    return key


def test_a_program_manager_issues_a_key_and_sees_its_secret_once(staff_client, program_manager):
    client = staff_client(program_manager)

    form = client.get("/staff/api-keys/new/")
    assert form.status_code == 200
    assert 'value="2027-05-12"' in form.content.decode()  # one year ahead by default
    response = client.post("/staff/api-keys/new/", issue_form())

    key = ApiKey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/api-keys/{key.pk}/issued/"
    shown = client.get(response["Location"])
    assert shown["Cache-Control"] == "no-store"
    page = shown.content.decode()
    secret = SECRET.search(page).group(0)
    assert "will not be shown again" in page
    assert "Authorization: Bearer" in page
    assert "js/copy-secret.js" in page
    assert api_key_authenticate(secret) == key
    assert key.organization == org("rediscover")
    assert key.scope == ApiScope.ENCOUNTERS
    # Works to the end of the chosen day, Chicago time.
    assert key.expires_at == dt.datetime(2027, 5, 13, tzinfo=CHICAGO)
    assert key.created_by == program_manager

    again = client.get(response["Location"]).content.decode()
    assert secret not in again
    assert not SECRET.search(again)
    assert "cannot be shown again" in again
    assert secret not in client.get("/staff/api-keys/").content.decode()
    line = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.apikey")
    assert line.actor_id == program_manager.pk
    assert line.path == "/staff/api-keys/new/"


def test_the_secret_of_one_key_is_not_shown_on_another_keys_page(staff_client, program_manager):
    client = staff_client(program_manager)
    older = a_key(program_manager)
    client.post("/staff/api-keys/new/", issue_form())

    page = client.get(f"/staff/api-keys/{older.pk}/issued/").content.decode()

    assert not SECRET.search(page)
    assert "cannot be shown again" in page


def test_an_organization_that_does_not_fit_the_scope_is_refused_clearly(
    staff_client, program_manager
):
    client = staff_client(program_manager)

    response = client.post(
        "/staff/api-keys/new/", issue_form(organization=str(org("lees-summit").pk))
    )

    assert response.status_code == 400
    assert "A key for encounters belongs to a behavioral-health provider" in (
        response.content.decode()
    )
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    ("expires_on", "message"),
    [
        ("2026-05-12", "Choose an expiry date after today."),
        ("2028-05-13", "at most two years: choose 2028-05-12"),
        ("12/05/2027", "is not a date written YYYY-MM-DD"),
    ],
)
def test_the_expiry_is_a_typed_day_within_two_years(
    staff_client, program_manager, expires_on, message
):
    response = staff_client(program_manager).post(
        "/staff/api-keys/new/", issue_form(expires_on=expires_on)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_form_offers_only_organizations_with_a_code_of_the_two_kinds(
    staff_client, program_manager
):
    Organization.objects.create(name="Uncoded Counseling", kind="behavioral_health")
    Organization.objects.create(name="Coded Fire District", kind="fire", dictionary_code="fd-9")

    page = staff_client(program_manager).get("/staff/api-keys/new/").content.decode()

    assert "ReDiscover" in page
    assert "Lee&#x27;s Summit" in page or "Lee's Summit" in page
    assert "Uncoded Counseling" not in page
    assert "Coded Fire District" not in page


def test_the_list_shows_each_keys_status(staff_client, program_manager, clock):
    active = a_key(program_manager, name="Still working")
    expired = a_key(program_manager, name="Old one")
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=NOON - dt.timedelta(days=1))
    revoked = a_key(program_manager, name="Taken back")
    staff_client(program_manager).post(
        f"/staff/api-keys/{revoked.pk}/revoke/", {CONFIRM_FIELD: "yes"}
    )

    page = staff_client(program_manager).get("/staff/api-keys/").content.decode()

    assert 'class="table-scroll"' in page
    starts = {
        key.name: page.index(f'<th scope="row">{key.name}</th>')
        for key in (active, expired, revoked)
    }
    rows = {name: page[start : page.index("</tr>", start)] for name, start in starts.items()}
    assert "Active" in rows["Still working"] and "Revoke" in rows["Still working"]
    assert "Expired" in rows["Old one"]
    assert "Revoked May 12, 2026" in rows["Taken back"]
    assert "Revoke…" not in rows["Taken back"]
    assert f"marc_{active.prefix}" in rows["Still working"]


def test_revoking_asks_once_more_then_the_key_works_no_more(staff_client, program_manager):
    key, secret = api_key_issue(
        name="Raytown monthly",
        organization=org("lees-summit"),
        scope=ApiScope.CALL_VOLUME,
        expires_at=NOON + dt.timedelta(days=90),
        by=program_manager,
    )
    client = staff_client(program_manager)

    asked = client.post(f"/staff/api-keys/{key.pk}/revoke/")
    assert asked.status_code == 200
    assert "Revoke the key “Raytown monthly”?" in asked.content.decode()
    assert 'class="btn btn-danger"' in asked.content.decode()
    assert api_key_authenticate(secret) == key

    done = client.post(f"/staff/api-keys/{key.pk}/revoke/", {CONFIRM_FIELD: "yes"}, follow=True)
    assert "is revoked" in done.content.decode()
    assert api_key_authenticate(secret) is None
    line = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="accounts.apikey")
    assert line.actor_id == program_manager.pk
    assert line.detail["revoked"] is True


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.AGENCY_LIAISON, Role.CORESPONDER_CLINICIAN, Role.SITE_EDITOR]
)
def test_other_roles_are_refused_every_page(staff_client, make_staff, program_manager, role):
    key = a_key(program_manager)
    client = staff_client(make_staff(roles=[role]))

    assert client.get("/staff/api-keys/").status_code == 403
    assert client.get("/staff/api-keys/new/").status_code == 403
    assert client.post("/staff/api-keys/new/", issue_form()).status_code == 403
    assert client.get(f"/staff/api-keys/{key.pk}/issued/").status_code == 403
    assert (
        client.post(f"/staff/api-keys/{key.pk}/revoke/", {CONFIRM_FIELD: "yes"}).status_code == 403
    )
    assert ApiKey.objects.count() == 1
    assert ApiKey.objects.get().revoked_at is None
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 5


def test_a_program_manager_whose_role_lost_the_permission_is_refused(staff_client, program_manager):
    from django.contrib.auth.models import Group

    Group.objects.get(name=Role.PROGRAM_MANAGER).permissions.filter(codename="add_apikey").delete()
    client = staff_client(program_manager)

    assert client.get("/staff/api-keys/").status_code == 200
    assert client.get("/staff/api-keys/new/").status_code == 403


def test_the_program_managers_staff_pages_list_the_api_keys(staff_client, program_manager):
    page = staff_client(program_manager).get("/staff/").content.decode()

    assert 'href="/staff/api-keys/"' in page


def test_a_valid_key_does_not_open_a_staff_page(program_manager):
    key, secret = api_key_issue(
        name="Nightly",
        organization=org("rediscover"),
        scope=ApiScope.ENCOUNTERS,
        expires_at=NOON + dt.timedelta(days=90),
        by=program_manager,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    for path in ("/staff/", "/staff/api-keys/", "/staff/api-keys/new/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/login/"), path
    refused = client.post(f"/staff/api-keys/{key.pk}/revoke/", {CONFIRM_FIELD: "yes"})
    assert refused.status_code in (302, 403)
    assert ApiKey.objects.get().revoked_at is None
