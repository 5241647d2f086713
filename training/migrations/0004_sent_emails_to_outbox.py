"""Move the record of sent training emails (SentEmail keys) into the outbox (core), as
sent rows with the same keys, so no email sent before is sent again; then drop SentEmail.

The keys are the outbox's keys for these emails: registration:<id>:<kind>[:<date>],
training-message:<uuid>:<registration>, training-event-cancelled:<event>:<registration>
and training-history-link:<digest>:<window>. The recipient is filled in where the key
names a registration that still exists; subjects and contents were never stored.
Reversible: going back recreates SentEmail from the outbox's sent training rows.
"""

from django.db import migrations, models

PREFIXES = (
    "registration:",
    "training-message:",
    "training-event-cancelled:",
    "training-history-link:",
)
TEMPLATES = {
    "training-message": "training/message",
    "training-event-cancelled": "training/event_cancelled",
    "training-history-link": "training/history_link",
}


def _parse(key: str) -> tuple[str, int | None]:
    """The outbox template of a key, and the registration it names (or None)."""
    parts = key.split(":")
    if parts[0] == "registration" and len(parts) >= 3 and parts[1].isdigit():
        return f"training/{parts[2]}", int(parts[1])
    template = TEMPLATES.get(parts[0], "training/unknown")
    if parts[0] in ("training-message", "training-event-cancelled") and parts[-1].isdigit():
        return template, int(parts[-1])
    return template, None


def _training_keys():
    query = models.Q()
    for prefix in PREFIXES:
        query |= models.Q(key__startswith=prefix)
    return query


def copy_to_outbox(apps, schema_editor):
    SentEmail = apps.get_model("training", "SentEmail")
    Registration = apps.get_model("training", "Registration")
    OutboxEmail = apps.get_model("core", "OutboxEmail")
    sent = list(SentEmail.objects.values_list("key", "sent_at"))
    parsed = {key: _parse(key) for key, _ in sent}
    wanted = {registration for _, registration in parsed.values() if registration}
    addresses = dict(Registration.objects.filter(pk__in=wanted).values_list("pk", "email"))
    OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                key=key,
                template=parsed[key][0],
                to=addresses.get(parsed[key][1], ""),
                subject="",
                status="sent",
                attempts=1,
                next_attempt_at=sent_at,
                sent_at=sent_at,
            )
            for key, sent_at in sent
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    # created_at is set on insert; the copies were created when they were sent.
    OutboxEmail.objects.filter(_training_keys(), status="sent").update(
        created_at=models.F("sent_at")
    )


def copy_from_outbox(apps, schema_editor):
    SentEmail = apps.get_model("training", "SentEmail")
    OutboxEmail = apps.get_model("core", "OutboxEmail")
    sent = list(
        OutboxEmail.objects.filter(_training_keys(), status="sent").values_list(
            "key", "sent_at"
        )
    )
    SentEmail.objects.bulk_create(
        [SentEmail(key=key) for key, _ in sent], ignore_conflicts=True, batch_size=1000
    )
    for key, sent_at in sent:  # sent_at is set on insert
        SentEmail.objects.filter(key=key).update(sent_at=sent_at)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("training", "0003_history_links"),
    ]

    operations = [
        migrations.RunPython(copy_to_outbox, copy_from_outbox),
        migrations.DeleteModel(name="SentEmail"),
    ]
