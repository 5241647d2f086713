from django.urls import include, path

from tests.testapp import views

urlpatterns = [
    path("staff/test/roster/", views.roster),
    path("staff/test/any/", views.any_staff),
    path("staff/test/notes/<int:pk>/", views.note_detail),
    path("test/public/cookie/", views.public_setting_a_cookie),
    path("test/public/form/", views.public_with_a_form),
    path("test/public/language/", views.public_by_language),
    path("", include("marc_safety.urls")),
]
