"""Re-check stored documents against the upload allow-list and unpublish those that fail.

Files uploaded before core.uploads existed were never checked. The download view
already refuses to serve them; this takes them off the public lists too, so editors can
see them as drafts and replace the file.
"""

from dataclasses import dataclass

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction

from core.uploads import document_type
from programs.models import Document, Status


@dataclass(frozen=True)
class Finding:
    """A stored document whose file fails the allow-list."""

    document: Document
    reason: str
    unpublished: bool


def documents_recheck(*, unpublish: bool = True) -> list[Finding]:
    """Check every document's stored file; unpublish the published ones that fail.

    With ``unpublish=False`` nothing is written: the findings only report.
    """
    findings = []
    for document in Document.objects.order_by("pk").iterator():
        try:
            document_type(file=document.file)
        except ValidationError as error:
            reason = " ".join(error.messages)
        else:
            continue
        was_published = document.status == Status.PUBLISHED
        if unpublish and was_published:
            _unpublish(document=document, reason=reason)
        findings.append(
            Finding(document=document, reason=reason, unpublished=unpublish and was_published)
        )
    return findings


def _unpublish(*, document: Document, reason: str) -> None:
    with transaction.atomic(), reversion.create_revision():
        document.status = Status.DRAFT
        document.save(update_fields=["status", "updated_at"])
        reversion.set_comment(f"Unpublished by documents_recheck: {reason}")
