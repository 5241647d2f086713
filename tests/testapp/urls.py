from django.urls import include, path

from tests.testapp import views

urlpatterns = [
    path("staff/test/roster/", views.roster),
    path("staff/test/any/", views.any_staff),
    path("staff/test/notes/<int:pk>/", views.note_detail),
    path("", include("marc_safety.urls")),
]
