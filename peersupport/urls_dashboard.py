from django.urls import path

from peersupport import views_dashboard

urlpatterns = [
    path("staff/peer-support/dashboard/", views_dashboard.dashboard, name="dashboard"),
    path(
        "staff/peer-support/dashboard/monthly.csv",
        views_dashboard.monthly_csv,
        name="dashboard_monthly_csv",
    ),
]
