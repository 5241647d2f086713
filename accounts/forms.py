from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string

from accounts.publicforms import HoneypotMixin
from accounts.services import password_reset_email_queue


class StaffPasswordResetForm(HoneypotMixin, PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the outbox (core.outbox), like every email of the portal."""
        password_reset_email_queue(
            user=context["user"],
            email=to_email,
            subject=render_to_string(subject_template_name, context),
            link={name: context[name] for name in ("protocol", "domain", "uid", "token")},
        )
