from django.urls import path

from coresponder import views_dashboard

urlpatterns = [
    path("staff/coresponder/dashboard/", views_dashboard.dashboard, name="dashboard"),
    path(
        "staff/coresponder/dashboard/measures.csv",
        views_dashboard.dashboard_csv,
        name="dashboard_csv",
    ),
    path(
        "staff/coresponder/dashboard/chart/<slug:name>.svg",
        views_dashboard.dashboard_chart,
        name="dashboard_chart",
    ),
]
