"""The public side of 911 peer support: the request form and the private status link.

Anyone may ask, without an account. The form is checked here (honeypot, rate limit per
address, the fields) and saved by peersupport.services.request_submit, which returns the
private status token. Only its hash is stored, so the token is shown once, on the status
page the form redirects to, and never written to a log or the audit log: the session
carries only a "just sent" flag (the reference), and the status page's own address is
replaced before the read is audited.

The form and status pages are never cached: no @public_page, and Cache-Control: no-store.
The status page tells what happens next in words fitted to the urgency the requester
chose, and offers its own address to copy (static/js/copy-link.js), built from the
address the page was asked on when SITE_URL is unset in development (core.urls).
"""

import copy

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.audit import AuditAction, audit_record
from accounts.network import client_ip
from accounts.publicforms import RATE_LIMIT_MESSAGE, over_rate_limit
from core.pagecache import public_page
from core.urls import absolute_url
from peersupport.forms.public import SupportRequestForm
from peersupport.models import RequestStatus, SupportRequest, Urgency
from peersupport.services import request_by_token, request_submit

RATE_LIMIT_GROUP = "peersupport-request"
JUST_SENT_KEY = "peersupport_just_sent"
# What the audit log records as the path of a status page: never the token itself.
STATUS_PATH_IN_LOGS = "/peer-support/status/[link]/"

S = RequestStatus
# Each status in plain words, and what happens next. Never any detail of the request.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    S.NEW: ("Received", "A peer support coordinator will read your request."),
    S.AWAITING_APPROVAL: (
        "Waiting for approval",
        "Because your agency is outside the MARC region, a coordinator must approve the "
        "request first. The coordinator will contact you either way.",
    ),
    S.APPROVED: (
        "Approved",
        "A coordinator is finding a peer team member, who will reach out to you.",
    ),
    S.ASSIGNED: (
        "A peer is assigned",
        "A peer team member has been assigned and will reach out to you.",
    ),
    S.CONTACTED: (
        "In contact",
        "A peer team member has been in touch with you. If you expected to hear more and "
        "have not, call the Peer Support Line.",
    ),
    S.COMPLETED: (
        "Support given",
        "The support you asked for has taken place. If you would like more, call the Peer "
        "Support Line or send a new request.",
    ),
    S.CLOSED: (
        "Closed",
        "This request is closed. If you need support again, send a new request or call the "
        "Peer Support Line.",
    ),
    S.DECLINED: (
        "Not taken on",
        "The peer team could not take on this request. You can still call the Peer Support "
        "Line at any hour, or call or text 988.",
    ),
}

# While a request waits for a coordinator, what they do next depends on how soon the
# requester asked to hear back. The queue is sorted by urgency and the most urgent request
# is flagged in the coordinators' email; nobody promises a time, so neither do we.
WAITING_FOR_A_COORDINATOR = {S.NEW, S.AWAITING_APPROVAL}
U = Urgency
URGENCY_NEXT_STEP: dict[str, str] = {
    U.NOW: (
        "You asked to hear back within hours. Urgent requests come first in the "
        "coordinators' list, and the email telling them about yours is marked urgent. A "
        "coordinator contacts you the way you asked, as soon as one can. If you need to talk "
        "before then, call the Peer Support Line: a peer answers at any hour."
    ),
    U.TODAY: (
        "You asked to hear back today or tomorrow. A coordinator contacts you the way you "
        "asked, at the time you said suits you if you gave one, to arrange the support. If "
        "it becomes more urgent, call the Peer Support Line."
    ),
    U.THIS_WEEK: (
        "You asked for support this week. A coordinator contacts you the way you asked to "
        "agree on a day and time. Requests marked more urgent are read first, so you may "
        "not hear back the same day. If it becomes more urgent, call the Peer Support Line."
    ),
}


@public_page()
@require_http_methods(["GET", "HEAD"])
def start(request):
    return render(request, "peersupport/public/start.html")


def _form_page(request, form: SupportRequestForm, *, status: int = 200, **extra):
    return render(
        request, "peersupport/public/request.html", {"form": form, **extra}, status=status
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_form(request):
    if request.method != "POST":
        return _form_page(request, SupportRequestForm())

    form = SupportRequestForm(request.POST)
    if over_rate_limit(request, group=RATE_LIMIT_GROUP):
        return _form_page(request, form, status=429, rate_limited=RATE_LIMIT_MESSAGE)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    support_request, token = request_submit(
        data=form.request_data(), ip=client_ip(request), path=request.path
    )
    request.session[JUST_SENT_KEY] = support_request.reference
    return redirect("peersupport:status", token=token)


@never_cache
@require_http_methods(["GET", "HEAD"])
def status(request, token: str):
    support_request = request_by_token(token)
    if support_request is None:
        response = render(request, "peersupport/public/status_not_found.html", status=404)
        # Django logs every 404 with its path; a mistyped link is still most of a token.
        response._has_been_logged = True
    else:
        _audit_status_read(request, support_request)
        just_sent = request.session.pop(JUST_SENT_KEY, None) == support_request.reference
        words, next_step = STATUS_WORDS[support_request.status]
        waiting = support_request.status in WAITING_FOR_A_COORDINATOR
        context = {
            "reference": support_request.reference,
            "status_words": words,
            "next_step": next_step,
            "urgency_next_step": URGENCY_NEXT_STEP[support_request.urgency] if waiting else "",
            "just_sent": just_sent,
            "status_url": absolute_url(
                reverse("peersupport:status", kwargs={"token": token}), request
            ),
        }
        response = render(request, "peersupport/public/status.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Neither the page's links nor its stylesheets may carry the address on as a Referer.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _audit_status_read(request, support_request: SupportRequest) -> None:
    """Audit the read by whoever holds the link, with the path standing in for the token."""
    seen_as = copy.copy(request)
    seen_as.path = STATUS_PATH_IN_LOGS
    audit_record(
        request=seen_as,
        action=AuditAction.VIEW,
        obj=support_request,
        detail={"via": "status link"},
    )
