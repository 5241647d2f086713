"""Work kept across sign-in: a form sent after the staff session ended is not lost.

When a person's session has ended (accounts.middleware: idle too long, or open too long)
and their browser then sends a form, the middleware calls keep() before it signs them out.
Once they have signed in again, with two-factor, they land on the same page, whose view
binds its form to restored(request): what they typed is back, to check and send. Nothing
is ever saved on their behalf.

A page takes part by saying so and by binding its form on GET:

    @keeps_typed_work
    @staff_required(Role.TRAINING_COORDINATOR)
    def event_edit(request, pk):
        form = EventForm(request.POST or restored(request), instance=event)

Only marked pages keep work, so the sign-in page promises it only where it comes back.
A kept form is given back once, only to the person who sent it, only on the page it was
sent to, and only for KEPT_WORK_SECONDS. It is kept only if it passes Django's CSRF check.
Never kept: the CSRF token, any field named like a password, and files (the message says
so). Keeping and giving back are audited, without the content.
"""

import datetime as dt
import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.http import urlencode

from accounts.audit import audit_record
from accounts.models import AuditAction, KeptPost

RESTORED_MESSAGE = "What you typed before you were signed out is back. Check it and submit."
PASSWORD_LIKE = re.compile(r"pass(word|wd|phrase|code)|secret", re.IGNORECASE)
NOT_KEPT = {"csrfmiddlewaretoken"}


def keeps_typed_work(view):
    """Mark a view whose form comes back after sign-in. Its pages also tell the session
    warning (templates/includes/session_timeout.html) that a form sent late is kept."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        request.keeps_typed_work = True
        return view(request, *args, **kwargs)

    wrapper.keeps_typed_work = True
    return wrapper


def _page_keeps_work(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "keeps_typed_work", False)


def _passes_csrf_check(request: HttpRequest) -> bool:
    """Django's own CSRF check, run early: the middleware runs it only after this point,
    and a forged form must not become kept work."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is None


def _keepable(name: str) -> bool:
    return name not in NOT_KEPT and not PASSWORD_LIKE.search(name)


def keep(request: HttpRequest, user) -> bool:
    """Keep this request's form for `user`, replacing what was kept for the same page;
    True if it was kept. Call before signing the person out."""
    if request.method != "POST" or len(request.path) > KeptPost._meta.get_field("path").max_length:
        return False
    if not _page_keeps_work(request) or not _passes_csrf_check(request):
        return False
    data = {name: request.POST.getlist(name) for name in request.POST if _keepable(name)}
    if not data:
        return False
    now = timezone.now()
    kept, _ = KeptPost.objects.update_or_create(
        user=user,
        path=request.path,
        defaults={
            "data": data,
            "created_at": now,
            "expires_at": now + dt.timedelta(seconds=settings.KEPT_WORK_SECONDS),
        },
    )
    audit_record(
        request=request,
        actor=user,
        action=AuditAction.WORK_KEPT,
        obj=kept,
        detail={"fields": len(data), "files_not_kept": len(request.FILES)},
    )
    return True


def restored(request: HttpRequest) -> QueryDict | None:
    """The form the signed-in person sent to this page after their session ended, taken
    out of keeping (given back once), or None. Only on GET: a page they open, never a
    form they send."""
    if request.method != "GET" or not request.user.is_authenticated:
        return None
    KeptPost.objects.filter(expires_at__lte=timezone.now()).delete()
    kept = KeptPost.objects.filter(user=request.user, path=request.path).first()
    if kept is None:
        return None
    deleted, _ = KeptPost.objects.filter(pk=kept.pk).delete()
    if not deleted:  # another tab took it a moment ago
        return None
    audit_record(
        request=request,
        action=AuditAction.WORK_RESTORED,
        obj=kept,
        detail={"fields": len(kept.data)},
    )
    messages.info(request, RESTORED_MESSAGE)
    return QueryDict(urlencode(kept.data, doseq=True))
