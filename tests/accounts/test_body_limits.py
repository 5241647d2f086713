"""Request body limits (accounts.bodylimits): too large is refused before it is read."""

import io

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParser
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from accounts.bodylimits import TOO_LARGE, RequestBodyLimitMiddleware
from accounts.roles import Role
from coresponder.models import ImportJob
from tests.coresponder.test_import_export import csv_text, rows_of, upload
from tests.training.factories import EventFactory

pytestmark = pytest.mark.django_db

HUGE = 300 * 1024 * 1024


class WatchedBody(io.BytesIO):
    """A request body that notes whether anything read it."""

    read_at_all = False

    def read(self, *args):
        self.read_at_all = True
        return super().read(*args)

    def readline(self, *args):
        self.read_at_all = True
        return super().readline(*args)


@pytest.fixture
def upload_dir(settings, tmp_path):
    """Uploads too large for memory are written here (and nowhere else) during a test."""
    directory = tmp_path / "uploads"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    return directory


@pytest.fixture
def spooled(monkeypatch):
    """Every byte handed to the temporary-file upload handler, counted."""
    received = []
    real = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        received.append(len(raw_data))
        return real(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    return received


def _public_form(name: str) -> str:
    if name == "registration":
        return f"/calendar/events/{EventFactory().pk}/register/"
    return {"peer support": "/peer-support/request/", "history": "/training/history/"}[name]


@pytest.mark.parametrize("form", ["peer support", "history", "registration"])
def test_a_huge_declared_body_to_a_public_form_is_refused_unread(form, upload_dir, spooled):
    body = WatchedBody(encode_multipart(BOUNDARY, {"name": "Pat", "file": io.BytesIO(b"x")}))
    response = Client().post(
        _public_form(form),
        {"name": "Pat"},
        CONTENT_LENGTH=str(HUGE),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    html = " ".join(response.content.decode().split())
    assert "Too much was sent" in html
    assert "larger than 64 KB" in html
    assert "takes no attachments" in html
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert not body.read_at_all
    assert spooled == []
    assert list(upload_dir.iterdir()) == []


def test_a_public_form_of_ordinary_size_is_still_received(client, make_staff):
    user = make_staff()
    response = client.post("/account/password-reset/", {"email": user.email})
    assert response.status_code == 302


def test_the_sign_in_page_counts_as_public(settings):
    settings.PUBLIC_FORM_MAX_BODY_BYTES = 1000
    response = Client().post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": "x" * 2000, "auth-password": "y"},
    )
    assert response.status_code == 413


def test_a_staff_upload_over_the_staff_limit_is_refused_unread(
    make_staff, staff_client, upload_dir, spooled
):
    client = staff_client(make_staff(roles=[Role.PROGRAM_MANAGER]))
    body = WatchedBody(b"")
    response = client.post(
        "/staff/coresponder/import/",
        {"kind": "encounters"},
        CONTENT_LENGTH=str(HUGE),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert "larger than 101 MB" in response.content.decode()
    assert "Split the file" in response.content.decode()
    assert not body.read_at_all
    assert spooled == []


def test_a_staff_import_of_an_ordinary_csv_still_works(make_staff, staff_client):
    client = staff_client(make_staff(roles=[Role.PROGRAM_MANAGER]))
    text = csv_text(rows_of(3))
    assert 100 * 1024 > len(text) > 0
    response = upload(client, text)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get()
    assert job.status == "done", job.errors
    assert job.created_rows == 3


def _multipart(path: str, file_bytes: int, *, declared: int):
    """A multipart request whose declared length is a lie, as with a chunked body."""
    data = encode_multipart(
        BOUNDARY, {"name": "Pat", "file": _named(io.BytesIO(b"x" * file_bytes), "big.bin")}
    )
    request = RequestFactory().generic(
        "POST", path, data, content_type=MULTIPART_CONTENT, CONTENT_LENGTH=str(declared)
    )
    request._stream = io.BytesIO(data)  # the whole body, whatever was declared
    return request


def _named(stream: io.BytesIO, name: str) -> io.BytesIO:
    stream.name = name
    return stream


def test_the_upload_handler_stops_reading_a_body_that_grows_past_the_limit(
    settings, upload_dir, spooled
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file would go to the temporary directory
    request = _multipart("/peer-support/request/", 1024 * 1024, declared=10)
    post, files = MultiPartParser(
        request.META, request._stream, request.upload_handlers, request.encoding
    ).parse()
    assert getattr(request, TOO_LARGE) is True
    assert "file" not in files
    assert 0 < sum(spooled) <= settings.PUBLIC_FORM_MAX_BODY_BYTES
    assert list(upload_dir.iterdir()) == []  # the part begun was deleted


def test_the_middleware_refuses_a_body_that_grows_past_the_limit_before_any_view(
    settings, upload_dir
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    views = []

    def view(request):
        views.append(request)
        return HttpResponse("seen")

    request = _multipart("/peer-support/request/", 1024 * 1024, declared=10)
    response = RequestBodyLimitMiddleware(view)(request)
    assert response.status_code == 413
    assert views == []
    assert list(upload_dir.iterdir()) == []

    small = _multipart("/peer-support/request/", 1024, declared=2000)
    assert RequestBodyLimitMiddleware(view)(small).status_code == 200
    assert views == [small]
    assert small.FILES["file"].size == 1024
