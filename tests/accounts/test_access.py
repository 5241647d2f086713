"""Roles as groups, the staff-only view decorator, scoped objects and the staff landing page."""

import re

import pytest
from django.contrib.auth.models import Group

from accounts.models import AuditAction, AuditEvent, AuditOutcome
from accounts.roles import ROLE_PERMISSIONS, Role
from tests.testapp.models import ConfidentialNote

pytestmark = pytest.mark.django_db

# --- Roles -------------------------------------------------------------------------------


def test_every_role_exists_as_a_group_after_migrations():
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in Role} <= names


@pytest.mark.parametrize("role", list(ROLE_PERMISSIONS))
def test_each_role_group_holds_its_listed_permissions(role):
    group = Group.objects.get(name=role)
    held = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert set(ROLE_PERMISSIONS[role]) <= held


@pytest.mark.parametrize(
    "permission",
    [
        "programs.change_programpage",
        "programs.add_programpage",
        "programs.change_document",
        "programs.change_highlight",
        "programs.change_programarea",
    ],
)
def test_a_site_editor_may_edit_program_content(make_staff, permission):
    editor = make_staff(roles=[Role.SITE_EDITOR])
    assert editor.has_perm(permission)


def test_a_staff_member_without_the_site_editor_role_may_not_edit_program_content(make_staff):
    trainer = make_staff(roles=[Role.TRAINING_COORDINATOR])
    assert not trainer.has_perm("programs.change_programpage")


def test_a_site_editor_with_admin_access_reaches_the_program_pages_admin(make_staff, staff_client):
    editor = make_staff(roles=[Role.SITE_EDITOR])
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    client = staff_client(editor)
    assert client.get("/admin/programs/programpage/").status_code == 200
    assert client.get("/admin/programs/programpage/add/").status_code == 200
    assert client.get("/admin/accounts/auditevent/").status_code == 403


# --- staff_required ----------------------------------------------------------------------

urls = pytest.mark.urls("tests.testapp.urls")


@urls
def test_a_role_holder_opens_a_role_only_view(make_staff, staff_client):
    insider = make_staff(roles=[Role.TRAINING_COORDINATOR])
    response = staff_client(insider).get("/staff/test/roster/")
    assert response.status_code == 200
    assert response.content == b"training roster"
    assert not AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()


@urls
def test_a_superuser_opens_every_role_only_view(insider, staff_client):
    assert staff_client(insider).get("/staff/test/roster/").status_code == 200


@urls
def test_a_verified_outsider_gets_403_and_the_refusal_is_audited(make_staff, staff_client):
    outsider = make_staff(roles=[Role.SITE_EDITOR])
    response = staff_client(outsider).get("/staff/test/roster/", REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 403
    assert "training roster" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.actor_id == outsider.pk
    assert event.actor_username == outsider.username
    assert event.outcome == AuditOutcome.DENIED
    assert event.object_type == "view:tests.testapp.views.roster"
    assert event.path == "/staff/test/roster/"
    assert event.ip_address == "198.51.100.4"


@urls
def test_an_anonymous_visitor_is_sent_to_sign_in_from_a_role_only_view(client):
    response = client.get("/staff/test/roster/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/staff/test/roster/"
    assert not AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()


@urls
def test_a_role_holder_without_a_verified_session_is_sent_to_sign_in(make_staff, client):
    insider = make_staff(roles=[Role.TRAINING_COORDINATOR])
    client.force_login(insider)  # password only, no second factor this session
    response = client.get("/staff/test/roster/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


@urls
def test_a_deactivated_role_holder_is_refused(make_staff, staff_client):
    insider = make_staff(roles=[Role.TRAINING_COORDINATOR])
    client = staff_client(insider)
    insider.is_active = False
    insider.save(update_fields=["is_active"])
    assert client.get("/staff/test/roster/").status_code == 302


@urls
def test_a_view_open_to_any_role_admits_staff_without_roles(make_staff, staff_client):
    assert staff_client(make_staff()).get("/staff/test/any/").status_code == 200


# --- scoped_get_or_404 -------------------------------------------------------------------


@urls
def test_the_owner_of_a_scoped_object_sees_it(make_staff, staff_client):
    owner = make_staff()
    note = ConfidentialNote.objects.create(owner=owner, text="owner's note")
    response = staff_client(owner).get(f"/staff/test/notes/{note.pk}/")
    assert response.status_code == 200
    assert response.content.decode() == "owner's note"


@urls
def test_an_outsider_gets_404_for_a_scoped_object_and_it_is_audited(make_staff, staff_client):
    owner, outsider = make_staff(), make_staff()
    note = ConfidentialNote.objects.create(owner=owner, text="owner's note")
    response = staff_client(outsider).get(f"/staff/test/notes/{note.pk}/")
    assert response.status_code == 404
    assert "owner's note" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert event.actor_id == outsider.pk
    assert event.outcome == AuditOutcome.DENIED
    assert event.object_type == "testapp.confidentialnote"
    assert event.object_id == str(note.pk)


@urls
def test_an_outsider_cannot_tell_a_hidden_object_from_a_missing_one(make_staff, staff_client):
    owner, outsider = make_staff(), make_staff()
    note = ConfidentialNote.objects.create(owner=owner, text="owner's note")
    client = staff_client(outsider)
    hidden = client.get(f"/staff/test/notes/{note.pk}/")
    missing = client.get(f"/staff/test/notes/{note.pk + 1000}/")
    assert hidden.status_code == missing.status_code == 404
    assert _without_csrf_tokens(hidden) == _without_csrf_tokens(missing)


def _without_csrf_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


@urls
def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_scoped_object(make_staff, client):
    note = ConfidentialNote.objects.create(owner=make_staff(), text="owner's note")
    response = client.get(f"/staff/test/notes/{note.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


# --- The staff landing page --------------------------------------------------------------


def test_a_site_editor_sees_program_pages_but_not_the_audit_log(make_staff, staff_client):
    html = staff_client(make_staff(roles=[Role.SITE_EDITOR])).get("/staff/").content.decode()
    assert "Program pages and documents" in html
    assert "Audit log" not in html
    assert "Change your password" in html


def test_an_administrator_sees_the_audit_log(make_staff, staff_client):
    html = staff_client(make_staff(roles=[Role.ADMINISTRATOR])).get("/staff/").content.decode()
    assert "Audit log" in html
    assert "Program pages and documents" not in html
    assert "Change your password" in html


def test_a_staff_member_without_roles_is_told_so(make_staff, staff_client):
    html = staff_client(make_staff()).get("/staff/").content.decode()
    assert "has no roles yet" in html
    assert "Program pages and documents" not in html
    assert "Audit log" not in html
    assert "Change your password" in html


def test_a_superuser_sees_account_management(insider, staff_client):
    html = staff_client(insider).get("/staff/").content.decode()
    assert "Accounts, roles and organizations" in html
    assert "Audit log" in html


def test_an_administrator_can_open_the_audit_log_linked_from_the_landing_page(
    make_staff, staff_client
):
    client = staff_client(make_staff(roles=[Role.ADMINISTRATOR]))
    assert 'href="/admin/accounts/auditevent/"' in client.get("/staff/").content.decode()
    response = client.get("/admin/accounts/auditevent/")
    assert response.status_code == 200
