"""A site editor changes a live page through a draft: previews it at its private address,
schedules it, and the public keeps reading the published text until the time comes."""

import datetime as dt

import time_machine
from django.utils import timezone

from accounts.roles import Role
from programs import tasks
from programs.selectors import pages_published
from programs.views import BE_PREPARED_SLUG
from tests.e2e.helpers import assert_no_axe_violations, sign_in, submit

NEW_SUMMARY = "Revised summary, waiting in a draft for its publication."


def test_an_editor_schedules_a_draft_while_the_public_page_stays_as_published(
    site, make_staff, page, new_page
):
    live = pages_published().exclude(area__slug=BE_PREPARED_SLUG).filter(parent=None).first()
    public_url = site + live.get_absolute_url()
    visitor = new_page("visitor")

    def public_shows(text: str) -> bool:
        response = visitor.goto(public_url)
        assert response.status == 200
        return text in visitor.locator("main").inner_text()

    assert public_shows(live.summary)

    sign_in(page, site, make_staff(roles=[Role.SITE_EDITOR]))
    page.goto(f"{site}/admin/programs/programpage/{live.pk}/change/")
    page.get_by_label("Summary").fill(NEW_SUMMARY)
    submit(page, "Save draft")
    assert "A draft exists" in page.locator("#draft-status").inner_text()
    assert public_shows(live.summary) and not public_shows(NEW_SUMMARY)

    preview_url = page.get_by_role("link", name="Preview the draft").first.get_attribute("href")
    page.goto(site + preview_url)
    assert NEW_SUMMARY in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    visitor.goto(site + preview_url)  # not signed in: sent to the sign-in page
    assert "/account/login/" in visitor.url

    go_live = timezone.localtime() + dt.timedelta(days=1)
    page.goto(f"{site}/admin/programs/programpage/{live.pk}/change/")
    page.get_by_label("Publish the draft at").fill(go_live.strftime("%Y-%m-%d %H:%M"))
    submit(page, "Schedule publication")
    assert "Scheduled to go live" in page.locator("#draft-status").inner_text()
    assert tasks.drafts_publish_due() == 0
    assert public_shows(live.summary)

    with time_machine.travel(go_live + dt.timedelta(minutes=1)):
        assert tasks.drafts_publish_due() == 1
    assert public_shows(NEW_SUMMARY)
