from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from accounts import staff_areas
from accounts.access import roles_of, staff_required
from accounts.audit import audit_denied_once, audit_record
from accounts.forms import StaffPasswordResetForm
from accounts.middleware import mark_active
from accounts.models import AuditAction
from accounts.publicforms import RATE_LIMIT_MESSAGE, over_rate_limit


@staff_required()
def landing(request: HttpRequest) -> HttpResponse:
    """The person's open work first, then their other areas, then their account chores."""
    user = request.user
    work = [entry for entry in staff_areas.open_work_for(user) if entry.figures]
    with_work = {entry.area for entry in work}
    areas = [area for area in staff_areas.areas_for(user) if area not in with_work]
    context = {
        "work": work,
        "areas": [area for area in areas if not area.account_chore],
        "chores": [area for area in areas if area.account_chore],
        "has_roles": user.is_superuser or bool(roles_of(user)),
    }
    return render(request, "accounts/landing.html", context)


def rate_limited(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "429.html", {"message": RATE_LIMIT_MESSAGE}, status=429)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if over_rate_limit(request, group="password-reset"):
            return self.render_to_response(
                self.get_context_data(form=form, rate_limited=RATE_LIMIT_MESSAGE), status=429
            )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        audit_record(
            request=request,
            action=AuditAction.PASSWORD_RESET_REQUESTED,
            detail={"email_domain": form.cleaned_data["email"].rpartition("@")[2][:100]},
        )
        return self.form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:landing")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(request=self.request, action=AuditAction.PASSWORD_CHANGED)
        messages.success(self.request, "Your password was changed.")
        return response


password_change = staff_required()(PasswordChangeView.as_view())


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """The 403 page for every refusal raised as PermissionDenied (the admin's included),
    recorded in the audit log once, like the refusals of accounts.access."""
    audit_denied_once(request, object_type="page")
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: refused, recorded, explained."""
    audit_denied_once(request, object_type="csrf")
    context = {
        "message": "This form had expired or came from another site. Go back, reload the "
        "page and send it again."
    }
    return render(request, "403.html", context, status=403)


@staff_required()
@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """The session warning's "Stay signed in" button (static/js/session-timeout.js): counts
    as activity and answers how many seconds the session now has left. A session that has
    already ended never gets here: the middleware signs it out first."""
    times = mark_active(request.session)
    return JsonResponse({"ends_in": times.ends_in})
