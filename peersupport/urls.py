"""Every peer-support address, in one place, with a namespace per audience.

public        peersupport:…               /peer-support/…                 request form, status link
coordinator   peersupport:coordinator:…   /staff/peer-support/…           queue, triage, roster
member        peersupport:member:…        /staff/peer-support/mine/…      a member's assignments
dashboard     peersupport:dashboard:…     /staff/peer-support/dashboard/  de-identified figures
"""

from django.urls import include, path

from peersupport.views import coordinator, dashboard, member, public

app_name = "peersupport"

STAFF = "staff/peer-support/"
REQUEST = "requests/<int:pk>/"
MINE = "mine/"
ASSIGNED = MINE + "<int:pk>/"
DASHBOARD = "dashboard/"

public_patterns = [
    path("peer-support/", public.start, name="start"),
    path("peer-support/request/", public.request_form, name="request"),
    path("peer-support/status/<str:token>/", public.status, name="status"),
]

member_patterns = (
    [
        path(MINE, member.my_assignments, name="assignments"),
        path(MINE + "profile/", member.my_profile, name="profile"),
        path(MINE + "profile/on-call/", member.my_on_call, name="on_call"),
        path(ASSIGNED, member.member_request, name="request"),
        path(ASSIGNED + "accept/", member.assignment_accept, name="accept"),
        path(ASSIGNED + "decline/", member.assignment_decline, name="decline"),
        path(ASSIGNED + "contacted/", member.request_contacted, name="contacted"),
        path(ASSIGNED + "activity/", member.request_activity, name="activity"),
        path(ASSIGNED + "completed/", member.request_completed, name="completed"),
        path(ASSIGNED + "close/", member.request_close, name="close"),
    ],
    "member",
)

dashboard_patterns = (
    [
        path(DASHBOARD, dashboard.dashboard, name="index"),
        path(DASHBOARD + "monthly.csv", dashboard.monthly_csv, name="monthly_csv"),
    ],
    "dashboard",
)

coordinator_patterns = (
    [
        path("", coordinator.queue, name="queue"),
        path("finished/", coordinator.queue_finished, name="queue_finished"),
        path(REQUEST, coordinator.request_detail, name="request_detail"),
        path(REQUEST + "status/", coordinator.request_status, name="request_status"),
        path(REQUEST + "decline/", coordinator.request_decline, name="request_decline"),
        path(REQUEST + "reopen/", coordinator.request_reopen, name="request_reopen"),
        path(REQUEST + "assign/", coordinator.request_assign, name="request_assign"),
        path(
            REQUEST + "confidentiality/",
            coordinator.request_confidentiality,
            name="request_confidentiality",
        ),
        path("team/", coordinator.roster, name="roster"),
        path("team/new/", coordinator.member_create, name="member_create"),
        path("team/<int:pk>/edit/", coordinator.member_edit, name="member_edit"),
    ],
    "coordinator",
)

# Member and dashboard come before the coordinator's pages, as they always have.
urlpatterns = [
    *public_patterns,
    path(STAFF, include(member_patterns)),
    path(STAFF, include(dashboard_patterns)),
    path(STAFF, include(coordinator_patterns)),
]
