"""/api/: the partner API's version 1, and a problem document (404) for any other address
under /api/, so that a client never gets an HTML page from the API."""

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from coresponder.api import problems
from coresponder.api.api import api


@csrf_exempt  # the API takes no cookies: nothing to forge
def not_found(request, rest: str = ""):
    return problems.problem_response(request, 404)


urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found, name="partner_api_not_found"),
]
