"""Registration without an account, and cancelling by the link in the emails.

The rules (capacity, waitlist, duplicates, registration window) live in
training.services; these views show the form, translate a refusal into a message next to
the right field, and pick the status code: 400 invalid input, 409 a refusal such as a
duplicate or closed registration, 429 too many forms from one address.

Pages that show a registration are private to whoever holds the link: never cached.
"""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.publicforms import RATE_LIMIT_MESSAGE, over_rate_limit
from training.forms.public import RegistrationForm
from training.ical import calendar_links
from training.links import (
    registered_token,
    registration_from_registered_token,
    registration_from_token,
)
from training.models import Event, RegistrationStatus
from training.selectors import event_get_public, seats_left, time_range
from training.services import (
    RegistrationError,
    registrant_may_cancel,
    registration_cancel_by_registrant,
    registration_create,
    registration_refusal,
)

RATE_LIMIT_GROUP = "training-register"
# The form field a refusal belongs next to; the others go at the top of the form.
REFUSAL_FIELD = {"duplicate": "email", "agency_cap": "agency"}


def _event_context(event: Event) -> dict:
    start = timezone.localtime(event.starts_at)
    return {
        "event": event,
        "day": f"{start:%A, %B %-d, %Y}",
        "time_range": time_range(event.starts_at, event.ends_at),
        "place": ", ".join(part for part in (event.venue_name, event.address) if part),
    }


def _form_page(request, event: Event, form: RegistrationForm, *, status: int = 200, **extra):
    context = {
        **_event_context(event),
        "form": form,
        "full": seats_left(event) == 0,
        **extra,
    }
    return render(request, "training/registration/register.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register(request, pk: int):
    event = event_get_public(pk=pk)
    if request.method != "POST":
        refusal = registration_refusal(event)
        if refusal:
            context = {**_event_context(event), "refusal": refusal}
            return render(request, "training/registration/closed.html", context)
        return _form_page(request, event, RegistrationForm())

    form = RegistrationForm(request.POST)
    if over_rate_limit(request, group=RATE_LIMIT_GROUP):
        return _form_page(request, event, form, status=429, rate_limited=RATE_LIMIT_MESSAGE)
    if not form.is_valid():
        return _form_page(request, event, form, status=400)
    try:
        registration = registration_create(event_id=event.pk, data=form.registration_data())
    except RegistrationError as refusal:
        form.add_error(REFUSAL_FIELD.get(refusal.code), refusal.message)
        return _form_page(request, event, form, status=409)
    return redirect("training:registered", token=registered_token(registration))


@never_cache
@require_http_methods(["GET", "HEAD"])
def registered(request, token: str):
    registration = registration_from_registered_token(token)
    if registration is None:
        return _link_invalid(request)
    context = {
        **_event_context(registration.event),
        "registration": registration,
        "calendar": calendar_links(registration.event, request),
    }
    return render(request, "training/registration/registered.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token: str):
    """GET shows the registration and a button; only the POST of that button cancels."""
    registration = registration_from_token(token)
    if registration is None:
        return _link_invalid(request)
    status, state = 200, "confirm"
    if registration.status == RegistrationStatus.CANCELLED:
        state = "already_cancelled"
    elif not registrant_may_cancel(registration):
        state = "too_late"
        status = 409 if request.method == "POST" else 200
    elif request.method == "POST":
        try:
            registration = registration_cancel_by_registrant(registration_id=registration.pk)
            state = "cancelled"
        except RegistrationError:  # the event started between the page and the button
            state, status = "too_late", 409
    context = {**_event_context(registration.event), "registration": registration, "state": state}
    return render(request, "training/registration/cancel.html", context, status=status)


def _link_invalid(request):
    return render(request, "training/registration/link_invalid.html", status=404)
