import pytest
import reversion
from reversion.models import Version

from programs.models import ProgramPage
from tests.programs.factories import HighlightFactory, PageFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_searches_and_filters_pages(superuser_client):
    PageFactory(title="Peer support overview")
    PageFactory(title="Hazard mitigation", status="draft")
    url = "/admin/programs/programpage/"
    html = superuser_client.get(url, {"q": "peer"}).content.decode()
    assert "Peer support overview" in html and "Hazard mitigation" not in html
    html = superuser_client.get(url, {"status__exact": "draft"}).content.decode()
    assert "Hazard mitigation" in html and "Peer support overview" not in html


def test_admin_form_fills_the_slug_from_the_title_and_links_a_preview(superuser_client):
    html = superuser_client.get("/admin/programs/programpage/add/").content.decode()
    assert "prepopulated_fields" in html or "data-prepopulated-fields" in html
    page = PageFactory(status="draft")
    html = superuser_client.get(f"/admin/programs/programpage/{page.pk}/change/").content
    assert f'href="{page.get_absolute_url()}?preview=1"'.encode() in html


def test_admin_edit_of_an_unpublished_page_is_recorded_and_an_earlier_revision_restored(
    superuser_client,
):
    """Pages not public yet are saved directly (live pages get drafts: test_drafts.py)."""
    with reversion.create_revision():
        page = PageFactory(title="First wording", body="Original body.", status="draft")
    change_url = f"/admin/programs/programpage/{page.pk}/change/"
    form = {
        "area": page.area_id,
        "parent": "",
        "title": "Second wording",
        "slug": page.slug,
        "summary": page.summary,
        "body": "Rewritten body.",
        "order": 0,
        "hero_alt": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "status": "draft",
        "publish_at_0": "2025-01-15",
        "publish_at_1": "09:00:00",
    }
    response = superuser_client.post(change_url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert page.title == "Second wording"

    versions = Version.objects.get_for_object(page)
    assert versions.count() == 2
    first = versions.last()
    history = superuser_client.get(f"{change_url.rsplit('change/', 1)[0]}history/")
    assert history.status_code == 200
    assert "Title, Body" in history.content.decode()
    revision_url = f"/admin/programs/programpage/{page.pk}/history/{first.pk}/"
    response = superuser_client.post(revision_url)
    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.title, page.body) == ("First wording", "Original body.")


def test_highlight_revision_includes_its_figures():
    with reversion.create_revision():
        highlight = HighlightFactory()
        highlight.figures.create(value="65", label="trainings")
    version = Version.objects.get_for_object(highlight).first()
    restored_models = {v.content_type.model for v in version.revision.version_set.all()}
    assert restored_models == {"highlight", "highlightfigure"}


def test_search_vector_is_not_part_of_the_stored_revision():
    with reversion.create_revision():
        page = PageFactory()
    data = Version.objects.get_for_object(page).first().field_dict
    assert "search_vector" not in data
    assert ProgramPage.objects.get(pk=page.pk).search_vector
