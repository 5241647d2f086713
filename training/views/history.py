"""Training history by emailed link (no password), certificate downloads, verification.

A person types their email address; if any registration has that address, we email a
link that works for 24 hours. The answer on the page is the same either way, so the
form does not tell anyone whether an address is known. The link carries a random token
that holds no personal data; only its hash is stored (training.links).

History pages and certificates are personal data: they are sent with
Cache-Control: no-store, are never marked for the public page cache, and ask search
engines not to index them.
"""

import functools

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from accounts.publicforms import RATE_LIMIT_MESSAGE, HoneypotMixin, over_rate_limit
from training.certificates import (
    NotEndedYet,
    certificate_available,
    certificate_for,
    certificate_is_current,
    certificate_lookup,
    certificate_pdf,
    public_name,
)
from training.credits import event_date, history_for, registration_hours
from training.links import history_link_email
from training.models import Registration, RegistrationStatus
from training.services import HISTORY_LINK_MAX_AGE, history_link_send

MAX_AGE_HOURS = int(HISTORY_LINK_MAX_AGE.total_seconds() // 3600)


# --- Links ----------------------------------------------------------------------------


def email_from_token(token: str) -> tuple[str | None, str | None]:
    """(email, None) for a good token, or (None, "expired" / "invalid")."""
    return history_link_email(token)


# --- Forms -----------------------------------------------------------------------------


class HistoryRequestForm(HoneypotMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address you registered for trainings with.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["email", "website"]


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Certificate code",
        max_length=40,
        help_text="Printed at the bottom of the certificate, for example MARC-7K3P-9QXD.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )


# --- Views -----------------------------------------------------------------------------


def private_page(view):
    """No caching anywhere and no indexing: for pages that hold personal data.

    The site-wide Referrer-Policy (strict-origin-when-cross-origin) already keeps the
    token in the path from other sites. Stricter "no-referrer" would make browsers send
    "Origin: null" with the request form, which Django's CSRF check refuses.
    """

    @never_cache
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


@private_page
def history_request(request: HttpRequest) -> HttpResponse:
    template = "training/history/request.html"
    if request.method != "POST":
        return render(request, template, {"form": HistoryRequestForm()})
    form = HistoryRequestForm(request.POST)
    if over_rate_limit(request, group="training-history"):
        context = {"form": form, "rate_limited": RATE_LIMIT_MESSAGE}
        return render(request, template, context, status=429)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    history_link_send(email=form.cleaned_data["email"])
    return redirect("training:history:sent")


@private_page
def history_sent(request: HttpRequest) -> HttpResponse:
    context = {"max_age_hours": MAX_AGE_HOURS}
    return render(request, "training/history/sent.html", context)


def _link_problem(request: HttpRequest, problem: str) -> HttpResponse:
    status = 410 if problem == "expired" else 404
    context = {"problem": problem, "max_age_hours": MAX_AGE_HOURS}
    return render(request, "training/history/link_problem.html", context, status=status)


@private_page
def history(request: HttpRequest, token: str) -> HttpResponse:
    email, problem = email_from_token(token)
    if problem:
        return _link_problem(request, problem)
    records = history_for(email)
    context = {
        "email": email,
        "token": token,
        "history": records,
        "certificates_ready": {
            entry.registration.pk
            for entry in records.entries
            if certificate_available(entry.registration)
        },
    }
    return render(request, "training/history/history.html", context)


@private_page
def certificate_download(request: HttpRequest, token: str, registration_id: int) -> HttpResponse:
    email, problem = email_from_token(token)
    if problem:
        return _link_problem(request, problem)
    registration = get_object_or_404(
        Registration.objects.select_related("event"),
        pk=registration_id,
        email=email,
        status=RegistrationStatus.ATTENDED,
    )
    try:
        certificate = certificate_for(registration)
    except NotEndedYet:
        context = {"event": registration.event, "token": token}
        return render(request, "training/history/certificate_not_ready.html", context, status=409)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@private_page
def verify(request: HttpRequest) -> HttpResponse:
    """Public check of a certificate code: first name and last initial, event, date, hours."""
    context: dict = {"form": VerifyForm()}
    if "code" in request.GET:
        form = VerifyForm(request.GET)
        context["form"] = form
        if form.is_valid():
            certificate = certificate_lookup(form.cleaned_data["code"])
            context["searched"] = True
            if certificate is not None:
                registration = certificate.registration
                context.update(
                    certificate=certificate,
                    current=certificate_is_current(certificate),
                    holder=public_name(registration.name),
                    event=registration.event,
                    date=event_date(registration.event),
                    hours=registration_hours(registration),
                )
    return render(request, "training/history/verify.html", context)
