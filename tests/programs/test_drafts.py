"""Drafts of live pages: an editor's change waits in a draft, visible only at a private
preview address, until it is published now or by beat at its scheduled time."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import reversion
import time_machine
from django.db import connection
from reversion.models import Version

from accounts.models import AuditEvent
from accounts.roles import Role
from programs import tasks
from programs.models import Draft, ProgramPage
from tests.conftest import signed_in_client
from tests.programs.factories import PageFactory

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=CHICAGO)  # live on any date a test travels to


@pytest.fixture
def editor(make_staff):
    return make_staff(roles=[Role.SITE_EDITOR], username="editor")


@pytest.fixture
def live_page():
    with reversion.create_revision():
        return PageFactory(
            title="Flood plans",
            body="Old wording of the flood plan.",
            publish_at=LONG_AGO,
            area__publish_at=LONG_AGO,
        )


def _form(page: ProgramPage, **changes) -> dict:
    form = {
        "area": page.area_id,
        "parent": page.parent_id or "",
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "body": page.body,
        "order": page.order,
        "hero_alt": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "schedule_at": "",
    }
    return {**form, **changes}


def _change_url(page: ProgramPage) -> str:
    return f"/admin/programs/programpage/{page.pk}/change/"


def _edit(client, page, button="_save_draft", **changes):
    return client.post(_change_url(page), {**_form(page, **changes), button: "x"})


def _preview_url(page: ProgramPage) -> str:
    return f"/drafts/{Draft.objects.get(page=page).preview_token}/"


def test_editing_a_live_page_saves_a_draft_the_public_does_not_see(client, editor, live_page):
    editor_client = signed_in_client(editor)
    response = _edit(editor_client, live_page, body="New wording, not yet public.")
    assert response.status_code == 302, response.content.decode()[:3000]

    public = client.get(live_page.get_absolute_url())
    assert public.status_code == 200
    assert b"Old wording" in public.content and b"New wording" not in public.content

    form = editor_client.get(_change_url(live_page)).content.decode()
    assert "A draft exists" in form and "Saved by editor" in form
    assert "New wording, not yet public." in form

    preview = editor_client.get(_preview_url(live_page))
    assert preview.status_code == 200
    assert b"New wording, not yet public." in preview.content
    assert b"Preview: this view shows drafts" in preview.content
    assert "no-store" in preview["Cache-Control"]
    assert "noindex" in preview["X-Robots-Tag"]


def test_only_signed_in_editors_open_the_preview(client, editor, make_staff, live_page):
    _edit(signed_in_client(editor), live_page, body="Secret draft text.")
    url = _preview_url(live_page)

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/account/login/" in anonymous["Location"]
    assert "no-store" in anonymous["Cache-Control"]

    trainer = signed_in_client(make_staff(roles=[Role.TRAINING_COORDINATOR]))
    refused = trainer.get(url)
    assert refused.status_code == 403 and b"Secret draft text." not in refused.content
    assert AuditEvent.objects.filter(action="permission_denied").exists()

    assert signed_in_client(editor).get("/drafts/not-a-real-token/").status_code == 404


def test_publish_now_makes_the_draft_live_and_clears_the_cached_page(client, editor, live_page):
    assert b"Old wording" in client.get(live_page.get_absolute_url()).content  # now cached
    editor_client = signed_in_client(editor)
    _edit(editor_client, live_page, body="Wording published today.")
    assert b"Old wording" in client.get(live_page.get_absolute_url()).content

    response = _edit(editor_client, live_page, button="_publish", body="Wording published today.")
    assert response.status_code == 302

    public = client.get(live_page.get_absolute_url())
    assert public.status_code == 200 and b"Wording published today." in public.content
    assert not Draft.objects.exists()
    latest = Version.objects.get_for_object(live_page).first().revision
    assert (latest.user, latest.comment) == (editor, "Published.")
    assert AuditEvent.objects.filter(
        actor_id=editor.pk, object_id=str(live_page.pk), detail__draft="published"
    ).exists()


def test_discarding_a_draft_leaves_the_live_page(editor, live_page):
    editor_client = signed_in_client(editor)
    _edit(editor_client, live_page, body="A change nobody wants.")
    response = editor_client.post(_change_url(live_page), {"_discard": "x"})
    assert response.status_code == 302 and not Draft.objects.exists()
    form = editor_client.get(_change_url(live_page)).content.decode()
    assert "Old wording" in form and "A change nobody wants." not in form


def test_unpublishing_takes_the_page_off_the_site_and_keeps_the_edits(client, editor, live_page):
    editor_client = signed_in_client(editor)
    _edit(editor_client, live_page, body="Draft text.")
    response = _edit(editor_client, live_page, button="_unpublish", body="Draft text, edited.")
    assert response.status_code == 302
    assert client.get(live_page.get_absolute_url()).status_code == 404
    live_page.refresh_from_db()
    assert (live_page.status, live_page.body) == ("draft", "Draft text, edited.")
    assert not Draft.objects.exists()


def test_a_scheduled_draft_goes_live_at_its_time_and_not_before(client, editor, live_page):
    editor_client = signed_in_client(editor)
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=CHICAGO), tick=False):
        response = _edit(
            editor_client,
            live_page,
            button="_schedule",
            body="Wording for the spring.",
            schedule_at="2026-03-10 14:30",
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    with time_machine.travel(dt.datetime(2026, 3, 10, 14, 29, tzinfo=CHICAGO), tick=False):
        assert tasks.drafts_publish_due() == 0
        assert b"Old wording" in client.get(live_page.get_absolute_url()).content
    # Beat was down from 14:29 to 16:00: its next run still publishes the draft, once.
    with time_machine.travel(dt.datetime(2026, 3, 10, 16, 0, tzinfo=CHICAGO), tick=False):
        assert tasks.drafts_publish_due() == 1
        assert tasks.drafts_publish_due() == 0
        assert b"Wording for the spring." in client.get(live_page.get_absolute_url()).content
    latest = Version.objects.get_for_object(live_page).first().revision
    assert (latest.user, latest.comment) == (editor, "Published as scheduled.")


def test_a_schedule_in_the_past_is_refused_and_the_typed_text_kept(editor, live_page):
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=CHICAGO), tick=False):
        response = _edit(
            signed_in_client(editor),
            live_page,
            button="_schedule",
            body="Too late.",
            schedule_at="2026-03-09 08:00",
        )
    html = response.content.decode()
    assert response.status_code == 200 and "2026-03-09 08:00 has passed" in html
    assert 'value="2026-03-09 08:00"' in html and not Draft.objects.exists()


def test_reverting_a_live_page_makes_a_draft_and_leaves_the_public_page(client, editor, live_page):
    editor_client = signed_in_client(editor)
    _edit(editor_client, live_page, button="_publish", body="Second wording.")
    history = editor_client.get(f"/admin/programs/programpage/{live_page.pk}/history/")
    assert history.status_code == 200
    assert (
        "Body" in history.content.decode() and "Revert to this revision" in history.content.decode()
    )

    first = Version.objects.get_for_object(live_page).last()
    url = f"/admin/programs/programpage/{live_page.pk}/history/{first.pk}/"
    assert editor_client.post(url).status_code == 302

    assert b"Second wording." in client.get(live_page.get_absolute_url()).content
    preview = editor_client.get(_preview_url(live_page))
    assert b"Old wording of the flood plan." in preview.content


@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_once_publish_a_due_draft_once(editor, live_page):
    assert _edit(signed_in_client(editor), live_page, body="Published once.").status_code == 302
    Draft.objects.update(go_live_at=LONG_AGO, scheduled_by=editor)
    versions_before = Version.objects.get_for_object(live_page).count()
    start, results = threading.Barrier(2), []

    def run():
        start.wait()
        try:
            results.append(tasks.drafts_publish_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert Version.objects.get_for_object(live_page).count() == versions_before + 1
    assert ProgramPage.objects.get(pk=live_page.pk).body == "Published once."
