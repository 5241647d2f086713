from django.conf import settings

from accounts import staff_areas
from accounts.access import is_verified_staff, roles_of
from accounts.roles import Role


def site(request):
    return {
        "PEER_SUPPORT_LINE": settings.PEER_SUPPORT_LINE,
        "SITE_CONTACT_EMAIL": settings.SITE_CONTACT_EMAIL,
        "SITE_NAME": "MARC Safety Portal",
        **_staff_layout(request),
    }


def _staff_layout(request) -> dict:
    """On staff pages base.html wears the staff layout instead of the public one: the
    person, their roles and the areas of their work (none until they have signed in with
    two-factor)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not staff_areas.is_staff_path(request.path):
        return {"STAFF_LAYOUT": False}
    areas = staff_areas.areas_for(user) if is_verified_staff(user) else []
    areas = [area for area in areas if not area.account_chore]  # those are on the landing page
    within = [area.url for area in areas if request.path.startswith(area.url)]
    return {
        "STAFF_LAYOUT": True,
        "STAFF_ROLES": _role_labels(user),
        "STAFF_NAV": areas,
        "STAFF_AREA_URL": max(within, key=len, default=""),  # the area this page is in
    }


def _role_labels(user) -> list[str]:
    labels = [Role(name).label for name in sorted(roles_of(user)) if name in Role.values]
    if user.is_superuser and not labels:
        labels = ["Superuser"]
    return labels
