"""Writes for program content: drafts of live pages, the idempotent demo-content loader and
the demo staff accounts."""

import base64
import hashlib
import hmac
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from reversion.models import Version

from accounts.audit import AuditAction, audit_record
from accounts.roles import Role
from programs import demo_content
from programs.models import (
    Document,
    Draft,
    Highlight,
    HighlightFigure,
    ProgramArea,
    ProgramPage,
    Status,
)

log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# (username, role or None for a superuser); roles are the groups accounts.roles creates.
DEMO_ACCOUNTS = (
    ("admin", None),
    ("editor", Role.SITE_EDITOR),
    ("trainer", Role.TRAINING_COORDINATOR),
    ("peercoord", Role.PEER_SUPPORT_COORDINATOR),
    ("peer", Role.PEER_TEAM_MEMBER),
    ("clinician", Role.CORESPONDER_CLINICIAN),
    ("liaison", Role.AGENCY_LIAISON),
    ("manager", Role.PROGRAM_MANAGER),
)
TEXT_FIELDS = ("title", "summary", "body", "contact_name", "contact_email", "contact_phone")
M = TypeVar("M", bound=models.Model)


def _changed_fields(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """Names of the fields whose stored value differs from the wanted one."""
    changed = []
    for name, wanted in values.items():
        field = obj._meta.get_field(name)
        if field.is_relation and isinstance(wanted, models.Model):
            wanted = wanted.pk
        if getattr(obj, field.attname) != wanted:
            changed.append(name)
    return changed


def _upsert(
    model: type[M],
    *,
    key: dict[str, Any],
    values: dict[str, Any],
    on_create: Callable[[M], None] | None = None,
) -> tuple[M, str]:
    """Find a row by its natural key; create it, or save only the fields that differ.

    Validation skips the file field: files are attached by ``on_create`` or by the caller.
    """
    obj = model._default_manager.filter(**key).first()
    if obj is None:
        obj = model(**key, **values)
        obj.full_clean(exclude=["file"])
        if on_create is not None:
            on_create(obj)
        obj.save()
        return obj, CREATED
    changed = _changed_fields(obj, values)
    if not changed:
        return obj, UNCHANGED
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean(exclude=["file"])
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        changed.append("updated_at")
    obj.save(update_fields=changed)
    return obj, UPDATED


def _values(spec: dict[str, Any], *, fields: tuple[str, ...], position: int = 0) -> dict[str, Any]:
    """The spec's values for these fields ("" when left out), its order and its publishing."""
    values = {name: spec.get(name, "") for name in fields}
    if position:
        values["order"] = position * 10
    values["status"] = spec.get("status", "published")
    values["publish_at"] = spec.get("publish_at", demo_content.PUBLISH_AT)
    return values


def _load_pages(
    *,
    area: ProgramArea,
    specs: list[dict[str, Any]],
    parent: ProgramPage | None,
    pages: dict[str, ProgramPage],
    counts: Counter[str],
) -> None:
    for position, spec in enumerate(specs, start=1):
        page, outcome = _upsert(
            ProgramPage,
            key={"area": area, "slug": spec["slug"]},
            values={"parent": parent, **_values(spec, position=position, fields=TEXT_FIELDS)},
        )
        counts[outcome] += 1
        pages[f"{area.slug}/{page.slug}"] = page
        _load_pages(
            area=area, specs=spec.get("children", []), parent=page, pages=pages, counts=counts
        )


def _figures_sync(*, highlight: Highlight, figures: list[tuple[str, str]]) -> bool:
    """Replace the highlight's figures when they differ from the wanted list."""
    wanted = [(value, label, (i + 1) * 10) for i, (value, label) in enumerate(figures)]
    current = list(highlight.figures.order_by("order", "id").values_list("value", "label", "order"))
    if current == wanted:
        return False
    highlight.figures.all().delete()
    for value, label, order in wanted:
        HighlightFigure.objects.create(highlight=highlight, value=value, label=label, order=order)
    return True


def pdf_placeholder(*, title: str) -> bytes:
    """A small, valid one-page PDF showing the title, for demo documents."""
    text = title.encode("latin-1", "replace").replace(b"\\", b"\\\\")
    text = text.replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = (
        b"BT /F1 20 Tf 72 720 Td (" + text + b") Tj "
        b"/F1 11 Tf 0 -28 Td (Demo placeholder - MARC Safety Portal) Tj ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Title (" + text + b") /Producer (MARC Safety Portal demo) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _attach_pdf(document: Document) -> None:
    content = ContentFile(pdf_placeholder(title=document.title))
    document.file.save(f"{document.slug}.pdf", content, save=False)


def _load_document(*, spec: dict[str, Any], areas: dict, pages: dict, counts: Counter) -> None:
    document, outcome = _upsert(
        Document,
        key={"slug": spec["slug"]},
        values={
            "area": areas[spec["area"]],
            **_values(spec, fields=("title", "kind", "description")),
        },
        on_create=_attach_pdf,
    )
    name = document.file.name
    if outcome != CREATED and not (name and document.file.storage.exists(name)):
        _attach_pdf(document)
        document.save(update_fields=["file", "updated_at"])
        outcome = UPDATED
    wanted = {pages[ref].pk for ref in spec.get("pages", [])}
    if set(document.pages.values_list("pk", flat=True)) != wanted:
        document.pages.set(wanted)
        reversion.add_to_revision(document)
        outcome = UPDATED if outcome == UNCHANGED else outcome
    counts[outcome] += 1


def demo_content_load(
    *,
    areas: list[dict[str, Any]] | None = None,
    highlights: list[dict[str, Any]] | None = None,
    documents: list[dict[str, Any]] | None = None,
) -> dict[str, int]:
    """Create or update the demo content; a second run saves nothing.

    Returns how many areas, pages, highlights and documents were created, updated or left
    unchanged. Rows that are not part of the demo content are never touched.
    """
    areas = demo_content.AREAS if areas is None else areas
    highlights = demo_content.HIGHLIGHTS if highlights is None else highlights
    documents = demo_content.DOCUMENTS if documents is None else documents
    counts: Counter[str] = Counter({CREATED: 0, UPDATED: 0, UNCHANGED: 0})
    by_slug: dict[str, ProgramArea] = {}
    pages: dict[str, ProgramPage] = {}
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment("Demo content")
        for position, spec in enumerate(areas, start=1):
            area, outcome = _upsert(
                ProgramArea,
                key={"slug": spec["slug"]},
                values=_values(spec, position=position, fields=TEXT_FIELDS),
            )
            counts[outcome] += 1
            by_slug[area.slug] = area
            _load_pages(
                area=area, specs=spec.get("pages", []), parent=None, pages=pages, counts=counts
            )
        for position, spec in enumerate(highlights, start=1):
            highlight, outcome = _upsert(
                Highlight,
                key={"year": spec["year"], "slug": spec["slug"]},
                values={
                    "area": by_slug[spec["area"]] if spec.get("area") else None,
                    **_values(spec, fields=("title", "summary"), position=position),
                },
            )
            if _figures_sync(highlight=highlight, figures=spec.get("figures", [])):
                reversion.add_to_revision(highlight)
                outcome = UPDATED if outcome == UNCHANGED else outcome
            counts[outcome] += 1
        for spec in documents:
            _load_document(spec=spec, areas=by_slug, pages=pages, counts=counts)
    return dict(counts)


def demo_password(*, username: str) -> str:
    """A password that is stable for this SECRET_KEY but cannot be guessed without it."""
    message = f"marc-demo-account:{username}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:20]


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, str]]:
    """Create or repair the demo staff accounts; returns (username, password) pairs."""
    user_model = get_user_model()
    accounts = []
    for username, role in DEMO_ACCOUNTS:
        superuser = role is None
        user = user_model._default_manager.filter(username=username).first()
        user = user or user_model(username=username)
        changed = []
        for field, wanted in (
            ("is_active", True),
            ("is_staff", superuser or role == Role.SITE_EDITOR),
            ("is_superuser", superuser),
        ):
            if getattr(user, field) != wanted:
                setattr(user, field, wanted)
                changed.append(field)
        password = demo_password(username=username)
        if user.pk is None or not user.check_password(password):
            user.set_password(password)
            changed.append("password")
        if user.pk is None:
            user.save()
        elif changed:
            user.save(update_fields=changed)
        if role is not None and not user.groups.filter(name=role).exists():
            user.groups.add(Group.objects.get(name=role))
        accounts.append((username, password))
    return accounts


# --- Drafts of live pages -------------------------------------------------------------------
# A live (public) area or page is never changed by an editor's save: the change waits in its
# Draft until it is published now, by beat at its scheduled time, or discarded.

LivePage = ProgramArea | ProgramPage


def _draft_locked(obj: LivePage) -> Draft | None:
    return Draft.objects.select_for_update().filter(**{Draft.OWNER_FIELDS[type(obj)]: obj}).first()


def _audit(obj: LivePage, *, what: str, by, ip: str, path: str, **detail) -> None:
    audit_record(
        actor=by,
        ip=ip,
        path=path,
        action=AuditAction.UPDATE,
        obj=obj,
        detail={"draft": what, **detail},
    )


@transaction.atomic
def draft_save(
    *, obj: LivePage, by, ip: str = "", path: str = "", go_live_at=None, what: str = "saved"
) -> Draft:
    """Keep obj's content (as edited in memory) as the draft of its live row.

    A save without a time cancels an earlier schedule: what goes live at a set time is
    exactly what the editor scheduled, never later unfinished edits.
    """
    draft = _draft_locked(obj) or Draft(**{Draft.OWNER_FIELDS[type(obj)]: obj})
    draft.serialized_data = Draft.serialize(obj)
    draft.saved_by, draft.saved_at = by, timezone.now()
    draft.go_live_at, draft.scheduled_by = go_live_at, (by if go_live_at else None)
    draft.problem = ""
    draft.save()
    scheduled = {"go_live_at": go_live_at.isoformat()} if go_live_at else {}
    _audit(obj, what="scheduled" if go_live_at else what, by=by, ip=ip, path=path, **scheduled)
    return draft


@transaction.atomic
def draft_discard(*, obj: LivePage, by, ip: str = "", path: str = "") -> bool:
    """Delete the draft; the live page stays as it is. False if there was none."""
    draft = _draft_locked(obj)
    if draft is None:
        return False
    draft.delete()
    _audit(obj, what="discarded", by=by, ip=ip, path=path)
    return True


def _publish(live: LivePage, *, by, comment: str) -> None:
    """Save the locked live row as published, validated, as one reversion revision."""
    live.status = Status.PUBLISHED
    live.full_clean()
    with reversion.create_revision():
        live.save()
        reversion.set_user(by)
        reversion.set_comment(comment)


@transaction.atomic
def draft_publish(*, obj: LivePage, by, ip: str = "", path: str = "") -> None:
    """Make obj's content (the draft as edited in memory) the live page, now.

    The live row is locked, so a scheduled publication of the same draft running at the
    same moment waits and then finds no draft. ValidationError leaves everything as it was.
    The public page cache is cleared by programs.signals when the row is saved.
    """
    live = type(obj).objects.select_for_update().get(pk=obj.pk)
    Draft.apply(Draft.serialize(obj), live)
    draft = _draft_locked(obj)
    _publish(live, by=by, comment="Published.")
    if draft is not None:
        draft.delete()
    _audit(live, what="published", by=by, ip=ip, path=path)


@transaction.atomic
def page_unpublish(*, obj: LivePage, by, ip: str = "", path: str = "") -> None:
    """Take a live page off the public site, keeping obj's content (the draft as edited in
    memory) as its text: a page that is not public has no separate draft."""
    live = type(obj).objects.select_for_update().get(pk=obj.pk)
    Draft.apply(Draft.serialize(obj), live)
    draft = _draft_locked(obj)
    live.status = Status.DRAFT
    live.full_clean()
    with reversion.create_revision():
        live.save()
        reversion.set_user(by)
        reversion.set_comment("Unpublished.")
    if draft is not None:
        draft.delete()
    _audit(live, what="unpublished", by=by, ip=ip, path=path)


def drafts_publish_due() -> int:
    """Publish every draft whose time has come; beat runs this every minute.

    Each draft is taken with SELECT … FOR UPDATE SKIP LOCKED in its own transaction, so
    two runs at once (or a run and an editor's "Publish now") never publish one draft
    twice, and drafts that fell due while beat was down are published by the next run.
    A draft that no longer validates (its address was taken meanwhile) is unscheduled and
    its problem shown to editors on its page.
    """
    published = 0
    while True:
        with transaction.atomic():
            draft = (
                Draft.objects.select_for_update(skip_locked=True)
                .filter(go_live_at__lte=timezone.now())
                .order_by("go_live_at")
                .first()
            )
            if draft is None:
                return published
            owner = draft.live
            live = type(owner).objects.select_for_update().get(pk=owner.pk)
            Draft.apply(draft.serialized_data, live)
            try:
                _publish(live, by=draft.scheduled_by, comment="Published as scheduled.")
            except ValidationError as error:
                log.warning("draft %s not published: %s", draft.pk, error.messages)
                draft.problem = " ".join(error.messages)[:500]
                draft.go_live_at = None
                draft.save(update_fields=["problem", "go_live_at"])
                continue
            draft.delete()
            _audit(live, what="published as scheduled", by=draft.scheduled_by, ip="", path="")
            published += 1


@transaction.atomic
def revision_revert(*, obj: LivePage, version: Version, by, ip: str = "", path: str = "") -> bool:
    """Bring back a past revision's content, the way Wagtail does.

    For a live page it becomes the draft, to preview and publish: the public page does not
    change silently. A page that is not public is simply saved with it (a new revision).
    Returns True when a draft was made. ValidationError when the old content no longer fits
    (its address is taken by another page, say).
    """
    live = type(obj).objects.select_for_update().get(pk=obj.pk)
    was_live = live.is_public
    Draft.apply(version.serialized_data, live)
    live.full_clean()
    when = timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
    if was_live:
        draft_save(obj=live, by=by, ip=ip, path=path, what=f"made from the revision of {when}")
        return True
    with reversion.create_revision():
        live.save()
        reversion.set_user(by)
        reversion.set_comment(f"Reverted to the revision of {when}.")
    _audit(live, what=f"reverted to the revision of {when}", by=by, ip=ip, path=path)
    return False
