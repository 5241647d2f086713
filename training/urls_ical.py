from django.urls import path

from training import views_ical

urlpatterns = [
    path("calendar/events/<int:pk>.ics", views_ical.event_download, name="event_ics"),
    path("calendar/feed.ics", views_ical.feed, name="feed"),
]
