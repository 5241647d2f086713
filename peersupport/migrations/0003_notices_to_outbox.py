"""Move the record of sent notices (SupportRequest.coordinators_notified_at and
Assignment.notified_at) into the outbox (core), as sent rows with the keys the new
notices use, so no notice sent before is sent again; then drop the two stamps.

Who the coordinators were when a request was announced was never stored: the rows name
the coordinators of today (active, with an address) for each announced request, the
same set of keys a new announcement of it would use. Reversible: going back sets the
stamps again from the outbox's sent rows.
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

COORDINATOR_GROUP = "Peer support coordinators"  # accounts.roles.Role.PEER_SUPPORT_COORDINATOR


def _sent_row(OutboxEmail, *, key, template, to, sent_at):
    return OutboxEmail(
        key=key,
        template=template,
        to=to,
        subject="",
        status="sent",
        attempts=1,
        next_attempt_at=sent_at,
        sent_at=sent_at,
    )


def copy_to_outbox(apps, schema_editor):
    SupportRequest = apps.get_model("peersupport", "SupportRequest")
    Assignment = apps.get_model("peersupport", "Assignment")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    OutboxEmail = apps.get_model("core", "OutboxEmail")
    coordinators = list(
        User.objects.filter(groups__name=COORDINATOR_GROUP, is_active=True)
        .exclude(email="")
        .distinct()
        .values_list("pk", "email")
    )
    rows = [
        _sent_row(
            OutboxEmail,
            key=f"peersupport-request:{request_id}:coordinator:{user_id}",
            template="peersupport/new_request",
            to=email,
            sent_at=notified_at,
        )
        for request_id, notified_at in SupportRequest.objects.filter(
            coordinators_notified_at__isnull=False
        ).values_list("pk", "coordinators_notified_at")
        for user_id, email in coordinators
    ]
    rows += [
        _sent_row(
            OutboxEmail,
            key=f"peersupport-assignment:{assignment_id}",
            template="peersupport/assignment",
            to=email or "",
            sent_at=notified_at,
        )
        for assignment_id, email, notified_at in Assignment.objects.filter(
            notified_at__isnull=False
        ).values_list("pk", "member__user__email", "notified_at")
    ]
    OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    # created_at is set on insert; the copies were created when they were sent.
    OutboxEmail.objects.filter(
        models.Q(key__startswith="peersupport-request:")
        | models.Q(key__startswith="peersupport-assignment:"),
        status="sent",
    ).update(created_at=models.F("sent_at"))


def copy_from_outbox(apps, schema_editor):
    SupportRequest = apps.get_model("peersupport", "SupportRequest")
    Assignment = apps.get_model("peersupport", "Assignment")
    OutboxEmail = apps.get_model("core", "OutboxEmail")
    announced: dict[int, object] = {}
    assigned: dict[int, object] = {}
    for key, sent_at in OutboxEmail.objects.filter(
        models.Q(key__startswith="peersupport-request:")
        | models.Q(key__startswith="peersupport-assignment:"),
        status="sent",
    ).values_list("key", "sent_at"):
        kind, object_id = key.split(":")[:2]
        found = announced if kind == "peersupport-request" else assigned
        found[int(object_id)] = min(found.get(int(object_id), sent_at), sent_at)
    for request_id, sent_at in announced.items():
        SupportRequest.objects.filter(pk=request_id).update(coordinators_notified_at=sent_at)
    for assignment_id, sent_at in assigned.items():
        Assignment.objects.filter(pk=assignment_id).update(notified_at=sent_at)


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0001_initial"),
        ('peersupport', '0002_roles'),
    ]

    operations = [
        migrations.RunPython(copy_to_outbox, copy_from_outbox),
        pgtrigger.migrations.RemoveTrigger(
            model_name='supportrequest',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='supportrequest',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='supportrequest',
            name='delete_delete',
        ),
        migrations.RemoveField(
            model_name='assignment',
            name='notified_at',
        ),
        migrations.RemoveField(
            model_name='supportrequest',
            name='coordinators_notified_at',
        ),
        migrations.RemoveField(
            model_name='supportrequestevent',
            name='coordinators_notified_at',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='supportrequest',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "peersupport_supportrequestevent" ("agency_id", "closed_at", "confidentiality_exception", "contact_purged_at", "first_contact_at", "id", "incident_date", "incident_kind", "outside_agency_name", "outside_region", "people_affected", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "request_type", "requester_role", "status", "status_token_hash", "submitted_at", "updated_at", "urgency") VALUES (NEW."agency_id", NEW."closed_at", NEW."confidentiality_exception", NEW."contact_purged_at", NEW."first_contact_at", NEW."id", NEW."incident_date", NEW."incident_kind", NEW."outside_agency_name", NEW."outside_region", NEW."people_affected", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reference", NEW."request_type", NEW."requester_role", NEW."status", NEW."status_token_hash", NEW."submitted_at", NEW."updated_at", NEW."urgency"); RETURN NULL;', hash='987feaab25fd47e1074fec96c0a2466fc004444f', operation='INSERT', pgid='pgtrigger_insert_insert_690c0', table='peersupport_supportrequest', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='supportrequest',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."agency_id" IS DISTINCT FROM (NEW."agency_id") OR OLD."closed_at" IS DISTINCT FROM (NEW."closed_at") OR OLD."confidentiality_exception" IS DISTINCT FROM (NEW."confidentiality_exception") OR OLD."contact_purged_at" IS DISTINCT FROM (NEW."contact_purged_at") OR OLD."first_contact_at" IS DISTINCT FROM (NEW."first_contact_at") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."incident_date" IS DISTINCT FROM (NEW."incident_date") OR OLD."incident_kind" IS DISTINCT FROM (NEW."incident_kind") OR OLD."outside_agency_name" IS DISTINCT FROM (NEW."outside_agency_name") OR OLD."outside_region" IS DISTINCT FROM (NEW."outside_region") OR OLD."people_affected" IS DISTINCT FROM (NEW."people_affected") OR OLD."reference" IS DISTINCT FROM (NEW."reference") OR OLD."request_type" IS DISTINCT FROM (NEW."request_type") OR OLD."requester_role" IS DISTINCT FROM (NEW."requester_role") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."status_token_hash" IS DISTINCT FROM (NEW."status_token_hash") OR OLD."submitted_at" IS DISTINCT FROM (NEW."submitted_at") OR OLD."updated_at" IS DISTINCT FROM (NEW."updated_at") OR OLD."urgency" IS DISTINCT FROM (NEW."urgency"))', func='INSERT INTO "peersupport_supportrequestevent" ("agency_id", "closed_at", "confidentiality_exception", "contact_purged_at", "first_contact_at", "id", "incident_date", "incident_kind", "outside_agency_name", "outside_region", "people_affected", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "request_type", "requester_role", "status", "status_token_hash", "submitted_at", "updated_at", "urgency") VALUES (NEW."agency_id", NEW."closed_at", NEW."confidentiality_exception", NEW."contact_purged_at", NEW."first_contact_at", NEW."id", NEW."incident_date", NEW."incident_kind", NEW."outside_agency_name", NEW."outside_region", NEW."people_affected", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reference", NEW."request_type", NEW."requester_role", NEW."status", NEW."status_token_hash", NEW."submitted_at", NEW."updated_at", NEW."urgency"); RETURN NULL;', hash='623a5fdbb958cd163449fc04e8d701850fd27a79', operation='UPDATE', pgid='pgtrigger_update_update_ea465', table='peersupport_supportrequest', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='supportrequest',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "peersupport_supportrequestevent" ("agency_id", "closed_at", "confidentiality_exception", "contact_purged_at", "first_contact_at", "id", "incident_date", "incident_kind", "outside_agency_name", "outside_region", "people_affected", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "request_type", "requester_role", "status", "status_token_hash", "submitted_at", "updated_at", "urgency") VALUES (OLD."agency_id", OLD."closed_at", OLD."confidentiality_exception", OLD."contact_purged_at", OLD."first_contact_at", OLD."id", OLD."incident_date", OLD."incident_kind", OLD."outside_agency_name", OLD."outside_region", OLD."people_affected", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reference", OLD."request_type", OLD."requester_role", OLD."status", OLD."status_token_hash", OLD."submitted_at", OLD."updated_at", OLD."urgency"); RETURN NULL;', hash='ccd9860a13a03835a356f5df95dee0eb0d3b2c2c', operation='DELETE', pgid='pgtrigger_delete_delete_929a1', table='peersupport_supportrequest', when='AFTER')),
        ),
    ]
