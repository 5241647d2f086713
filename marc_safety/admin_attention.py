"""What needs an administrator's attention, for the top of the admin's index page.

Each figure is a count and a link to the rows behind it: peer-support requests from
outside the region awaiting approval, emails the outbox gave up on, and reports whose latest
build failed. The admin site (accounts) sits below the apps it would count, so the figures
are gathered here in the top layer, from each app's selectors, and the index template asks
for them through the `needs_attention` tag (marc_safety.templatetags.admin_attention).

Only figures above zero are shown, and each only to someone allowed to see those rows.
"""

from django.urls import reverse

from accounts import staff_areas
from accounts.staff_areas import OpenWork
from core.outbox import outbox_failed_count
from peersupport import selectors as peersupport


def needs_attention(user) -> list[OpenWork]:
    """The figures above zero that the user may act on, most pressing first."""
    figures = _approvals(user) + _failed_emails(user) + _failed_reports(user)
    return [figure for figure in figures if figure.count]


def _approvals(user) -> list[OpenWork]:
    if not user.has_perm("peersupport.view_supportrequest"):
        return []
    status = peersupport.RequestStatus.AWAITING_APPROVAL
    return [
        OpenWork(
            peersupport.requests_open(status=status).count(),
            "peer support request awaits approval (outside the region)",
            "peer support requests await approval (outside the region)",
            f"{reverse('admin:peersupport_supportrequest_changelist')}?status__exact={status}",
        )
    ]


def _failed_emails(user) -> list[OpenWork]:
    if not user.has_perm("core.view_outboxemail"):
        return []
    return [
        OpenWork(
            outbox_failed_count(),
            "email could not be sent",
            "emails could not be sent",
            f"{reverse('admin:core_outboxemail_changelist')}?status__exact=failed",
            detail="see why, and send again with the “Retry” action",
        )
    ]


def _failed_reports(user) -> list[OpenWork]:
    """The failed reports as the reports app counts them for its staff area (reports is
    read only through its services, so its figure comes through the staff areas' registry):
    for those who may read why a build failed and rebuild it."""
    reports_page = reverse("reports:list")
    return [
        figure
        for area_work in staff_areas.open_work_for(user)
        if area_work.area.url == reports_page
        for figure in area_work.figures
    ]
