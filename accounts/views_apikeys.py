"""The staff pages of the partners' API keys (issue 15), for program managers.

The list shows every key and whether it still works; the form issues one; the page after
it shows the secret once. The secret waits in the issuer's session only until that page
is first opened (then it is taken out), so reloading the page, or going back to it, never
shows it again. Revoking asks once more (core.confirm).

The views check the role and the model permission the data migration gave it (accounts
0009), so that an administrator can also take the permission away from the role.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import apikeys
from accounts.access import staff_required
from accounts.audit import audit_denied
from accounts.forms import ApiKeyIssueForm
from accounts.network import client_ip
from accounts.roles import Role
from core.confirm import confirm_page, confirmed

ISSUED_SESSION_KEY = "apikeys.issued"


def _permission(codename: str):
    """A program manager's page that also needs the model permission `accounts.<codename>`."""

    def decorator(view):
        @staff_required(Role.PROGRAM_MANAGER)
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.has_perm(f"accounts.{codename}"):
                audit_denied(request, object_type="accounts.apikey")
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@_permission("view_apikey")
def key_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    keys = [(key, apikeys.api_key_status(key, now=now)) for key in apikeys.api_keys_listed()]
    return render(request, "accounts/apikeys/list.html", {"keys": keys})


@_permission("add_apikey")
@require_http_methods(["GET", "POST"])
def key_issue(request: HttpRequest) -> HttpResponse:
    form = ApiKeyIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key, secret = apikeys.api_key_issue(
                name=data["name"],
                organization=data["organization"],
                scope=data["scope"],
                expires_at=form.expires_at,
                by=request.user,
                ip=client_ip(request),
                path=request.path,
            )
        except ValidationError as refusal:
            for field, errors in refusal.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session[ISSUED_SESSION_KEY] = {"pk": key.pk, "secret": secret}
            return redirect("accounts:apikey_issued", pk=key.pk)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/apikeys/issue.html", {"form": form}, status=status)


@_permission("add_apikey")
def key_issued(request: HttpRequest, pk: int) -> HttpResponse:
    """The secret of the key just issued, the one time it is shown."""
    key = get_object_or_404(apikeys.api_keys_listed(), pk=pk)
    waiting = request.session.get(ISSUED_SESSION_KEY) or {}
    secret = ""
    if waiting.get("pk") == key.pk:
        secret = waiting["secret"]
        del request.session[ISSUED_SESSION_KEY]
    response = render(
        request,
        "accounts/apikeys/issued.html",
        {"key": key, "secret": secret, "status": apikeys.api_key_status(key)},
    )
    response["Cache-Control"] = "no-store"
    return response


@_permission("change_apikey")
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(apikeys.api_keys_listed(), pk=pk)
    if key.revoked_at is not None:
        messages.info(request, f"The key “{key.name}” was already revoked.")
        return redirect("accounts:apikeys")
    if not confirmed(request):
        return confirm_page(
            request,
            title=f"Revoke the key “{key.name}”?",
            action="Revoke the key",
            back_url=reverse("accounts:apikeys"),
            consequences=[
                f"{key.organization.name} can no longer send or read data with this key. "
                "Their next call will be refused.",
                "A revoked key cannot be used again. If they still need access, issue a "
                "new key and send it to them.",
            ],
            summary=[
                ("Key", f"{key.name} ({key.prefix})"),
                ("Organization", key.organization.name),
                ("Reaches", key.get_scope_display()),
            ],
        )
    apikeys.api_key_revoke(key, by=request.user, ip=client_ip(request), path=request.path)
    messages.success(request, f"The key “{key.name}” is revoked. It no longer works.")
    return redirect("accounts:apikeys")
