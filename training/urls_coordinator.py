"""The training coordinator's pages, /staff/training/… (two-factor staff pages)."""

from django.urls import path

from training import views_coordinator as views

EVENT = "staff/training/events/<int:pk>/"
REGISTRATION = EVENT + "registrations/<int:registration_pk>/"

urlpatterns = [
    path("staff/training/", views.event_list, name="coordinator_events"),
    path("staff/training/events/new/", views.event_create, name="coordinator_event_create"),
    path(EVENT + "edit/", views.event_edit, name="coordinator_event_edit"),
    path(EVENT + "copy/", views.event_copy, name="coordinator_event_copy"),
    path(EVENT + "documents/", views.event_documents, name="coordinator_event_documents"),
    path(
        EVENT + "documents/<int:document_pk>/delete/",
        views.event_document_delete,
        name="coordinator_event_document_delete",
    ),
    path(EVENT, views.roster, name="coordinator_roster"),
    path(EVENT + "check-in/", views.check_in, name="coordinator_check_in"),
    path(EVENT + "message/", views.event_message, name="coordinator_event_message"),
    path(EVENT + "cancel/", views.event_cancel, name="coordinator_event_cancel"),
    path(EVENT + "roster.csv", views.roster_csv, name="coordinator_roster_csv"),
    path(EVENT + "roster.xlsx", views.roster_xlsx, name="coordinator_roster_xlsx"),
    path(
        REGISTRATION + "check-in/",
        views.registration_check_in,
        name="coordinator_registration_check_in",
    ),
    path(
        REGISTRATION + "attendance/",
        views.registration_attendance,
        name="coordinator_registration_attendance",
    ),
    path(
        REGISTRATION + "waitlist-position/",
        views.waitlist_reorder,
        name="coordinator_waitlist_reorder",
    ),
]
