"""Releases of the public figures: published by program managers for closed years, frozen,
revised only with a reason, safe against two managers and against records that change
under a preview.

The clock is frozen in March 2026, so 2023 to 2025 are over and 2026 is running.
"""

import csv
import datetime as dt
import html as htmllib
import io
import re
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from accounts.models import AuditEvent, AuditOutcome
from coresponder import dictionary as dd
from coresponder import services
from coresponder.csvio.jobs import import_start
from coresponder.models import ClosedMonth, MonthlyCallVolume, Release
from tests.conftest import signed_in_client
from tests.coresponder.factories import encounter, org, row

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("America/Chicago"))
PUBLIC = reverse("coresponder:public")
INDEX = reverse("coresponder:releases:index")


def year_url(year: int) -> str:
    return reverse("coresponder:releases:year", args=[year])


@pytest.fixture(autouse=True)
def march_2026():
    with time_machine.travel(NOW, tick=True):
        yield


def encounters(n: int, year: int, month: int = 3, **fields) -> None:
    for i in range(n):
        encounter(date=f"{year}-{month:02d}-{1 + i % 28:02d}", **fields)


def close(year: int, by) -> None:
    for month in services.release_open_months(year):
        services.month_close(month=month, by=by)


def publish(year: int, by, note: str = "") -> Release:
    preview = services.release_preview(year=year)
    return services.release_publish(year=year, note=note, fingerprint=preview.fingerprint, by=by)


def text_of(response) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def public_row(client, heading) -> str:
    page = client.get(PUBLIC).content.decode()
    found = re.search(rf'<th scope="row">{heading}</th>(.*?)</tr>', page, re.S)
    assert found, f"no row {heading}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.fixture
def year_2025(program_manager):
    """2025 with enough records to print every count, its months closed."""
    MonthlyCallVolume.objects.create(
        agency=org("blue-springs"), month=dt.date(2025, 3, 1), mh_calls=400
    )
    encounters(40, 2025, linked_to_services="yes", service_type="outpatient")
    encounters(15, 2025, disposition="arrest")
    close(2025, program_manager)


@pytest.fixture
def manager_client(program_manager):
    return signed_in_client(program_manager)


# --- Publishing --------------------------------------------------------------------------


def test_a_manager_publishes_a_closed_year_once_and_it_is_audited(program_manager, year_2025):
    preview = services.release_preview(year=2025)
    assert preview.can_publish and preview.revision == 1
    release = services.release_publish(
        year=2025,
        note="",
        fingerprint=preview.fingerprint,
        by=program_manager,
        ip="203.0.113.9",
        path="/staff/coresponder/releases/2025/",
    )
    assert (release.year, release.revision, release.published_by) == (2025, 1, program_manager)
    assert release.counts["year"]["on_scene"] == 55
    assert release.figures["year"]["on_scene"] == {"text": "55", "value": 55, "status": "shown"}
    assert release.counts["to_date"] == release.counts["year"]
    event = AuditEvent.objects.get(object_type="coresponder.release")
    assert (event.action, event.actor_id, event.ip_address) == (
        "create",
        program_manager.pk,
        "203.0.113.9",
    )
    assert event.detail == {"year": 2025, "revision": 1, "note": ""}


@pytest.mark.parametrize("who", ["clinician", "blue_springs_liaison", "outsider"])
def test_only_program_managers_publish(request, who, year_2025):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    preview = services.release_preview(year=2025)
    with pytest.raises(services.ReleaseError, match="Only a program manager"):
        services.release_publish(year=2025, note="", fingerprint=preview.fingerprint, by=user)
    assert not Release.objects.exists()


def test_a_running_year_cannot_be_released(program_manager):
    encounters(12, 2026, month=1)
    close(2026, program_manager)
    preview = services.release_preview(year=2026)
    assert preview.blockers == (
        "2026 is not over yet: its figures can be released from January 1, 2027.",
    )
    assert preview.table is None
    with pytest.raises(services.ReleaseError, match="not over"):
        services.release_publish(
            year=2026, note="", fingerprint=preview.fingerprint, by=program_manager
        )


def test_a_year_is_released_only_once_the_months_holding_records_are_closed(program_manager):
    encounters(12, 2025, month=3)
    encounters(12, 2025, month=11)
    services.month_close(month=dt.date(2025, 3, 1), by=program_manager)
    preview = services.release_preview(year=2025)
    assert preview.open_months == (dt.date(2025, 11, 1),)
    assert preview.blockers == ("Close the months of 2025 that hold records first: November 2025.",)
    with pytest.raises(services.ReleaseError, match="November 2025"):
        services.release_publish(
            year=2025, note="", fingerprint=preview.fingerprint, by=program_manager
        )
    services.month_close(month=dt.date(2025, 11, 1), by=program_manager)
    assert publish(2025, program_manager).revision == 1


def test_a_year_without_records_has_nothing_to_release(program_manager):
    preview = services.release_preview(year=2024)
    assert preview.blockers == ("No records are dated in 2024, so there is nothing to release.",)
    assert not preview.can_publish


# --- Frozen --------------------------------------------------------------------------------


def csv_upload(rows: list[dict]) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=dd.ENCOUNTER_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile("late.csv", out.getvalue().encode(), "text/csv")


def test_late_records_imported_after_a_release_change_nothing_on_the_public_page(
    client, program_manager, year_2025
):
    publish(2025, program_manager)
    before = client.get(PUBLIC).content
    late = [row(encounter_id=f"LATE-{n}", date=f"2025-03-0{1 + n % 9}") for n in range(30)]
    job = import_start(kind="encounters", upload=csv_upload(late), by=program_manager)
    assert job.created_rows == 30
    from core.pagecache import invalidate_all

    invalidate_all()  # not even a fresh rendering shows them
    assert client.get(PUBLIC).content == before
    assert client.get(reverse("coresponder:release", args=[2025])).status_code == 200
    assert "55" in public_row(client, 2025)


def test_the_database_refuses_to_change_or_delete_a_release(program_manager, year_2025):
    release = publish(2025, program_manager)
    for change in (
        lambda: Release.objects.filter(pk=release.pk).update(note="edited"),
        lambda: Release.objects.filter(pk=release.pk).delete(),
    ):
        with pytest.raises(IntegrityError, match="cannot be changed"), transaction.atomic():
            change()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE coresponder_release SET figures = '{}'")
    release.refresh_from_db()
    assert release.note == "" and release.figures["year"]["on_scene"]["text"] == "55"


def test_the_database_allows_one_release_per_year_and_revision(program_manager, year_2025):
    release = publish(2025, program_manager)
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.create(
            year=2025,
            revision=1,
            published_at=release.published_at,
            published_by=program_manager,
            counts={},
            figures={},
        )


def test_the_admin_only_reads_releases(superuser_client, program_manager, year_2025):
    release = publish(2025, program_manager)
    page = superuser_client.get(f"/admin/coresponder/release/{release.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        superuser_client.post(f"/admin/coresponder/release/{release.pk}/delete/").status_code == 403
    )
    assert superuser_client.get("/admin/coresponder/release/add/").status_code == 403
    assert Release.objects.count() == 1


# --- Revisions -----------------------------------------------------------------------------


def test_a_revision_needs_changed_figures(program_manager, year_2025):
    publish(2025, program_manager)
    encounters(1, 2025, contact_type="phone", assessment="no")  # prints nowhere
    preview = services.release_preview(year=2025)
    assert preview.unchanged and not preview.can_publish
    with pytest.raises(services.ReleaseError, match="Nothing printed would change"):
        services.release_publish(
            year=2025, note="Late records", fingerprint=preview.fingerprint, by=program_manager
        )
    assert Release.objects.count() == 1


def test_a_revision_needs_a_reason(program_manager, year_2025):
    publish(2025, program_manager)
    encounters(12, 2025)  # late records of a closed month
    preview = services.release_preview(year=2025)
    assert preview.revision == 2
    with pytest.raises(services.ReleaseError, match="Say why"):
        services.release_publish(
            year=2025, note="   ", fingerprint=preview.fingerprint, by=program_manager
        )
    with pytest.raises(services.ReleaseError, match="300 characters"):
        services.release_publish(
            year=2025, note="x" * 301, fingerprint=preview.fingerprint, by=program_manager
        )


def test_a_revision_with_its_reason_shows_on_the_public_page_and_the_first_stays_readable(
    client, program_manager, year_2025
):
    publish(2025, program_manager)
    encounters(12, 2025)  # late records of a closed month
    with time_machine.travel(NOW + dt.timedelta(days=20), tick=True):
        revised = publish(2025, program_manager, note="Grandview sent December's records late.")
    assert revised.revision == 2
    assert "67" in public_row(client, 2025)
    page = text_of(client.get(PUBLIC))
    assert "Revised April 5, 2026: Grandview sent December's records late." in page
    first = client.get("/co-responder/2025/revision-1/")
    assert "This is an earlier version of the 2025 figures" in text_of(first)
    assert re.search(
        r'<th scope="row">2025</th>\s*(<td[^>]*>[^<]*</td>\s*){5}<td[^>]*>55<',
        first.content.decode(),
    )
    current = text_of(client.get("/co-responder/2025/"))
    assert "Revision 1 , published March 16, 2026" in current
    assert (
        "Revision 2 , revised April 5, 2026: Grandview sent December's records late. (current)"
        in current
    )


def test_the_preview_lists_what_a_revision_changes(program_manager, year_2025):
    first = publish(2025, program_manager)
    encounters(12, 2025)  # late records of a closed month
    preview = services.release_preview(year=2025)
    assert [c.figure for c in preview.changes if c.row == "year"] == [
        "onsite_assessments",
        "coverage",
        "field_assessments",
        "on_scene",
        "custody_avoided",
    ]
    assert preview.current == first


def test_a_revision_hides_what_it_would_give_away_beside_the_earlier_one(
    manager_client, program_manager, year_2025
):
    """Five late records: revision 2 beside revision 1 would show those five exactly."""
    publish(2025, program_manager)
    encounters(5, 2025)
    preview = services.release_preview(year=2025)
    assert preview.can_publish
    hidden = {(cell.row, cell.figure) for cell in preview.table.hidden_across}
    assert ("year", "on_scene") in hidden
    assert preview.table.rows["year"]["on_scene"].text == "not shown"
    page = text_of(manager_client.get(year_url(2025)))
    assert (
        "On-scene encounters reads “not shown”: hidden because of figures published earlier."
        in page
    )


def test_the_public_pages_say_why_a_revision_hides_a_figure(client, program_manager, year_2025):
    publish(2025, program_manager)
    encounters(5, 2025)
    publish(2025, program_manager, note="Five encounters of March were entered late.")
    for url in (PUBLIC, reverse("coresponder:release", args=[2025])):
        page = text_of(client.get(url))
        assert "Notes to the table" in page
        assert "not shown (note 1)" in page
        assert "2025, On-scene encounters: Hidden because, compared with revision 1" in page
    first = text_of(client.get(reverse("coresponder:release_revision", args=[2025, 1])))
    assert "Notes to the table" not in first  # revision 1 hid nothing across releases
    assert "(note 1)" not in first


# --- The fingerprint and two managers ------------------------------------------------------


def test_publishing_refuses_a_preview_the_records_have_overtaken(program_manager, year_2025):
    seen = services.release_preview(year=2025)
    encounters(3, 2025)
    with pytest.raises(services.ReleaseStale) as stale:
        services.release_publish(
            year=2025, note="", fingerprint=seen.fingerprint, by=program_manager
        )
    assert "Records dated in 2025 or earlier changed" in str(stale.value)
    assert stale.value.preview.counts["year"]["on_scene"] == 58
    assert not Release.objects.exists()


def test_publishing_refuses_a_preview_another_manager_has_overtaken(
    program_manager, make_staff, year_2025
):
    from accounts.roles import Role

    other = make_staff(roles=[Role.PROGRAM_MANAGER])
    seen = services.release_preview(year=2025)
    services.release_publish(year=2025, note="", fingerprint=seen.fingerprint, by=other)
    with pytest.raises(services.ReleaseStale, match="Another program manager published"):
        services.release_publish(
            year=2025, note="", fingerprint=seen.fingerprint, by=program_manager
        )
    assert Release.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_publishing_at_once_make_one_revision(make_staff):
    from accounts.roles import Role
    from tests.coresponder.factories import ensure_directory

    ensure_directory()
    managers = [make_staff(roles=[Role.PROGRAM_MANAGER]) for _ in range(2)]
    encounters(20, 2025)
    close(2025, managers[0])
    fingerprint = services.release_preview(year=2025).fingerprint
    barrier = threading.Barrier(2)
    outcomes: list = []

    def publish_as(manager):
        try:
            barrier.wait()
            services.release_publish(year=2025, note="", fingerprint=fingerprint, by=manager)
            outcomes.append("published")
        except services.ReleaseError as refused:
            outcomes.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=publish_as, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes)[-1] == "published"
    assert sorted(outcomes)[0].startswith("Another program manager published figures")
    assert list(Release.objects.values_list("year", "revision")) == [(2025, 1)]


# --- The staff pages -----------------------------------------------------------------------


def test_the_pages_are_for_program_managers_only(client, staff_client, clinician, year_2025):
    for url in (INDEX, year_url(2025)):
        assert client.get(url).status_code == 302  # anonymous: to the sign-in page
        denied = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count()
        assert signed_in_client(clinician.user).get(url).status_code == 403
        assert AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count() == denied + 1
    response = signed_in_client(clinician.user).post(year_url(2025), {"fingerprint": "x"})
    assert response.status_code == 403
    assert not Release.objects.exists()


def test_the_list_offers_what_can_be_released_and_says_what_blocks_the_rest(
    manager_client, program_manager, year_2025
):
    encounters(12, 2024, month=5)
    encounters(3, 2026, month=1)
    response = manager_client.get(INDEX)
    assert response.status_code == 200
    page = text_of(response)
    assert "Publish 2025" in page
    assert "Close the months of 2024 that hold records first: May 2024." in page
    assert "2026 is not over yet" in page
    assert 'href="/staff/coresponder/months/"' in response.content.decode()
    publish(2025, program_manager)
    assert "Check 2025 for a revision" in text_of(manager_client.get(INDEX))


def test_the_staff_navigation_leads_to_the_releases(manager_client):
    page = manager_client.get(reverse("coresponder:entry:encounters")).content.decode()
    assert f'href="{INDEX}"' in page


def test_the_preview_shows_the_table_and_why_each_hidden_figure_is_hidden(
    manager_client, program_manager
):
    MonthlyCallVolume.objects.create(
        agency=org("blue-springs"), month=dt.date(2025, 3, 1), mh_calls=300
    )
    encounters(17, 2025)
    encounters(3, 2025, disposition="arrest")
    encounters(4, 2025, contact_type="phone")
    close(2025, program_manager)
    response = manager_client.get(year_url(2025))
    assert response.status_code == 200
    page = text_of(response)
    assert (
        "2025, Arrest or custody avoided reads “not shown”: Hidden to protect another figure"
        in page
    )
    assert "Encounters linked to services" in page
    assert "All years through 2025" in page
    assert "Publish the 2025 figures" in page


def test_publishing_from_the_preview_page(client, manager_client, year_2025):
    preview = manager_client.get(year_url(2025))
    fingerprint = preview.context["form"]["fingerprint"].value()
    response = manager_client.post(year_url(2025), {"fingerprint": fingerprint, "note": ""})
    assert response.status_code == 302 and response.url == INDEX
    assert "The 2025 figures are published." in text_of(manager_client.get(INDEX))
    assert "55" in public_row(client, 2025)


def test_a_revision_from_the_preview_page_needs_a_reason_and_keeps_nothing_lost(
    client, manager_client, program_manager, year_2025
):
    publish(2025, program_manager)
    encounters(12, 2025)  # late records of a closed month
    page = manager_client.get(year_url(2025))
    assert "What changes compared with revision 1" in text_of(page)
    assert "On-scene encounters 55 67" in text_of(page)
    fingerprint = page.context["form"]["fingerprint"].value()
    refused = manager_client.post(year_url(2025), {"fingerprint": fingerprint, "note": ""})
    assert refused.status_code == 400
    assert "Say why the figures are revised" in text_of(refused)
    done = manager_client.post(
        year_url(2025), {"fingerprint": fingerprint, "note": "Late December records."}
    )
    assert done.status_code == 302
    assert "Revised March 16, 2026: Late December records." in text_of(client.get(PUBLIC))


def test_a_stale_preview_is_shown_again_with_the_reason_kept(manager_client, year_2025):
    fingerprint = manager_client.get(year_url(2025)).context["form"]["fingerprint"].value()
    encounters(2, 2025)
    response = manager_client.post(year_url(2025), {"fingerprint": fingerprint, "note": "Kept"})
    assert response.status_code == 409
    assert "changed while you were reading the preview" in text_of(response)
    assert re.search(r">\s*Kept</textarea>", response.content.decode())
    assert "visible only to editors" not in text_of(response)
    assert response.context["candidate"].counts["year"]["on_scene"] == 57
    assert not Release.objects.exists()


def test_nothing_to_revise_is_said_and_no_button_is_offered(
    manager_client, program_manager, year_2025
):
    publish(2025, program_manager)
    page = text_of(manager_client.get(year_url(2025)))
    assert "Nothing changed:" in page
    assert "Publish revision" not in page


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_command_closes_the_ended_years_and_publishes_them(settings):
    from programs.services import demo_accounts_ensure

    demo_accounts_ensure()
    settings.DEBUG = True
    call_command("load_coresponder_demo", stdout=io.StringIO())
    released = set(Release.objects.values_list("year", flat=True))
    assert released and max(released) == 2025
    assert all(r.revision == 1 for r in Release.objects.all())
    assert ClosedMonth.objects.filter(month=dt.date(2025, 12, 1)).exists()
    assert not ClosedMonth.objects.filter(month__year=2026).exists()
    call_command("load_coresponder_demo", stdout=io.StringIO())  # a second run: nothing new
    assert Release.objects.count() == len(released)
