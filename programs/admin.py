"""The admin of program content.

Program areas and pages that are live (public) are edited through drafts, as in Wagtail:
a save keeps the changes in the page's Draft and the public page stays as it is until the
draft is published now, at a scheduled time (beat), or discarded. Their history page lists
every revision with the fields it changed, and "Revert to this revision" makes a new draft
from it. Pages that are not public yet, highlights and documents are saved directly.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from accounts.network import client_ip
from core import dates
from core.uploads import ACCEPTED_EXTENSIONS
from programs import selectors, services
from programs.models import Document, Highlight, HighlightFigure, ProgramArea, ProgramPage

PUBLISH, SCHEDULE, DISCARD, UNPUBLISH = "_publish", "_schedule", "_discard", "_unpublish"


class PreviewLinkMixin:
    """A "Preview" link that shows drafts exactly as the public will see them."""

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save first to preview."
        return format_html(
            '<a href="{}?preview=1" target="_blank" rel="noopener">Preview on the site</a>',
            obj.get_absolute_url(),
        )


PUBLISHING = ("Publishing", {"fields": ("status", "publish_at", "preview_link")})


def _is_live(obj) -> bool:
    """Public now, as stored (not as the form being saved would make it)."""
    return bool(obj.pk) and type(obj).objects.published().filter(pk=obj.pk).exists()


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class DraftForm(forms.ModelForm):
    """The change form of an area or a page, with the time of a scheduled publication."""

    schedule_at = dates.DateTimeField(
        label="Publish the draft at",
        required=False,
        help_text="Central time (Kansas City).",
    )

    def clean(self):
        cleaned = super().clean()
        if SCHEDULE in self.data and "schedule_at" not in self.errors:
            moment = cleaned.get("schedule_at")
            if moment is None:
                self.add_error("schedule_at", "Type the date and time the draft should go live.")
            elif moment <= timezone.now():
                self.add_error(
                    "schedule_at",
                    f"{_local(moment)} has passed. Choose a later time, or use Publish now.",
                )
        return cleaned


class DraftAdmin(PreviewLinkMixin, VersionAdmin):
    """Drafts, preview, publishing (now or scheduled) and revisions of live areas and pages."""

    form = DraftForm
    change_form_template = "admin/programs/draft_change_form.html"
    object_history_template = "admin/programs/revision_list.html"

    @admin.display(description="Preview")
    def preview_link(self, obj):
        draft = selectors.draft_for(obj) if obj.pk else None
        if draft is None:
            return super().preview_link(obj)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview the draft</a>',
            reverse("programs:draft_preview", kwargs={"token": draft.preview_token}),
        )

    def get_object(self, request, object_id, from_field=None):
        """A live page is edited as its draft would publish it."""
        obj = super().get_object(request, object_id, from_field)
        return selectors.with_draft(obj) if obj is not None and _is_live(obj) else obj

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and _is_live(obj):
            return (*fields, "status", "publish_at")
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not _is_live(obj):
            return super().change_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and DISCARD in request.POST:
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            if services.draft_discard(obj=obj, by=request.user, **self._where(request)):
                messages.success(request, "The draft was discarded. The live page is unchanged.")
            return HttpResponseRedirect(request.path)
        context = {"live": True, "draft": selectors.draft_for(obj), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    @staticmethod
    def _where(request) -> dict:
        return {"ip": client_ip(request), "path": request.path}

    def save_model(self, request, obj, form, change):
        if not (change and _is_live(obj)):
            return super().save_model(request, obj, form, change)
        where = {"by": request.user, **self._where(request)}
        try:
            request.draft_outcome = self._draft_action(request, obj, form, where)
        except ValidationError as error:
            message = "Nothing was changed: " + " ".join(error.messages)
            request.draft_outcome = (messages.ERROR, message, "Tried to change the live page.")

    def _draft_action(self, request, obj, form, where: dict) -> tuple[int, str, str]:
        """Do what the button asked; (message level, message, admin log entry)."""
        if PUBLISH in request.POST:
            services.draft_publish(obj=obj, **where)
            return messages.SUCCESS, "Published: the public page shows it now.", "Published."
        if UNPUBLISH in request.POST:
            services.page_unpublish(obj=obj, **where)
            message = "Unpublished: the page is off the public site, and edits now save directly."
            return messages.SUCCESS, message, "Unpublished."
        if SCHEDULE in request.POST:
            moment = form.cleaned_data["schedule_at"]
            services.draft_save(obj=obj, go_live_at=moment, **where)
            message = (
                f"Draft saved and scheduled for {_local(moment)}. "
                "Until then the public page is unchanged."
            )
            return messages.SUCCESS, message, f"Scheduled the draft for {_local(moment)}."
        earlier = selectors.draft_for(obj)
        services.draft_save(obj=obj, **where)
        message = "Draft saved. The public page is unchanged until you publish it."
        if earlier is not None and earlier.go_live_at:
            message += " Its scheduled publication is cancelled: schedule it again when ready."
        return messages.SUCCESS, message, "Saved a draft."

    def construct_change_message(self, request, form, formsets, add=False):
        """The admin log and the reversion comment say what happened to a live page."""
        outcome = getattr(request, "draft_outcome", None)
        if outcome is None:
            return super().construct_change_message(request, form, formsets, add)
        return outcome[2]

    def response_change(self, request, obj):
        outcome = getattr(request, "draft_outcome", None)
        if outcome is None:
            return super().response_change(request, obj)
        messages.add_message(request, outcome[0], outcome[1])
        return HttpResponseRedirect(request.path)

    # --- Revisions -------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revisions of {obj}",
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "app_label": opts.app_label,
            "live": _is_live(obj),
            "draft": selectors.draft_for(obj),
            "history": selectors.revision_history(obj),
            "can_revert": self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """POST: "Revert to this revision". A live page gets a new draft, never a silent change."""
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        change_url = reverse(
            f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]
        )
        if request.method != "POST":
            return HttpResponseRedirect(change_url.removesuffix("change/") + "history/")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        version = get_object_or_404(
            Version,
            pk=version_id,
            object_id=str(obj.pk),
            content_type=ContentType.objects.get_for_model(self.model),
        )
        try:
            made_draft = services.revision_revert(
                obj=obj, version=version, by=request.user, **self._where(request)
            )
        except ValidationError as error:
            messages.error(
                request, "That revision cannot be brought back: " + " ".join(error.messages)
            )
            return HttpResponseRedirect(change_url)
        if made_draft:
            messages.success(
                request,
                "The revision is now the draft. Preview it, then publish it: the public page "
                "is unchanged until then.",
            )
        else:
            messages.success(request, "The page was reverted to that revision.")
        return HttpResponseRedirect(change_url)


@admin.register(ProgramArea)
class ProgramAreaAdmin(DraftAdmin):
    list_display = ("title", "status", "publish_at", "order", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("preview_link",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body", "order")}),
        ("Hero image", {"fields": ("hero_image", "hero_alt")}),
        ("Contact", {"fields": ("contact_name", "contact_email", "contact_phone")}),
        PUBLISHING,
    )


@admin.register(ProgramPage)
class ProgramPageAdmin(DraftAdmin):
    list_display = ("title", "area", "status", "publish_at")
    list_filter = ("status", "area")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("parent",)
    list_select_related = ("area", "parent__area")
    readonly_fields = ("preview_link",)
    fieldsets = (
        (None, {"fields": ("area", "parent", "title", "slug", "summary", "body", "order")}),
        ("Hero image", {"fields": ("hero_image", "hero_alt")}),
        ("Contact", {"fields": ("contact_name", "contact_email", "contact_phone")}),
        PUBLISHING,
    )


class HighlightFigureInline(admin.TabularInline):
    model = HighlightFigure
    extra = 1


@admin.register(Highlight)
class HighlightAdmin(PreviewLinkMixin, VersionAdmin):
    list_display = ("title", "year", "area", "status", "publish_at")
    list_filter = ("status", "year", "area")
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("area",)
    readonly_fields = ("preview_link",)
    inlines = [HighlightFigureInline]
    fieldsets = (
        (None, {"fields": ("year", "title", "slug", "area", "summary", "order")}),
        ("Image", {"fields": ("image", "image_alt")}),
        PUBLISHING,
    )


class DocumentAdminForm(forms.ModelForm):
    """The file picker offers only allow-listed types; the model field's validator checks
    the content (core.uploads) and shows its message on the file field."""

    class Meta:
        model = Document
        fields = (
            "title",
            "slug",
            "kind",
            "area",
            "pages",
            "description",
            "file",
            "status",
            "publish_at",
        )
        widgets = {
            "file": AdminFileWidget(
                attrs={"accept": ",".join(f".{ext}" for ext in ACCEPTED_EXTENSIONS)}
            )
        }


@admin.register(Document)
class DocumentAdmin(PreviewLinkMixin, VersionAdmin):
    form = DocumentAdminForm
    list_display = ("title", "kind", "area", "status", "publish_at")
    list_filter = ("status", "kind", "area")
    search_fields = ("title", "description")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("pages",)
    list_select_related = ("area",)
    readonly_fields = ("preview_link",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "area", "pages", "description", "file")}),
        PUBLISHING,
    )

    @admin.display(description="Preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save first to preview."
        return format_html('<a href="{}">Download the file</a>', obj.get_absolute_url())
