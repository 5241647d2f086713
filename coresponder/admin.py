"""The co-responder program in the admin.

Clinician accounts are set up here: which behavioral health center a clinician works for
and which agencies they serve (the user needs the Co-responder clinician role as well).
Encounters, call volume, closed months, imports and releases are written by
coresponder.services (dictionary checks, closed months, the audit log), so here they are
only read (a release, frozen by the database, cannot even be deleted); opening the
encounter list or a record is a read of health information, so both are audited. The
person key is left out: the admin has no need of it.
"""

from django import forms
from django.contrib import admin, messages

from accounts.audit import audit_read, audit_record
from accounts.models import AuditAction, Organization, OrganizationKind, User
from accounts.roles import Role
from core.admin import ReadOnlyAdmin
from coresponder import dictionary as dd
from coresponder.models import (
    Clinician,
    ClosedMonth,
    Encounter,
    ImportJob,
    MonthlyCallVolume,
    Release,
)


def _agencies():
    return Organization.objects.filter(dictionary_code__in=list(dd.AGENCIES)).order_by("name")


class ClinicianForm(forms.ModelForm):
    """Providers and agencies of the data dictionary only; the usual agency among those
    the clinician serves. Agencies are checkboxes (no script needed)."""

    class Meta:
        model = Clinician
        fields = ["user", "provider", "agencies", "usual_agency"]
        widgets = {"agencies": forms.CheckboxSelectMultiple}
        help_texts = {
            "user": "Accounts holding the Co-responder clinician role (give it to the user first).",
            "agencies": "The police agencies whose encounters this clinician enters.",
            "usual_agency": "Prefilled on the clinician's entry form.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Organization.objects.filter(
            kind=OrganizationKind.BEHAVIORAL_HEALTH, dictionary_code__in=list(dd.PROVIDERS)
        )
        self.fields["agencies"].queryset = _agencies()
        self.fields["usual_agency"].queryset = _agencies()
        if "user" in self.fields:
            users = User.objects.filter(is_active=True, groups__name=Role.CORESPONDER_CLINICIAN)
            if self.instance.user_id:
                users = users | User.objects.filter(pk=self.instance.user_id)
            self.fields["user"].queryset = users.distinct().order_by("username")

    def clean(self):
        cleaned = super().clean()
        usual, agencies = cleaned.get("usual_agency"), cleaned.get("agencies")
        if usual is not None and agencies is not None and usual not in agencies:
            self.add_error("usual_agency", "Choose one of the agencies the clinician serves.")
        return cleaned


def _audit_clinician(request, clinician: Clinician, form, *, created: bool) -> None:
    audit_record(
        request=request,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=clinician,
        detail={"admin_changed": form.changed_data},
    )


class ClinicianInline(admin.StackedInline):
    """For the user admin (accounts.admin.UserAdmin.inlines): set up a clinician together
    with their account."""

    model = Clinician
    form = ClinicianForm
    fields = ("provider", "agencies", "usual_agency")
    can_delete = False
    max_num = 1
    extra = 0
    verbose_name = "co-responder clinician"


@admin.register(Clinician)
class ClinicianAdmin(admin.ModelAdmin):
    form = ClinicianForm
    list_display = ("user", "provider", "usual_agency", "agency_list", "has_role")
    list_filter = ("provider", "agencies")
    list_select_related = ("user", "provider", "usual_agency")
    search_fields = ("user__username", "user__first_name", "user__last_name")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("agencies", "user__groups")

    @admin.display(description="Agencies")
    def agency_list(self, obj: Clinician) -> str:
        return ", ".join(agency.name for agency in obj.agencies.all())

    @admin.display(description="Has the clinician role", boolean=True)
    def has_role(self, obj: Clinician) -> bool:
        return any(group.name == Role.CORESPONDER_CLINICIAN for group in obj.user.groups.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        clinician = form.instance
        _audit_clinician(request, clinician, form, created=not change)
        if not clinician.user.groups.filter(name=Role.CORESPONDER_CLINICIAN).exists():
            messages.warning(
                request,
                f"{clinician.user} does not hold the Co-responder clinician role, so they "
                "cannot enter encounters until an administrator gives it to them.",
            )


@admin.register(Encounter)
class EncounterAdmin(ReadOnlyAdmin):
    list_display = (
        "encounter_id",
        "date",
        "agency",
        "provider",
        "contact_type",
        "disposition",
    )
    list_filter = ("provider", "agency", "contact_type", "disposition")
    list_select_related = ("agency", "provider")
    search_fields = ("encounter_id", "cad_incident")
    date_hierarchy = "date"
    fields = (
        "encounter_id",
        "agency",
        "provider",
        "date",
        "time",
        "cad_incident",
        "referral_source",
        "contact_type",
        "concerns",
        "assessment",
        "disposition",
        "linked_to_services",
        "service_type",
        "age_group",
        "gender",
        "veteran",
        "minutes",
        "use_of_force",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if request.method == "GET" and changelist is not None:
            audit_record(
                request=request,
                action=AuditAction.VIEW,
                object_type=Encounter._meta.label_lower,
                detail={
                    "list": True,
                    "admin": True,
                    "rows": len(changelist.result_list),
                    "total": changelist.result_count,
                },
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            encounter = self.get_object(request, object_id)
            if encounter is not None:
                audit_read(request, encounter)
        return response


@admin.register(MonthlyCallVolume)
class MonthlyCallVolumeAdmin(ReadOnlyAdmin):
    """Entered on /staff/coresponder/volume/ or imported (services.volume_save)."""

    list_display = ("agency", "month", "mh_calls", "total_calls", "updated_by", "updated_at")
    list_filter = ("agency",)
    list_select_related = ("agency", "updated_by")
    date_hierarchy = "month"


@admin.register(ClosedMonth)
class ClosedMonthAdmin(ReadOnlyAdmin):
    """Closed on /staff/coresponder/months/ (services.month_close)."""

    list_display = ("month", "closed_by", "closed_at")
    list_select_related = ("closed_by",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """The uploaded file itself is not offered here: it holds the records in full."""

    list_display = (
        "pk",
        "kind",
        "original_name",
        "status",
        "total_rows",
        "created_rows",
        "updated_rows",
        "created_by",
        "created_at",
    )
    list_filter = ("kind", "status")
    list_select_related = ("created_by", "provider")
    fields = (
        "kind",
        "original_name",
        "status",
        "provider",
        "total_rows",
        "processed_rows",
        "created_rows",
        "updated_rows",
        "errors",
        "created_by",
        "created_at",
        "finished_at",
    )
    readonly_fields = fields


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    """Published on /staff/coresponder/releases/ (services.release_publish) and frozen: the
    database refuses any change or deletion, so the admin only reads them."""

    list_display = ("year", "revision", "published_at", "published_by", "note")
    list_filter = ("year",)
    list_select_related = ("published_by",)
    fields = (
        "year",
        "revision",
        "note",
        "published_at",
        "published_by",
        "figures",
        "hidden_across",
        "counts",
    )
    readonly_fields = fields


# Clinicians are set up on the user's own admin page. accounts/ imports no other app, so
# the co-responder app adds its inline to the account admin from here.
_UserAdmin = type(admin.site._registry[User])
admin.site.unregister(User)


@admin.register(User)
class UserWithClinicianAdmin(_UserAdmin):
    inlines = [*_UserAdmin.inlines, ClinicianInline]

    def get_inline_instances(self, request, obj=None):
        """The clinician block only for accounts holding the co-responder clinician role."""
        inlines = super().get_inline_instances(request, obj)
        is_clinician = (
            obj is not None and obj.groups.filter(name=Role.CORESPONDER_CLINICIAN).exists()
        )
        return [i for i in inlines if is_clinician or not isinstance(i, ClinicianInline)]
