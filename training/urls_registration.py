from django.urls import path

from training import views_registration

urlpatterns = [
    path("calendar/events/<int:pk>/register/", views_registration.register, name="register"),
    path("calendar/registered/<str:token>/", views_registration.registered, name="registered"),
    path("calendar/cancel/<str:token>/", views_registration.cancel, name="cancel"),
]
