"""Every training address, in one place, with a namespace per audience.

public        training:…              /calendar/…       list, month grid, event pages, .ics
                                                          downloads and feeds, registration
coordinator   training:coordinator:…  /staff/training/… training coordinators (two-factor)
history       training:history:…      /training/…       history by emailed link, certificate
                                                          PDFs, public verification
"""

from django.urls import include, path, register_converter
from django.urls.converters import SlugConverter

from training.views import coordinator, history, ical, public, registration

app_name = "training"


class EventSlugConverter(SlugConverter):
    """An event's slug, never "register": /calendar/events/<pk>/register/ is the form."""

    regex = "(?!register/)[-a-zA-Z0-9_]+"


register_converter(EventSlugConverter, "event_slug")

registration_patterns = [
    path("calendar/events/<int:pk>/register/", registration.register, name="register"),
    path("calendar/registered/<str:token>/", registration.registered, name="registered"),
    path("calendar/cancel/<str:token>/", registration.cancel, name="cancel"),
]

ical_patterns = [
    path("calendar/events/<int:pk>.ics", ical.event_download, name="event_ics"),
    path("calendar/feed.ics", ical.feed, name="feed"),
]

public_patterns = [
    path("calendar/", public.calendar_list, name="calendar"),
    path("calendar/month/", public.month_current, name="month_current"),
    path("calendar/month/<int:year>/<int:month>/", public.calendar_month, name="month"),
    path("calendar/events/<int:pk>/<event_slug:slug>/", public.event_detail, name="event"),
]

EVENT = "events/<int:pk>/"
REGISTRATION = EVENT + "registrations/<int:registration_pk>/"

coordinator_patterns = (
    [
        path("", coordinator.event_list, name="events"),
        path("events/new/", coordinator.event_create, name="event_create"),
        path(EVENT + "edit/", coordinator.event_edit, name="event_edit"),
        path(EVENT + "copy/", coordinator.event_copy, name="event_copy"),
        path(EVENT + "documents/", coordinator.event_documents, name="event_documents"),
        path(
            EVENT + "documents/<int:document_pk>/delete/",
            coordinator.event_document_delete,
            name="event_document_delete",
        ),
        path(EVENT, coordinator.roster, name="roster"),
        path(EVENT + "check-in/", coordinator.check_in, name="check_in"),
        path(EVENT + "check-in/walk-in/", coordinator.walk_in, name="walk_in"),
        path(EVENT + "message/", coordinator.event_message, name="event_message"),
        path(EVENT + "cancel/", coordinator.event_cancel, name="event_cancel"),
        path(EVENT + "roster.csv", coordinator.roster_csv, name="roster_csv"),
        path(EVENT + "roster.xlsx", coordinator.roster_xlsx, name="roster_xlsx"),
        path(
            REGISTRATION + "check-in/",
            coordinator.registration_check_in,
            name="registration_check_in",
        ),
        path(
            REGISTRATION + "check-in/undo/",
            coordinator.registration_check_in_undo,
            name="registration_check_in_undo",
        ),
        path(
            REGISTRATION + "attendance/",
            coordinator.registration_attendance,
            name="registration_attendance",
        ),
        path(
            REGISTRATION + "waitlist-position/",
            coordinator.waitlist_reorder,
            name="waitlist_reorder",
        ),
    ],
    "coordinator",
)

# "sent/" comes before "<token>/": a token is 43 random characters, so never "sent".
history_patterns = (
    [
        path("history/", history.history_request, name="request"),
        path("history/sent/", history.history_sent, name="sent"),
        path("history/<str:token>/", history.history, name="records"),
        path(
            "history/<str:token>/certificates/<int:registration_id>.pdf",
            history.certificate_download,
            name="certificate",
        ),
        path("verify/", history.verify, name="verify"),
    ],
    "history",
)

urlpatterns = [
    *registration_patterns,
    *ical_patterns,
    *public_patterns,
    path("staff/training/", include(coordinator_patterns)),
    path("training/", include(history_patterns)),
]
