"""Peer support in the admin. Requests, assignments, activity and status changes are written
by peersupport.services (the workflow, the emails, the audit log), so here they are mostly
read: the coordinator's pages under /staff/peer-support/ are where the work happens.
Opening a request or an activity here is a read of confidential details, so it is audited.
"""

from django.contrib import admin

from accounts.audit import AuditAction, audit_read, audit_record
from core.admin import ReadOnlyAdmin
from peersupport.models import (
    CONTACT_FIELDS,
    Activity,
    Assignment,
    StatusChange,
    SupportRequest,
    TeamMember,
)


class AuditedReadMixin:
    """Write a view event to the audit log each time a record's page is opened."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", None) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit_read(request, obj)
        return response


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "member_type",
        "discipline",
        "home_agency",
        "county",
        "training_hours",
        "active",
        "on_call",
    )
    list_filter = ("member_type", "discipline", "active", "on_call")
    list_select_related = ("user", "home_agency")
    search_fields = ("user__username", "user__first_name", "user__last_name", "county")
    autocomplete_fields = ("user", "home_agency")

    def has_delete_permission(self, request, obj=None):
        return False  # assignments and activity keep pointing at members: deactivate instead


class AssignmentInline(admin.TabularInline):
    model = Assignment
    fields = ("member", "status", "assigned_by", "assigned_at", "responded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ("at", "from_status", "to_status", "by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupportRequest)
class SupportRequestAdmin(AuditedReadMixin, admin.ModelAdmin):
    """Corrections of a request's description only: status moves, assignment and the
    confidentiality flag go through the coordinator's pages (workflow and audit log);
    contact details are read-only and purged after closing."""

    list_display = ("reference", "request_type", "urgency", "status", "submitted_at")
    list_filter = ("status", "request_type", "urgency", "outside_region")
    search_fields = ("reference",)
    date_hierarchy = "submitted_at"
    readonly_fields = (
        "reference",
        "agency",
        "outside_region",
        "outside_agency_name",
        *CONTACT_FIELDS,
        "contact_purged_at",
        "status",
        "confidentiality_exception",
        "submitted_at",
        "first_contact_at",
        "closed_at",
        "updated_at",
    )
    fields = (
        "reference",
        "status",
        "request_type",
        "incident_kind",
        "incident_date",
        "requester_role",
        "agency",
        "outside_region",
        "outside_agency_name",
        "people_affected",
        "urgency",
        *CONTACT_FIELDS,
        "contact_purged_at",
        "confidentiality_exception",
        "submitted_at",
        "first_contact_at",
        "closed_at",
        "updated_at",
    )
    inlines = (StatusChangeInline, AssignmentInline)

    def has_add_permission(self, request):
        return False  # requests come from the public form

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            request=request,
            action=AuditAction.UPDATE,
            obj=obj,
            detail={"admin_changed": form.changed_data},
        )


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("request", "member", "status", "assigned_at", "responded_at")
    list_filter = ("status",)
    list_select_related = ("request", "member__user")
    search_fields = ("request__reference",)


@admin.register(Activity)
class ActivityAdmin(AuditedReadMixin, ReadOnlyAdmin):
    list_display = ("request", "date", "service_type", "member", "people_reached", "hours")
    list_filter = ("service_type", "follow_up_needed")
    list_select_related = ("request", "member__user")
    search_fields = ("request__reference",)
    date_hierarchy = "date"


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("request", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)
    list_select_related = ("request", "by")
    search_fields = ("request__reference",)
    date_hierarchy = "at"
