"""Move the record of sent ready notices (ReadyNotice rows) into the outbox (core), as
sent rows keyed report-ready:<run>:<user> like the new notices, so no notice sent before
is sent again; then drop ReadyNotice. Subjects and contents were never stored.
Reversible: going back recreates ReadyNotice from the outbox's sent report-ready rows
whose run and user still exist.
"""

from django.conf import settings
from django.db import migrations, models


def copy_to_outbox(apps, schema_editor):
    ReadyNotice = apps.get_model("reports", "ReadyNotice")
    OutboxEmail = apps.get_model("core", "OutboxEmail")
    notices = ReadyNotice.objects.values_list("run_id", "user_id", "user__email", "sent_at")
    OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                key=f"report-ready:{run_id}:{user_id}",
                template="reports/ready",
                to=email or "",
                subject="",
                status="sent",
                attempts=1,
                next_attempt_at=sent_at,
                sent_at=sent_at,
            )
            for run_id, user_id, email, sent_at in notices.iterator()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    # created_at is set on insert; the copies were created when they were sent.
    OutboxEmail.objects.filter(key__startswith="report-ready:", status="sent").update(
        created_at=models.F("sent_at")
    )


def copy_from_outbox(apps, schema_editor):
    ReadyNotice = apps.get_model("reports", "ReadyNotice")
    ReportRun = apps.get_model("reports", "ReportRun")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    OutboxEmail = apps.get_model("core", "OutboxEmail")
    sent = []
    for key, sent_at in OutboxEmail.objects.filter(
        key__startswith="report-ready:", status="sent"
    ).values_list("key", "sent_at"):
        _, run_id, user_id = key.split(":")
        sent.append((int(run_id), int(user_id), sent_at))
    runs = set(ReportRun.objects.filter(pk__in={s[0] for s in sent}).values_list("pk", flat=True))
    users = set(User.objects.filter(pk__in={s[1] for s in sent}).values_list("pk", flat=True))
    for run_id, user_id, sent_at in sent:
        if run_id in runs and user_id in users:
            notice, _ = ReadyNotice.objects.get_or_create(run_id=run_id, user_id=user_id)
            ReadyNotice.objects.filter(pk=notice.pk).update(sent_at=sent_at)


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("core", "0001_initial"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_to_outbox, copy_from_outbox),
        migrations.DeleteModel(name="ReadyNotice"),
    ]
