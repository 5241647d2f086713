from django.urls import path

from coresponder import views_public

urlpatterns = [
    path("co-responder/", views_public.figures, name="public"),
]
