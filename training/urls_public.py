from django.urls import path, register_converter
from django.urls.converters import SlugConverter

from training import views_public


class EventSlugConverter(SlugConverter):
    """An event's slug, never "register": /calendar/events/<pk>/register/ is the form."""

    regex = "(?!register/)[-a-zA-Z0-9_]+"


register_converter(EventSlugConverter, "event_slug")

urlpatterns = [
    path("calendar/", views_public.calendar_list, name="calendar"),
    path("calendar/month/", views_public.month_current, name="month_current"),
    path("calendar/month/<int:year>/<int:month>/", views_public.calendar_month, name="month"),
    path("calendar/events/<int:pk>/<event_slug:slug>/", views_public.event_detail, name="event"),
]
