import csv

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse

from accounts import services
from accounts.audit import audit_record
from accounts.models import ApiKey, AuditAction, AuditEvent, Organization, User
from core.admin import ReadOnlyAdmin


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "county", "state", "in_region", "dictionary_code", "active")
    list_filter = ("kind", "state", "in_region", "active")
    search_fields = ("name", "county", "dictionary_code")


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    """The partners' API keys, to read: they are issued and revoked on the staff pages
    (/staff/api-keys/), which show the secret once and audit both. The hash is not shown."""

    list_display = ("name", "organization", "scope", "prefix", "expires_at", "revoked_at")
    list_filter = ("scope",)
    list_select_related = ("organization",)
    search_fields = ("name", "prefix", "organization__name")
    fields = (
        "name",
        "prefix",
        "organization",
        "scope",
        "expires_at",
        "last_used_at",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "organization", "is_active")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    list_select_related = ("organization",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Organization", {"fields": ("organization",)}),
    )
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True  # the service makes the change and ends the sessions
        super().save_model(request, obj, form, change)
        if deactivating:
            services.user_deactivate(user=obj, by=request.user)

    @admin.action(description="Deactivate the selected accounts and end their sessions")
    def deactivate(self, request, queryset):
        for user in queryset.filter(is_active=True):
            services.user_deactivate(user=user, by=request.user)
        messages.success(request, "The accounts were deactivated and signed out.")


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _inert(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (usernames are typed by anyone)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: nobody adds, changes or deletes entries (the database refuses it too)."""

    list_display = (
        "at",
        "actor_username",
        "action",
        "outcome",
        "object_type",
        "object_id",
        "ip_address",
    )
    list_filter = ("action", "outcome", "object_type", "at")
    search_fields = ("actor_username", "object_type", "object_id", "ip_address", "path")
    date_hierarchy = "at"
    change_list_template = "admin/accounts/auditevent/change_list.html"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    list_per_page = 100

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv),
            name="accounts_auditevent_export",
        )
        return [export, *super().get_urls()]

    def export_csv(self, request):
        """The entries the current filters select, as CSV."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
            queryset = changelist.get_queryset(request).order_by("at", "id")
        except IncorrectLookupParameters:
            # A filter the list does not have (a hand-edited address): back to the list,
            # which explains it the admin's own way.
            return HttpResponseRedirect(reverse("admin:accounts_auditevent_changelist") + "?e=1")
        audit_record(
            request=request,
            action=AuditAction.EXPORT,
            object_type="accounts.auditevent",
            detail={"filters": dict(request.GET.items())},
        )
        columns = [
            "at",
            "actor_id",
            "actor_username",
            "action",
            "outcome",
            "object_type",
            "object_id",
            "ip_address",
            "path",
            "detail",
        ]
        writer = csv.writer(_Echo())

        def rows():
            yield writer.writerow(columns)
            for event in queryset.iterator(chunk_size=2000):
                yield writer.writerow([_inert(getattr(event, column)) for column in columns])

        response = StreamingHttpResponse(rows(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response
