from django.urls import path

from coresponder import views_entry

urlpatterns = [
    path(
        "staff/coresponder/encounters/",
        views_entry.encounter_list,
        name="encounters",
    ),
    path(
        "staff/coresponder/encounters/new/",
        views_entry.encounter_new,
        name="encounter_new",
    ),
    path(
        "staff/coresponder/encounters/<int:pk>/",
        views_entry.encounter_detail,
        name="encounter",
    ),
    path("staff/coresponder/months/", views_entry.month_list, name="months"),
    path("staff/coresponder/months/close/", views_entry.month_close, name="month_close"),
    path("staff/coresponder/volume/", views_entry.volume, name="volume"),
]
