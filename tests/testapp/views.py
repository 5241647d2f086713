from django.http import HttpRequest, HttpResponse

from accounts.access import scoped_get_or_404, staff_required
from accounts.roles import Role
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
