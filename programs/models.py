"""Public program content: areas, pages, highlights and documents."""

import secrets

import reversion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.markdown import validate_markdown_alt_text
from core.uploads import validate_document_file


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED, publish_at__lte=timezone.now())


class Publishable(models.Model):
    """Draft/published status with a publish date: drafts and future dates are never public."""

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        default=timezone.now,
        help_text="Published content appears on the public site from this moment on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED and self.publish_at <= timezone.now()


HERO_ALT_RULE = Q(hero_image="") | ~Q(hero_alt="")


@reversion.register(exclude=("search_vector",))
class ProgramArea(Publishable):
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(
        max_length=300, help_text="One or two sentences for cards and search."
    )
    body = models.TextField(
        blank=True, validators=[validate_markdown_alt_text], help_text="Markdown."
    )
    hero_image = models.ImageField(upload_to="programs/areas/", blank=True)
    hero_alt = models.CharField("hero image alt text", max_length=200, blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["order", "title"]
        indexes = [GinIndex(fields=["search_vector"])]
        constraints = [
            models.CheckConstraint(condition=HERO_ALT_RULE, name="programarea_hero_has_alt"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programs:area", kwargs={"area": self.slug})

    def clean(self) -> None:
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError(
                {"hero_alt": "Describe the hero image for people who cannot see it."}
            )


@reversion.register(exclude=("search_vector",))
class ProgramPage(Publishable):
    """A page within a program area; pages may sit under another page of the same area."""

    MAX_DEPTH = 3

    area = models.ForeignKey(ProgramArea, on_delete=models.PROTECT, related_name="pages")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160)
    summary = models.CharField(max_length=300)
    body = models.TextField(validators=[validate_markdown_alt_text], help_text="Markdown.")
    hero_image = models.ImageField(upload_to="programs/pages/", blank=True)
    hero_alt = models.CharField("hero image alt text", max_length=200, blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["area", "order", "title"]
        indexes = [GinIndex(fields=["search_vector"])]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "slug"], name="programpage_unique_slug_in_area"
            ),
            models.CheckConstraint(condition=HERO_ALT_RULE, name="programpage_hero_has_alt"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="programpage_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.title} › {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("programs:page", kwargs={"area": self.area.slug, "slug": self.slug})

    def ancestors(self) -> list["ProgramPage"]:
        """Parents from the top down; parent__parent is select_related by the page view."""
        chain, node = [], self.parent
        while node is not None and len(chain) < self.MAX_DEPTH:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def clean(self) -> None:
        errors = {}
        if self.hero_image and not self.hero_alt.strip():
            errors["hero_alt"] = "Describe the hero image for people who cannot see it."
        if self.parent_id:
            if self.parent.area_id != self.area_id:
                errors["parent"] = "The parent page must belong to the same program area."
            depth, node, seen = 1, self.parent, {self.pk}
            while node is not None:
                if node.pk in seen:
                    errors["parent"] = "A page cannot sit under itself."
                    break
                seen.add(node.pk)
                depth += 1
                node = node.parent
            if depth > self.MAX_DEPTH:
                errors["parent"] = f"Pages nest at most {self.MAX_DEPTH} levels deep."
        if errors:
            raise ValidationError(errors)


@reversion.register(follow=("figures",), exclude=("search_vector",))
class Highlight(Publishable):
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160)
    area = models.ForeignKey(
        ProgramArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="highlights"
    )
    summary = models.TextField(validators=[validate_markdown_alt_text], help_text="Markdown.")
    image = models.ImageField(upload_to="programs/highlights/", blank=True)
    image_alt = models.CharField("image alt text", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-year", "order", "title"]
        indexes = [GinIndex(fields=["search_vector"])]
        constraints = [
            models.UniqueConstraint(fields=["year", "slug"], name="highlight_unique_slug_in_year"),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="highlight_image_has_alt"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="highlight_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("programs:highlights_year", kwargs={"year": self.year}) + f"#{self.slug}"

    def clean(self) -> None:
        if self.image and not self.image_alt.strip():
            raise ValidationError({"image_alt": "Describe the image for people who cannot see it."})


@reversion.register()
class HighlightFigure(models.Model):
    """A key figure of a highlight, such as "65 trainings"."""

    highlight = models.ForeignKey(Highlight, on_delete=models.CASCADE, related_name="figures")
    value = models.CharField(max_length=30, help_text='The number as shown, e.g. "2,080" or "95%".')
    label = models.CharField(max_length=120, help_text='What it counts, e.g. "field assessments".')
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"


class DocumentKind(models.TextChoices):
    PLAN = "plan", "Plan"
    REPORT = "report", "Report"
    GUIDE = "guide", "Guide"
    OTHER = "other", "Other"


@reversion.register(exclude=("search_vector",))
class Document(Publishable):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=DocumentKind.choices, default=DocumentKind.PLAN)
    area = models.ForeignKey(ProgramArea, on_delete=models.PROTECT, related_name="documents")
    pages = models.ManyToManyField(ProgramPage, blank=True, related_name="documents")
    description = models.TextField(blank=True)
    file = models.FileField(
        upload_to="programs/documents/%Y/",
        validators=[validate_document_file],
        help_text="A PDF, an office document (docx, xlsx, pptx, odt, ods) or a PNG, JPEG, GIF "
        "or WebP image. Web pages, scripts, text files and SVG images are refused.",
    )
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-publish_at", "title"]
        indexes = [GinIndex(fields=["search_vector"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programs:document", kwargs={"slug": self.slug})

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""


def _preview_token() -> str:
    return secrets.token_urlsafe(32)


class Draft(models.Model):
    """Changes to a live program area or page that are not public yet (Wagtail's draft).

    A live page keeps serving its published row while an editor works on its draft; the
    draft is written in django-reversion's JSON format (one object, its content fields
    only), so a past revision can become a draft as it is. Publishing copies the content
    fields onto the live row and deletes the draft; the published text then lives on as a
    reversion revision. One draft per page at most.
    """

    area = models.OneToOneField(
        ProgramArea, on_delete=models.CASCADE, null=True, blank=True, related_name="draft"
    )
    page = models.OneToOneField(
        ProgramPage, on_delete=models.CASCADE, null=True, blank=True, related_name="draft"
    )
    serialized_data = models.TextField()
    preview_token = models.CharField(max_length=64, unique=True, default=_preview_token)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)
    go_live_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When beat publishes the draft."
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    problem = models.CharField(
        max_length=500, blank=True, help_text="Why a scheduled publication could not happen."
    )

    OWNER_FIELDS = {ProgramArea: "area", ProgramPage: "page"}

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=True, page__isnull=False)
                | Q(area__isnull=False, page__isnull=True),
                name="draft_of_one_area_or_page",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft of {self.live}"

    @property
    def live(self) -> ProgramArea | ProgramPage:
        return self.area if self.area_id else self.page

    @staticmethod
    def content_fields(model: type[models.Model]) -> list[models.Field]:
        """What a draft changes: every field an editor types, not the publishing ones."""
        return [
            field
            for field in model._meta.concrete_fields
            if field.editable and field.name not in ("id", "status", "publish_at")
        ]

    @classmethod
    def serialize(cls, obj: ProgramArea | ProgramPage) -> str:
        """The object's content in reversion's format; an uploaded file is stored first."""
        fields = cls.content_fields(type(obj))
        for field in fields:
            if isinstance(field, models.FileField):
                field.pre_save(obj, add=False)
        return serializers.serialize("json", [obj], fields=[field.name for field in fields])

    @classmethod
    def apply(cls, serialized_data: str, obj: ProgramArea | ProgramPage) -> None:
        """Copy the content fields of a draft (or a reversion version) onto obj, in memory."""
        source = next(serializers.deserialize("json", serialized_data, ignorenonexistent=True))
        for field in cls.content_fields(type(obj)):
            setattr(obj, field.attname, getattr(source.object, field.attname))
