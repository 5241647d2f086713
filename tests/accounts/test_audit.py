"""The append-only audit log: what it records, what the database refuses, its admin and export,
and the database-level history of confidential models."""

import csv
import datetime as dt
import io

import pytest
from django.apps import apps
from django.db import Error, connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.audit import audit_denied, audit_record, is_confidential
from accounts.models import AuditAction, AuditEvent, AuditOutcome
from accounts.roles import Role
from accounts.services import audit_purge_expired
from tests.testapp.models import ConfidentialNote

pytestmark = pytest.mark.django_db

# --- audit_record ------------------------------------------------------------------------


def test_an_event_records_who_what_which_object_when_where_and_the_outcome(rf, make_staff):
    user = make_staff(username="reader")
    note = ConfidentialNote.objects.create(owner=user, text="private")
    request = rf.get("/staff/notes/1/", REMOTE_ADDR="198.51.100.3")
    request.user = user
    before = timezone.now()

    event = audit_record(request=request, action=AuditAction.VIEW, obj=note)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == user.pk
    assert stored.actor_username == "reader"
    assert stored.action == AuditAction.VIEW
    assert stored.object_type == "testapp.confidentialnote"
    assert stored.object_id == str(note.pk)
    assert before <= stored.at <= timezone.now()
    assert stored.ip_address == "198.51.100.3"
    assert stored.path == "/staff/notes/1/"
    assert stored.outcome == AuditOutcome.SUCCESS


def test_a_refusal_is_recorded_as_denied_for_the_signed_in_user(rf, make_staff):
    user = make_staff()
    request = rf.get("/staff/x/", REMOTE_ADDR="203.0.113.8")
    request.user = user
    event = audit_denied(request, object_type="testapp.confidentialnote", object_id=7)
    assert (event.actor_id, event.action, event.outcome, event.object_id) == (
        user.pk,
        AuditAction.PERMISSION_DENIED,
        AuditOutcome.DENIED,
        "7",
    )


def test_behind_a_trusted_proxy_the_event_keeps_the_clients_address(rf, make_staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    request.user = make_staff()
    assert audit_record(request=request, action=AuditAction.VIEW).ip_address == "198.51.100.9"


def test_an_event_without_a_request_names_the_actor_given(make_staff):
    actor = make_staff(username="system-admin")
    event = audit_record(action=AuditAction.ACCOUNT_DEACTIVATED, actor=actor)
    assert (event.actor_id, event.actor_username, event.ip_address, event.path) == (
        actor.pk,
        "system-admin",
        None,
        "",
    )


def test_removing_an_account_leaves_its_audit_trail(make_staff):
    user = make_staff(username="gone")
    audit_record(action=AuditAction.VIEW, actor=user)
    user.delete()
    assert AuditEvent.objects.filter(actor_username="gone").count() == 1


# --- Append-only, enforced by the database -----------------------------------------------


def _refused(action) -> None:
    with pytest.raises(Error, match="append-only"), transaction.atomic():
        action()


@pytest.fixture
def event(make_staff):
    return audit_record(action=AuditAction.SIGN_IN, actor=make_staff(username="honest"))


def _unchanged(event) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_username, stored.action) == ("honest", AuditAction.SIGN_IN)


def test_the_orm_cannot_bulk_update_the_audit_log(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(actor_username="mallory"))
    _unchanged(event)


def test_the_orm_cannot_save_changes_to_an_audit_event(event):
    event.actor_username = "mallory"
    _refused(event.save)
    _unchanged(event)


def test_the_orm_cannot_bulk_delete_from_the_audit_log(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _unchanged(event)


def test_the_orm_cannot_delete_an_audit_event(event):
    _refused(event.delete)
    _unchanged(event)


def _raw(sql: str, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_raw_sql_cannot_update_the_audit_log(event):
    _refused(
        _raw("UPDATE accounts_auditevent SET actor_username = 'mallory' WHERE id = %s", [event.pk])
    )
    _refused(_raw("UPDATE accounts_auditevent SET action = 'view'"))
    _unchanged(event)


def test_raw_sql_cannot_delete_from_the_audit_log(event):
    _refused(_raw("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk]))
    _refused(_raw("DELETE FROM accounts_auditevent"))
    _unchanged(event)


def test_raw_sql_cannot_empty_the_audit_log_with_truncate(event):
    # Test connections allow TRUNCATE for Django's flush; switch that off as in production.
    with pytest.raises(Error), transaction.atomic():
        _raw("SET LOCAL marc.audit_truncate = 'off'")()
        _raw("TRUNCATE accounts_auditevent")()
    _unchanged(event)


# --- Retention purge ---------------------------------------------------------------------


def _event_aged(days: float, username: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_auditevent
                (at, actor_username, action, outcome, object_type, object_id, path, detail)
            VALUES (now() - make_interval(secs => %s), %s, 'view', 'success', '', '', '', '{}')
            RETURNING id
            """,
            [days * 86400, username],
        )
        return cursor.fetchone()[0]


def test_an_expired_entry_cannot_be_deleted_without_the_purge(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = _event_aged(45, "old")
    _refused(_raw("DELETE FROM accounts_auditevent WHERE id = %s", [old]))
    _refused(lambda: AuditEvent.objects.filter(pk=old).delete())
    assert AuditEvent.objects.filter(pk=old).exists()


def test_the_purge_deletes_only_entries_older_than_the_retention_period(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = _event_aged(31, "old")
    much_older = _event_aged(3000, "ancient")
    recent = _event_aged(29, "recent")
    today = audit_record(action=AuditAction.VIEW).pk

    assert audit_purge_expired() == 2

    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert {recent, today} <= remaining
    assert not {old, much_older} & remaining


def test_the_purge_keeps_six_years_by_default():
    kept = _event_aged(6 * 365 - 1, "kept")
    gone = _event_aged(6 * 365 + 1, "gone")
    assert audit_purge_expired() == 1
    assert AuditEvent.objects.filter(pk=kept).exists()
    assert not AuditEvent.objects.filter(pk=gone).exists()


def test_the_purge_cannot_be_told_to_delete_recent_entries(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    recent = _event_aged(10, "recent")
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")  # the trigger's clock, whatever the test's clock says
        database_now = cursor.fetchone()[0]
    with pytest.raises(Error), transaction.atomic():
        audit_purge_expired(now=database_now + dt.timedelta(days=30))
    assert AuditEvent.objects.filter(pk=recent).exists()


# --- The audit log in the admin ----------------------------------------------------------


@pytest.fixture
def events(make_staff):
    alice = make_staff(username="alice")
    return [
        audit_record(action=AuditAction.SIGN_IN, actor=alice),
        audit_record(action=AuditAction.SIGN_IN, actor=alice),
        audit_record(
            action=AuditAction.SIGN_IN_FAILED,
            outcome=AuditOutcome.FAILURE,
            detail={"username": "alice"},
        ),
        audit_record(action=AuditAction.EXPORT, actor=alice, object_type="programs.document"),
    ]


def test_the_audit_log_lists_entries_without_an_add_button(superuser_client, events):
    response = superuser_client.get("/admin/accounts/auditevent/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/admin/accounts/auditevent/add/" not in html
    assert response.context["cl"].result_count == AuditEvent.objects.count()


def test_the_audit_log_add_page_is_forbidden(superuser_client):
    assert superuser_client.get("/admin/accounts/auditevent/add/").status_code == 403
    response = superuser_client.post("/admin/accounts/auditevent/add/", {"action": "sign_in"})
    assert response.status_code == 403


def test_an_audit_entry_can_be_viewed_but_not_changed(superuser_client, events):
    event = events[0]
    url = f"/admin/accounts/auditevent/{event.pk}/change/"
    page = superuser_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert "alice" in html
    response = superuser_client.post(url, {"actor_username": "mallory", "action": "view"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.actor_username, event.action) == ("alice", AuditAction.SIGN_IN)


def test_an_audit_entry_cannot_be_deleted_in_the_admin(superuser_client, events):
    event = events[0]
    url = f"/admin/accounts/auditevent/{event.pk}/delete/"
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    superuser_client.post(
        "/admin/accounts/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action__exact=sign_in", {AuditAction.SIGN_IN}),
        ("outcome__exact=failure", {AuditAction.SIGN_IN_FAILED}),
        ("object_type__exact=programs.document", {AuditAction.EXPORT}),
    ],
)
def test_the_audit_log_filters_narrow_the_list(superuser_client, events, query, expected):
    response = superuser_client.get(f"/admin/accounts/auditevent/?{query}")
    assert response.status_code == 200
    shown = {event.action for event in response.context["cl"].result_list}
    assert shown == expected


def test_the_audit_log_searches_by_username(superuser_client, events, make_staff):
    audit_record(action=AuditAction.SIGN_IN, actor=make_staff(username="bob"))
    response = superuser_client.get("/admin/accounts/auditevent/?q=bob")
    assert {e.actor_username for e in response.context["cl"].result_list} == {"bob"}


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


HEADER = [
    "at",
    "actor_id",
    "actor_username",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "ip_address",
    "path",
    "detail",
]


def test_the_export_holds_only_the_filtered_entries_under_a_header_row(superuser_client, events):
    expected = AuditEvent.objects.filter(action=AuditAction.SIGN_IN).count()
    response = superuser_client.get("/admin/accounts/auditevent/export.csv?action__exact=sign_in")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == HEADER
    body = rows[1:]
    assert len(body) == expected >= 2
    assert {row[HEADER.index("action")] for row in body} == {"sign_in"}
    assert "alice" in {row[HEADER.index("actor_username")] for row in body}


def test_the_export_is_itself_audited(make_staff, staff_client, events):
    auditor = make_staff(superuser=True, username="auditor")
    staff_client(auditor).get("/admin/accounts/auditevent/export.csv?action__exact=sign_in")
    export = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="accounts.auditevent")
    assert export.actor_username == "auditor"
    assert export.detail == {"filters": {"action__exact": "sign_in"}}


def test_an_administrator_with_admin_access_may_export(make_staff, staff_client, events):
    administrator = make_staff(roles=[Role.ADMINISTRATOR])
    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    response = staff_client(administrator).get("/admin/accounts/auditevent/export.csv")
    assert response.status_code == 200
    assert len(_csv_rows(response)) > 1


def test_staff_without_the_audit_permission_cannot_export(make_staff, staff_client, events):
    editor = make_staff(roles=[Role.SITE_EDITOR])
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    client = staff_client(editor)
    assert client.get("/admin/accounts/auditevent/export.csv").status_code == 403
    assert client.get("/admin/accounts/auditevent/").status_code == 403
    assert not AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="accounts.auditevent"
    ).exists()


def test_anonymous_visitors_cannot_export(client, events):
    response = client.get("/admin/accounts/auditevent/export.csv")
    assert response.status_code == 302
    assert "export.csv" not in response.get("Content-Disposition", "")


def test_a_formula_typed_as_a_username_is_exported_inert(superuser_client):
    Client().post(
        "/account/login/",
        {
            "login_view-current_step": "auth",
            "auth-username": '=HYPERLINK("http://evil.example","x")',
            "auth-password": "wrong password",
        },
    )
    response = superuser_client.get(
        "/admin/accounts/auditevent/export.csv?action__exact=sign_in_failed"
    )
    rows = _csv_rows(response)[1:]
    assert len(rows) == 1
    assert "HYPERLINK" in rows[0][HEADER.index("actor_username")]
    for cell in (cell for row in rows for cell in row):
        assert not cell.startswith(("=", "+", "-", "@")), cell


# --- Confidential models: every write captured by the database ---------------------------


def _history(note_pk: int) -> list[tuple[str, str]]:
    event_model = apps.get_model("testapp", "ConfidentialNoteEvent")
    return list(
        event_model.objects.filter(pgh_obj_id=note_pk)
        .order_by("pgh_id")
        .values_list("pgh_label", "text")
    )


def test_a_model_declared_confidential_is_known_as_such():
    assert is_confidential(ConfidentialNote)
    assert not is_confidential(AuditEvent)


def test_creating_a_confidential_record_is_captured():
    note = ConfidentialNote.objects.create(text="first")
    assert _history(note.pk) == [("insert", "first")]


def test_a_bulk_update_of_confidential_records_is_captured():
    a = ConfidentialNote.objects.create(text="a")
    b = ConfidentialNote.objects.create(text="b")
    assert ConfidentialNote.objects.update(text="bulk") == 2
    assert _history(a.pk)[-1] == ("update", "bulk")
    assert _history(b.pk)[-1] == ("update", "bulk")


def test_raw_sql_changes_to_confidential_records_are_captured():
    note = ConfidentialNote.objects.create(text="before")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE testapp_confidentialnote SET text = 'raw' WHERE id = %s", [note.pk])
        cursor.execute("DELETE FROM testapp_confidentialnote WHERE id = %s", [note.pk])
    assert _history(note.pk) == [("insert", "before"), ("update", "raw"), ("delete", "raw")]


def test_deleting_a_confidential_record_through_the_orm_is_captured():
    note = ConfidentialNote.objects.create(text="short-lived")
    pk = note.pk
    note.delete()
    assert _history(pk)[-1] == ("delete", "short-lived")


def test_private_link_tokens_never_reach_the_audit_log(rf):
    from django.contrib.auth.models import AnonymousUser

    from accounts.audit import audit_record
    from accounts.models import AuditAction

    request = rf.get("/peer-support/status/s3cr3t-t0ken-value/")
    request.user = AnonymousUser()
    event = audit_record(request=request, action=AuditAction.VIEW, object_type="x")
    assert event.path == "/peer-support/status/[link]/"
    assert "s3cr3t" not in str(event.detail)
