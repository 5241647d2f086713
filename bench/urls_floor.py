"""One view returning a fixed page of FLOOR_BODY_BYTES (the size of the portal's home page,
measured by the bench), with the Content-Length the portal's pages carry."""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

BODY = b"<!doctype html><title>floor</title>".ljust(
    int(os.environ.get("FLOOR_BODY_BYTES", "30000")), b"x"
)


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, headers={"Content-Length": str(len(BODY))})


urlpatterns = [path("floor/", floor)]
