"""Releases of the public figures: one row per published revision, frozen by a trigger.

The trigger refuses every UPDATE and DELETE of a release, whoever runs it (the portal, the
admin, a bulk update, a psql session): a correction is a new revision, never an edit.
TRUNCATE, which only a test database's flush uses, is left alone.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accounts.roles import Role
from core.grants import permissions_grant, permissions_revoke

FROZEN = """
CREATE FUNCTION coresponder_release_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'A published release cannot be changed or deleted: publish a revision.'
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER coresponder_release_frozen
    BEFORE UPDATE OR DELETE ON coresponder_release
    FOR EACH ROW EXECUTE FUNCTION coresponder_release_frozen();
"""

UNFROZEN = """
DROP TRIGGER IF EXISTS coresponder_release_frozen ON coresponder_release;
DROP FUNCTION IF EXISTS coresponder_release_frozen();
"""

# Program managers read releases in the admin too; nobody changes them there.
PERMISSIONS = {Role.PROGRAM_MANAGER: ["coresponder.view_release"]}


def grant_roles(apps, schema_editor):
    for role, permissions in PERMISSIONS.items():
        permissions_grant(apps, role, permissions)


def revoke_roles(apps, schema_editor):
    for role, permissions in PERMISSIONS.items():
        permissions_revoke(apps, role, permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("coresponder", "0005_import_unchanged_and_warnings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Release",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                (
                    "revision",
                    models.PositiveSmallIntegerField(help_text="1 for the first publication."),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text="Why this revision was published (revisions only).",
                        max_length=300,
                    ),
                ),
                ("published_at", models.DateTimeField()),
                (
                    "counts",
                    models.JSONField(
                        help_text="The true counts of both rows, {row: {count: n}}: staff "
                        "only, for revisions."
                    ),
                ),
                (
                    "figures",
                    models.JSONField(
                        help_text="What the public page prints, {row: {figure: {text, value, "
                        "status}}}."
                    ),
                ),
                (
                    "hidden_across",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Figures hidden because of earlier releases: [{row, figure, "
                        "reason}].",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-year", "-revision"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "revision"), name="release_one_per_revision"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("revision__gte", 1)), name="release_revision_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("revision", 1), models.Q(("note", ""), _negated=True), _connector="OR"
                        ),
                        name="release_revision_has_note",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 1900), ("year__lte", 2199)),
                        name="release_year_range",
                    ),
                ],
            },
        ),
        migrations.RunSQL(FROZEN, UNFROZEN),
        migrations.RunPython(grant_roles, revoke_roles),
    ]
