from django.urls import path

from peersupport import views_public

urlpatterns = [
    path("peer-support/", views_public.start, name="start"),
    path("peer-support/request/", views_public.request_form, name="request"),
    path("peer-support/status/<str:token>/", views_public.status, name="status"),
]
