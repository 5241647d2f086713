"""Staff accounts, the region's organization directory and the append-only audit log."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class OrganizationKind(models.TextChoices):
    PSAP = "psap", "911 center (PSAP)"
    POLICE = "police", "Police department"
    SHERIFF = "sheriff", "Sheriff's office"
    FIRE = "fire", "Fire department"
    EMS = "ems", "EMS agency"
    EMERGENCY_MANAGEMENT = "emergency_management", "Emergency management"
    PUBLIC_HEALTH = "public_health", "Public health"
    HOSPITAL = "hospital", "Hospital or health care"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health provider"
    REGIONAL = "regional", "Regional council"
    OTHER = "other", "Other"


class State(models.TextChoices):
    MO = "MO", "Missouri"
    KS = "KS", "Kansas"
    OTHER = "other", "Other state"


class Organization(models.Model):
    """The one directory of the region's organizations that every app shares."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganizationKind.choices)
    county = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=5, choices=State.choices, default=State.MO)
    in_region = models.BooleanField("in the MARC region", default=True)
    dictionary_code = models.CharField(
        max_length=20,
        blank=True,
        help_text="The code of this organization in a shared data dictionary, if it has one.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organization_unique_name_kind"),
            models.UniqueConstraint(
                fields=["dictionary_code"],
                condition=~Q(dictionary_code=""),
                name="organization_unique_dictionary_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff account. Roles are groups (accounts.roles); every account uses two-factor."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    LOCKED_OUT = "locked_out", "Locked out"
    SIGN_IN_SLOWED = "sign_in_slowed", "Sign-in slowed down (many failures)"
    SIGN_OUT = "sign_out", "Signed out"
    TWO_FACTOR_VERIFIED = "two_factor_verified", "Two-factor verified"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor enrolled"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
    SESSION_EXPIRED = "session_expired", "Session expired"
    WORK_KEPT = "work_kept", "Typed work kept at sign-out"
    WORK_RESTORED = "work_restored", "Typed work given back"
    ACCOUNT_DEACTIVATED = "account_deactivated", "Account deactivated"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"


class AuditEvent(models.Model):
    """One line of the append-only audit log.

    A database trigger (migration 0003) refuses every UPDATE and every DELETE except the
    retention purge. The actor is kept as id and username, not as a foreign key, so that
    removing an account never has to touch the log.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices, db_index=True)
    outcome = models.CharField(
        max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        who = self.actor_username or "anonymous"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.get_action_display()} {self.object_type}"


class KeptPost(models.Model):
    """A form a staff member sent after their session had ended, kept for a while so that
    what they typed comes back once they sign in again (accounts.keptwork).

    One row per person and page: a later post to the same page replaces it. The values
    are the form's own (lists, as the browser sent them) without the CSRF token, passwords
    or files. Not confidential-tracked on purpose: the row is short-lived and deleted when
    given back, and a history of it would outlive it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="kept_posts")
    path = models.CharField(max_length=300)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "path"], name="keptpost_one_per_user_and_path")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.path}"


class ApiScope(models.TextChoices):
    """What a partner's API key may reach: one provider's encounters, or one agency's
    call volume (the organization of the key says which provider or agency)."""

    ENCOUNTERS = "encounters", "Encounters of one behavioral-health provider"
    CALL_VOLUME = "call-volume", "Call volume of one police agency"


class ApiKey(models.Model):
    """A partner's key to the API (accounts.apikeys issues, checks and revokes them).

    Only a hash of the secret is kept; the secret is shown once, when the key is issued.
    The prefix is the short, public part of the secret that lists and audit lines show.
    """

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="api_keys"
    )
    scope = models.CharField(max_length=20, choices=ApiScope.choices)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
