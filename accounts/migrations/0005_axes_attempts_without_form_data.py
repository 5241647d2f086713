"""Erase the form data django-axes kept of failed sign-ins: it held typed passwords.

The two-factor sign-in form names its password field "auth-password", which axes did not
mask, so every failed attempt's password was stored in clear in axes_accessattempt.post_data
(and shown in the admin). The portal now keeps no form data of attempts (accounts.lockout);
this empties what was stored before. Nothing can be put back, so the reverse does nothing.
"""

from django.db import migrations


def erase_form_data(apps, schema_editor):
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    AccessAttempt.objects.using(schema_editor.connection.alias).exclude(post_data="").update(
        post_data=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_audit_no_truncate"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(erase_form_data, migrations.RunPython.noop)]
