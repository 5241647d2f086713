"""A peer team member's pages, /staff/peer-support/mine/… (two-factor staff pages)."""

from django.urls import path

from peersupport import views_member as views

MINE = "staff/peer-support/mine/"
REQUEST = MINE + "<int:pk>/"

urlpatterns = [
    path(MINE, views.my_assignments, name="my_assignments"),
    path(MINE + "profile/", views.my_profile, name="my_profile"),
    path(MINE + "profile/on-call/", views.my_on_call, name="my_on_call"),
    path(REQUEST, views.member_request, name="member_request"),
    path(REQUEST + "accept/", views.assignment_accept, name="member_accept"),
    path(REQUEST + "decline/", views.assignment_decline, name="member_decline"),
    path(REQUEST + "contacted/", views.request_contacted, name="member_contacted"),
    path(REQUEST + "activity/", views.request_activity, name="member_activity"),
    path(REQUEST + "completed/", views.request_completed, name="member_completed"),
    path(REQUEST + "close/", views.request_close, name="member_close"),
]
