"""The portal's URLs plus /bench/minimal/, the baseline behind the same middleware stack."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from marc_safety.urls import urlpatterns as portal_urlpatterns


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [*portal_urlpatterns, path("bench/minimal/", minimal, name="bench_minimal")]

handler500 = "marc_safety.views.server_error"
