"""The peer support coordinator's pages, /staff/peer-support/… (two-factor staff pages)."""

from django.urls import path

from peersupport import views_coordinator as views

ROOT = "staff/peer-support/"
REQUEST = ROOT + "requests/<int:pk>/"

urlpatterns = [
    path(ROOT, views.queue, name="queue"),
    path(ROOT + "finished/", views.queue_finished, name="queue_finished"),
    path(REQUEST, views.request_detail, name="request_detail"),
    path(REQUEST + "status/", views.request_status, name="request_status"),
    path(REQUEST + "assign/", views.request_assign, name="request_assign"),
    path(
        REQUEST + "confidentiality/",
        views.request_confidentiality,
        name="request_confidentiality",
    ),
    path(ROOT + "team/", views.roster, name="roster"),
    path(ROOT + "team/new/", views.member_create, name="roster_member_create"),
    path(ROOT + "team/<int:pk>/edit/", views.member_edit, name="roster_member_edit"),
]
