import json

from django.contrib import admin, messages
from django.utils.html import format_html

from core.logs import mask_path
from core.models import OutboxEmail, OutboxStatus
from core.outbox import outbox_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the portal writes itself (through its services, with their rules and audit):
    listed, filtered and read in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Every email of the portal: read only. Failed ones can be sent again ("Retry")."""

    list_display = ("created_at", "to", "subject", "template", "status", "attempts", "sent_at")
    list_filter = ("status", "template")
    search_fields = ("to", "key")
    date_hierarchy = "created_at"
    actions = ["retry"]
    fields = (
        "key",
        "template",
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_until",
        "sent_at",
        "created_at",
        "context_masked",
        "attachment_names",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing is editable; the change permission is what the "Retry" action needs.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="context")
    def context_masked(self, obj: OutboxEmail) -> str:
        # Private links (cancel, status, history, password reset) are masked here too.
        text = mask_path(json.dumps(obj.context, indent=2, ensure_ascii=False))
        return format_html("<pre>{}</pre>", text)

    @admin.display(description="attachments")
    def attachment_names(self, obj: OutboxEmail) -> str:
        return ", ".join(attachment["filename"] for attachment in obj.attachments) or "—"

    @admin.action(description="Retry the selected failed emails", permissions=["change"])
    def retry(self, request, queryset):
        failed = list(queryset.filter(status=OutboxStatus.FAILED).values_list("pk", flat=True))
        retried = outbox_retry(ids=failed)
        skipped = queryset.count() - retried
        note = f" ({skipped} not failed, left as they are)" if skipped else ""
        self.message_user(
            request, f"{retried} email(s) will be sent again{note}.", messages.SUCCESS
        )
