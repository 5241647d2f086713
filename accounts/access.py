"""Access helpers every app uses: roles, staff-only views and objects scoped to a user.

    @staff_required(Role.TRAINING_COORDINATOR)
    def roster(request, pk): ...

    event = scoped_get_or_404(request, events_for_user, pk=pk)

Outsiders get 404 for objects (a record's existence is not confirmed) and 403 for areas;
both are written to the audit log.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import render

from accounts.audit import audit_denied


def roles_of(user) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """True if the user holds any of the roles (superusers hold every role)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(roles_of(user) & set(roles))


def is_verified_staff(user) -> bool:
    """Signed in with two-factor. A request refused before django-otp's middleware ran
    (core.boundary's 400s) has a user without is_verified: not verified, then."""
    is_verified = getattr(user, "is_verified", None)
    return user.is_authenticated and user.is_active and is_verified is not None and is_verified()


def staff_required(*roles: str):
    """A staff view: signed in with two-factor, holding one of the roles (any role if none)."""

    def decorator(view: Callable):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not is_verified_staff(user):
                return redirect_to_login(request.get_full_path())
            if roles and not has_role(user, *roles):
                audit_denied(request, object_type=f"view:{view.__module__}.{view.__name__}")
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        wrapper.staff_roles = roles
        return wrapper

    return decorator


def scoped_get_or_404(request: HttpRequest, scope: Callable[..., QuerySet], **lookup) -> Model:
    """Fetch one object from the queryset the user may see, or answer 404 (and audit it)."""
    queryset = scope(user=request.user)
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        audit_denied(
            request,
            object_type=queryset.model._meta.label_lower,
            object_id=str(lookup.get("pk", lookup.get("id", ""))),
        )
        raise Http404("Not found.") from None
