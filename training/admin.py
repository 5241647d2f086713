import datetime as dt

from django.contrib import admin, messages
from django.utils import timezone

from core.admin import ReadOnlyAdmin
from training.coordination import event_update
from training.forms.coordinator import EventAdminForm
from training.models import (
    Certificate,
    Committee,
    Event,
    EventDocument,
    EventSeries,
    Registration,
)
from training.services import series_materialize

SERIES_HORIZON = dt.timedelta(days=365)


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(EventSeries)
class EventSeriesAdmin(admin.ModelAdmin):
    list_display = ("title", "rule", "first_start", "duration_minutes", "template")
    search_fields = ("title",)
    autocomplete_fields = ("template",)
    actions = ["create_dates"]

    @admin.action(description="Create dates for the next 12 months")
    def create_dates(self, request, queryset):
        until = timezone.now() + SERIES_HORIZON
        for series in queryset.select_related("template"):
            try:
                created = series_materialize(series=series, until=until)
            except ValueError as error:
                self.message_user(request, f"{series}: {error}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"{series}: {len(created)} new date{'s' if len(created) != 1 else ''} created; "
                "dates that already existed were left as they are.",
                messages.SUCCESS,
            )


class RegistrationInline(admin.TabularInline):
    model = Registration
    fields = (
        "name",
        "email",
        "agency_name",
        "status",
        "waitlist_position",
        "checked_in_at",
        "is_instructor",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("status", "waitlist_position", "name")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventDocumentInline(admin.TabularInline):
    model = EventDocument
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ("title", "starts_at", "kind", "status", "published", "capacity")
    list_filter = ("status", "kind", "published", "host", "program_area", "ce_category")
    search_fields = ("title", "venue_name", "description")
    date_hierarchy = "starts_at"
    list_select_related = ("host",)
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("uid", "sequence", "series", "series_original_start")
    inlines = [EventDocumentInline, RegistrationInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "audiences", "description")}),
        ("Organizers", {"fields": ("program_area", "host", "ce_category")}),
        (
            "When and where",
            {"fields": ("starts_at", "ends_at", "venue_name", "address", "virtual_url")},
        ),
        (
            "Registration",
            {
                "fields": (
                    "registration_required",
                    "capacity",
                    "agency_seat_cap",
                    "registration_opens_at",
                    "registration_closes_at",
                )
            },
        ),
        ("Publishing", {"fields": ("status", "published")}),
        ("Calendar", {"fields": ("uid", "sequence", "series", "series_original_start")}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # An edit raises the iCalendar SEQUENCE and gives seats a larger capacity frees.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        event, _ = event_update(event_id=obj.pk, changes=changes)
        obj.sequence = event.sequence


@admin.register(EventDocument)
class EventDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "event", "created_at")
    list_filter = ("kind",)
    search_fields = ("title", "event__title")
    autocomplete_fields = ("event",)
    list_select_related = ("event",)


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("name", "email", "event", "status")
    list_filter = ("status", "state", "is_instructor", "event__kind")
    search_fields = ("name", "email", "agency_name", "event__title")
    list_select_related = ("event",)
    date_hierarchy = "created_at"


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("code", "registration", "hours", "issued_at")
    search_fields = ("code", "registration__name", "registration__email")
    list_select_related = ("registration__event",)
    date_hierarchy = "issued_at"
