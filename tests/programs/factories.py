import datetime as dt

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from programs.models import (
    Document,
    Highlight,
    HighlightFigure,
    ProgramArea,
    ProgramPage,
    Status,
)

PAST = timezone.now() - dt.timedelta(days=30)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramArea

    title = factory.Sequence(lambda n: f"Program area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")
    summary = "What this program area does for the region."
    body = "The area coordinates planning across the region."
    status = Status.PUBLISHED
    publish_at = PAST


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramPage

    area = factory.SubFactory(AreaFactory)
    title = factory.Sequence(lambda n: f"Program page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    summary = "A short summary of the page."
    body = "Body text of the page."
    status = Status.PUBLISHED
    publish_at = PAST


class HighlightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Highlight

    year = 2024
    title = factory.Sequence(lambda n: f"Highlight {n}")
    slug = factory.Sequence(lambda n: f"highlight-{n}")
    summary = "What happened this year."
    status = Status.PUBLISHED
    publish_at = PAST


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HighlightFigure

    highlight = factory.SubFactory(HighlightFactory)
    value = "65"
    label = "trainings"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"Regional plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    area = factory.SubFactory(AreaFactory)
    description = "A plan prepared with local governments."
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4\n%%EOF\n", name="plan.pdf"))
    status = Status.PUBLISHED
    publish_at = PAST
