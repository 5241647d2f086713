from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from core.uploads import ACCEPTED_EXTENSIONS
from programs.models import Document, Highlight, HighlightFigure, ProgramArea, ProgramPage


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


@admin.register(ProgramArea)
class ProgramAreaAdmin(PreviewLinkMixin, VersionAdmin):
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
class ProgramPageAdmin(PreviewLinkMixin, VersionAdmin):
    list_display = ("title", "area", "parent", "status", "publish_at", "updated_at")
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
