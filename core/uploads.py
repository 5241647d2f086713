"""The allow-list of files the portal accepts as documents, checked by their content.

A document is served from the portal's own origin, so a file that a browser could run
(a web page, a script, an SVG image) must never be stored as one. Each upload is
recognised by its first bytes (and, for office files, by the parts inside the zip
container), and its name must end in an extension of the type its content shows: an
HTML page renamed ``.pdf`` is refused, and so is a PDF renamed ``.html``.

Accepted: PDF; Word, Excel and PowerPoint files (docx, xlsx, pptx, without macros);
OpenDocument text and spreadsheets (odt, ods); PNG, JPEG, GIF and WebP images. Plain text
and CSV are not accepted: by content they cannot be told apart from HTML or JavaScript.
Legacy binary Office files (doc, xls, ppt) are not accepted either; save them as PDF or
as a current Office file.
"""

import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File

HEAD_BYTES = 16
ZIP_PART_MAX_BYTES = 1024 * 1024  # the most read of one part inside an office file

REFUSED_MESSAGE = (
    "This file is not a PDF, an office document (Word, Excel, PowerPoint or OpenDocument) "
    "or a PNG, JPEG, GIF or WebP image. Web pages, scripts, text files and SVG images are "
    "not accepted: save the document as a PDF and upload that."
)
MISMATCH_MESSAGE = (
    "This file's name ends in “.%(extension)s” but its content is a %(label)s: "
    "rename it to end in “.%(expected)s” and upload it again."
)
MISSING_MESSAGE = "The stored file is missing: upload the document again."


@dataclass(frozen=True)
class DocumentType:
    """One accepted kind of file: what to call it, how to serve it, what it may be named."""

    label: str
    content_type: str
    extensions: tuple[str, ...]

    @property
    def extension(self) -> str:
        """The usual extension, used to name downloads."""
        return self.extensions[0]


PDF = DocumentType("PDF", "application/pdf", ("pdf",))
DOCX = DocumentType(
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = DocumentType(
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ("xlsx",),
)
PPTX = DocumentType(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
ODT = DocumentType("OpenDocument text", "application/vnd.oasis.opendocument.text", ("odt",))
ODS = DocumentType(
    "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)
)
PNG = DocumentType("PNG image", "image/png", ("png",))
JPEG = DocumentType("JPEG image", "image/jpeg", ("jpg", "jpeg"))
GIF = DocumentType("GIF image", "image/gif", ("gif",))
WEBP = DocumentType("WebP image", "image/webp", ("webp",))

ACCEPTED_EXTENSIONS = tuple(
    ext
    for kind in (PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG, GIF, WEBP)
    for ext in kind.extensions
)

# Office Open XML: the main part's content type in [Content_Types].xml and its folder.
# Macro-enabled files (docm, xlsm, pptm) declare other main types and are not matched.
_OOXML = (
    (DOCX, b"wordprocessingml.document.main+xml", "word/"),
    (XLSX, b"spreadsheetml.sheet.main+xml", "xl/"),
    (PPTX, b"presentationml.presentation.main+xml", "ppt/"),
)
_OPENDOCUMENT = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}


def _zip_type(stream: IO[bytes]) -> DocumentType | None:
    """The office type of a zip container, or None for any other zip (or a broken one)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as part:
                    content_types = part.read(ZIP_PART_MAX_BYTES)
                for kind, main_type, folder in _OOXML:
                    if main_type in content_types and any(n.startswith(folder) for n in names):
                        return kind
                return None
            if "mimetype" in names and "content.xml" in names:
                with archive.open("mimetype") as part:
                    return _OPENDOCUMENT.get(part.read(100).strip())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


def detect(stream: IO[bytes]) -> DocumentType | None:
    """The accepted type that the content of a seekable binary stream shows, or None.

    The stream is read from its start and left at its start.
    """
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        kind = GIF
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = WEBP
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_type(stream)
        stream.seek(0)
    return kind


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def document_type(*, file: File) -> DocumentType:
    """The accepted type of a file whose content and name agree; ValidationError otherwise.

    ``file`` may be a fresh upload or a stored file (a FieldFile); a stored file is opened
    here and closed again, an upload is left open for saving.
    """
    stored = getattr(file, "_committed", False)
    try:
        file.open("rb")
    except (OSError, ValueError):
        raise ValidationError(MISSING_MESSAGE, code="missing") from None
    try:
        kind = detect(file)
    finally:
        if stored:
            file.close()
    if kind is None:
        raise ValidationError(REFUSED_MESSAGE, code="document_type")
    extension = _extension(file.name or "")
    if extension not in kind.extensions:
        raise ValidationError(
            MISMATCH_MESSAGE,
            code="document_extension",
            params={"extension": extension, "label": kind.label, "expected": kind.extension},
        )
    return kind


def validate_document_file(value: File) -> None:
    """Field validator: accept only allow-listed documents whose name matches their content."""
    document_type(file=value)
