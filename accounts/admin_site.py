from two_factor.admin import AdminSiteOTPRequired

from accounts.access import has_role
from accounts.roles import Role

# Roles whose work happens in the Django admin: holding one is what admits a user there.
ADMIN_ROLES = (
    Role.SITE_EDITOR,
    Role.TRAINING_COORDINATOR,
    Role.PEER_SUPPORT_COORDINATOR,
    Role.PROGRAM_MANAGER,
    Role.ADMINISTRATOR,
)


class PortalAdminSite(AdminSiteOTPRequired):
    """The admin, reachable only with a verified two-factor session.

    Besides accounts flagged as staff, the roles that work in the admin are admitted, so
    giving someone the Site editor or Administrator role is all it takes.
    """

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        if not (user.is_staff or has_role(user, *ADMIN_ROLES)):
            return False
        return user.is_verified()
