"""Ready notices: one email per subscriber and finished run, with a link and no figures.

    sent = subscribers_notify(run_id=run.pk)

Who is told about a run is who may read it: reports.access.may_see_run, the rule of the
staff pages (program managers everything; agency liaisons their own agency's co-responder
reports; peer support and training coordinators their program's reports; the summary for
program managers alone). A subscription alone never widens it.

Each email is sent once: the ReadyNotice row is inserted in the same transaction as the
send, so a failed send rolls the row back (the task retries) and a second delivery of
the task finds the row and skips. The email names the report and links to its staff
page; the figures stay behind the sign-in.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from coresponder import dictionary as dd
from reports.access import may_see_run
from reports.models import ReadyNotice, ReportRun, RunStatus, Subscription

log = logging.getLogger(__name__)


def report_url(run: ReportRun) -> str:
    return f"{settings.SITE_URL}/staff/reports/{run.pk}/"


def may_receive(user, run: ReportRun) -> bool:
    """Whether this user is told about this run: an active account with an email address
    that may read the report on the staff pages."""
    return bool(user.is_active and user.email) and may_see_run(user, run)


def scope_label(run: ReportRun) -> str:
    if not run.scope:
        return ""
    kind, _, code = run.scope.partition(":")
    names = dd.AGENCIES if kind == "agency" else dd.PROVIDERS
    return names.get(code, code)


def ready_message(run: ReportRun, user) -> EmailMultiAlternatives:
    context = {
        "run": run,
        "user": user,
        "kind_label": run.get_kind_display(),
        "scope_label": scope_label(run),
        "month": f"{run.period:%B %Y}",
        "url": report_url(run),
    }
    scope = f" ({context['scope_label']})" if context["scope_label"] else ""
    subject = f"Report ready: {context['kind_label']}{scope}, {context['month']}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/reports/ready.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/reports/ready.html", context), "text/html")
    return message


def subscribers_notify(*, run_id: int) -> int:
    """Email each subscriber of the run's kind who may read it, once; how many were sent."""
    run = ReportRun.objects.filter(pk=run_id, status=RunStatus.DONE).first()
    if run is None:
        return 0  # not finished (or gone): nothing to announce
    subscriptions = (
        Subscription.objects.filter(kind=run.kind, user__is_active=True)
        .select_related("user__organization")
        .order_by("user_id")
    )
    already = set(ReadyNotice.objects.filter(run=run).values_list("user_id", flat=True))
    sent = 0
    for subscription in subscriptions:
        user = subscription.user
        if user.pk in already or not may_receive(user, run):
            continue
        try:
            with transaction.atomic():
                ReadyNotice.objects.create(run=run, user=user)
                ready_message(run, user).send()
        except IntegrityError:
            continue  # another delivery of the task sent it just now
        sent += 1
    log.info("report run %s: %s ready notices sent", run_id, sent)
    return sent
