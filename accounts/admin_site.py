from django.apps import apps
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

# The admin's sections for the apps of other projects, in the portal's words (its own apps
# name theirs in their apps.py): {app label: (section name, {model name: plural name})}.
# sections_rename() gives these names to the apps and models themselves, so that the index,
# each section's page, the breadcrumbs and the page titles all say the same.
SECTION_NAMES = {
    "auth": ("Roles", {"group": "Role groups"}),
    "axes": (
        "Sign-in lockouts",
        {
            "accessattempt": "Lockout counters",
            "accesslog": "Sign-ins and sign-outs",
            "accessfailurelog": "Failed sign-ins",
        },
    ),
    "otp_totp": ("Two-factor devices", {"totpdevice": "Authenticator apps"}),
    "otp_static": ("Two-factor backup codes", {"staticdevice": "Backup code sets"}),
}


class PortalAdminSite(AdminSiteOTPRequired):
    """The admin, reachable only with a verified two-factor session.

    Besides accounts flagged as staff, the roles that work in the admin are admitted, so
    giving someone the Site editor or Administrator role is all it takes.
    """

    site_header = "MARC Safety Portal administration"
    site_title = "MARC Safety Portal admin"
    index_title = "Site administration"
    # No sidebar of every model beside each page: at 1280 px the lists need its width to
    # show their columns without scrolling sideways. The breadcrumbs lead back to the index.
    enable_nav_sidebar = False

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        if not (user.is_staff or has_role(user, *ADMIN_ROLES)):
            return False
        return user.is_verified()


def sections_rename() -> None:
    """Name the other projects' admin sections and lists as SECTION_NAMES says (once, when
    the admin's URLs are loaded); apps that are not installed are left out."""
    for app_label, (name, plural_names) in SECTION_NAMES.items():
        config = apps.app_configs.get(app_label)
        if config is None:
            continue
        config.verbose_name = name
        for model_name, plural in plural_names.items():
            config.get_model(model_name)._meta.verbose_name_plural = plural
