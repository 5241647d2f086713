"""Ready notices: one email per subscriber and finished run, with a link and no figures.

    sent = subscribers_notify(run_id=run.pk)

Who is told about a run is who may read it: reports.access.may_see_run, the rule of the
staff pages (program managers everything; agency liaisons their own agency's co-responder
reports; peer support and training coordinators their program's reports; the summary for
program managers alone). A subscription alone never widens it.

Each notice is an outbox email (core.outbox) with the key report-ready:<run>:<user>, so
calling this twice adds nothing the second time, and the outbox sends each once, later
if the broker or the mail server is down. The email names the report and links to its
staff page; the figures stay behind the sign-in.
"""

import logging

from django.db import transaction

from core.outbox import outbox_enqueue
from core.urls import absolute_url
from coresponder import selectors as coresponder
from reports.access import may_see_run
from reports.models import ReportRun, RunStatus, Subscription

log = logging.getLogger(__name__)


def report_url(run: ReportRun) -> str:
    return absolute_url(f"/staff/reports/{run.pk}/")


def may_receive(user, run: ReportRun) -> bool:
    """Whether this user is told about this run: an active account with an email address
    that may read the report on the staff pages."""
    return bool(user.is_active and user.email) and may_see_run(user, run)


def scope_label(run: ReportRun) -> str:
    if not run.scope:
        return ""
    kind, _, code = run.scope.partition(":")
    names = coresponder.agency_names() if kind == "agency" else coresponder.provider_names()
    return names.get(code, code)


def ready_context(run: ReportRun, user) -> dict:
    return {
        "name": user.get_full_name() or user.username,
        "run": {"version": run.version},
        "kind_label": run.get_kind_display(),
        "scope_label": scope_label(run),
        "month": f"{run.period:%B %Y}",
        "url": report_url(run),
    }


def ready_subject(context: dict) -> str:
    scope = f" ({context['scope_label']})" if context["scope_label"] else ""
    return f"Report ready: {context['kind_label']}{scope}, {context['month']}"


def subscribers_notify(*, run_id: int) -> int:
    """Put a ready notice in the outbox for each subscriber of the run's kind who may read
    it, once; how many were added by this call."""
    run = ReportRun.objects.filter(pk=run_id, status=RunStatus.DONE).first()
    if run is None:
        return 0  # not finished (or gone): nothing to announce
    subscriptions = (
        Subscription.objects.filter(kind=run.kind, user__is_active=True)
        .select_related("user__organization")
        .order_by("user_id")
    )
    added = 0
    with transaction.atomic():
        for subscription in subscriptions:
            user = subscription.user
            if not may_receive(user, run):
                continue
            context = ready_context(run, user)
            added += outbox_enqueue(
                key=f"report-ready:{run.pk}:{user.pk}",
                template="reports/ready",
                to=user.email,
                subject=ready_subject(context),
                context=context,
            )
    log.info("report run %s: %s ready notices added to the outbox", run_id, added)
    return added
