from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("staff/reports/", views.report_list, name="list"),
    path("staff/reports/emails/", views.subscriptions_update, name="subscriptions"),
    path("staff/reports/build/", views.reports_build, name="build"),
    path("staff/reports/progress/", views.report_progress, name="progress"),
    path("staff/reports/<int:pk>/", views.report_detail, name="detail"),
    path("staff/reports/<int:pk>/rebuild/", views.report_rebuild, name="rebuild"),
    path(
        "staff/reports/<int:pk>/<str:fmt>/",
        views.report_download,
        name="download",
    ),
]
