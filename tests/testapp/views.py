from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from accounts.access import scoped_get_or_404, staff_required
from accounts.roles import Role
from core.pagecache import public_page
from tests.testapp.models import ConfidentialNote


def notes_for(*, user):
    return ConfidentialNote.objects.filter(owner=user)


@staff_required(Role.TRAINING_COORDINATOR)
def roster(request: HttpRequest) -> HttpResponse:
    return HttpResponse("training roster")


@staff_required()
def any_staff(request: HttpRequest) -> HttpResponse:
    return HttpResponse("any staff")


@staff_required()
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = scoped_get_or_404(request, notes_for, pk=pk)
    return HttpResponse(note.text)


# Public pages the page cache must not store, for tests/core/test_page_cache.py.


@public_page()
def public_setting_a_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("a page that sets a cookie")
    response.set_cookie("seen", "yes")
    return response


@public_page()
def public_with_a_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
    )


@public_page()
def public_by_language(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(request.headers.get("Accept-Language", "en"))
    patch_vary_headers(response, ["Accept-Language"])
    return response
