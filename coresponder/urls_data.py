from django.urls import path

from coresponder import views_data

urlpatterns = [
    path("staff/coresponder/import/", views_data.import_upload, name="import"),
    path("staff/coresponder/import/<int:pk>/", views_data.import_job, name="import_job"),
    path(
        "staff/coresponder/import/<int:pk>/errors.csv",
        views_data.import_errors,
        name="import_errors",
    ),
    path("staff/coresponder/export/", views_data.export, name="export"),
]
