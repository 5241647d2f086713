import datetime as dt

import pytest
from django.utils import timezone

from programs.models import Status
from tests.programs.factories import (
    AreaFactory,
    DocumentFactory,
    FigureFactory,
    HighlightFactory,
    PageFactory,
)

pytestmark = pytest.mark.django_db


def test_area_page_lists_its_pages_and_documents(client):
    area = AreaFactory(title="Hazardous Materials")
    PageFactory(area=area, title="Local Emergency Planning Committee")
    DocumentFactory(area=area, title="Hazardous Materials Emergency Plan")
    response = client.get(area.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Local Emergency Planning Committee" in html
    assert "Hazardous Materials Emergency Plan" in html


def test_nested_page_shows_breadcrumbs_back_to_its_area_and_parent(client):
    parent = PageFactory(title="911 Peer Support")
    child = PageFactory(area=parent.area, parent=parent, title="Command Level Peer Support")
    response = client.get(child.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-label="Breadcrumb"' in html
    assert f'href="{parent.area.get_absolute_url()}"' in html
    assert f'href="{parent.get_absolute_url()}"' in html
    assert 'aria-current="page">Command Level Peer Support<' in html


@pytest.mark.parametrize("status,delta", [(Status.DRAFT, -1), (Status.PUBLISHED, 1)])
def test_drafts_and_future_pages_are_not_public(client, status, delta):
    page = PageFactory(status=status, publish_at=timezone.now() + dt.timedelta(days=delta))
    assert client.get(page.get_absolute_url()).status_code == 404
    assert client.get(page.get_absolute_url() + "?preview=1").status_code == 404


def test_page_of_a_draft_area_is_not_public(client):
    page = PageFactory(area=AreaFactory(status=Status.DRAFT))
    assert client.get(page.get_absolute_url()).status_code == 404


def test_editor_previews_a_draft_and_the_preview_is_never_cached(make_staff, staff_client):
    page = PageFactory(status=Status.DRAFT, title="Draft plan page")
    editor = make_staff()
    editor.user_permissions.add(*_perms("view_programpage"))
    client = staff_client(editor)  # signed in and verified with a two-factor code
    assert client.get(page.get_absolute_url()).status_code == 404
    response = client.get(page.get_absolute_url() + "?preview=1")
    assert response.status_code == 200
    assert "Draft plan page" in response.content.decode()
    assert "Preview" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_preview_needs_a_session_that_passed_two_factor(client, make_staff):
    """An editor's password alone (a session without the second factor) shows no draft."""
    page = PageFactory(status=Status.DRAFT, title="Draft plan page")
    area = page.area
    area.status = Status.DRAFT
    area.save()
    HighlightFactory(year=2024, title="Draft highlight", status=Status.DRAFT)
    editor = make_staff()
    editor.user_permissions.add(
        *_perms("view_programpage"), *_perms("view_programarea"), *_perms("view_highlight")
    )
    client.force_login(editor)  # password only: no two-factor device verified
    assert client.get(page.get_absolute_url() + "?preview=1").status_code == 404
    assert client.get(area.get_absolute_url() + "?preview=1").status_code == 404
    response = client.get("/highlights/2024/?preview=1")
    assert "Draft highlight" not in response.content.decode()


def test_staff_without_permission_cannot_preview(client, django_user_model):
    page = PageFactory(status=Status.DRAFT)
    user = django_user_model.objects.create_user("clerk", password="x" * 16, is_staff=True)
    client.force_login(user)
    assert client.get(page.get_absolute_url() + "?preview=1").status_code == 404


def test_highlights_by_year_show_key_figures(client):
    highlight = HighlightFactory(year=2024, title="Emergency preparedness")
    FigureFactory(highlight=highlight, value="65", label="trainings")
    FigureFactory(highlight=highlight, value="12", label="exercises")
    HighlightFactory(year=2023, title="Older highlight")
    response = client.get("/highlights/")
    assert response.status_code == 302 and response["Location"].endswith("/highlights/2024/")
    html = client.get("/highlights/2024/").content.decode()
    assert "Emergency preparedness" in html
    assert "65" in html and "trainings" in html and "exercises" in html
    assert "Older highlight" not in html
    assert 'href="/highlights/2023/"' in html
    assert client.get("/highlights/1999/").status_code == 404


def test_document_list_filters_by_area_and_kind(client):
    hazmat = AreaFactory(slug="hazardous-materials")
    plans = AreaFactory(slug="emergency-plans")
    DocumentFactory(area=hazmat, title="Chemical plan", kind="plan")
    DocumentFactory(area=plans, title="Annual report", kind="report")
    DocumentFactory(area=plans, title="Hidden draft", status=Status.DRAFT)
    html = client.get("/documents/").content.decode()
    assert "Chemical plan" in html and "Annual report" in html and "Hidden draft" not in html
    html = client.get("/documents/?area=hazardous-materials").content.decode()
    assert "Chemical plan" in html and "Annual report" not in html
    html = client.get("/documents/?kind=report").content.decode()
    assert "Annual report" in html and "Chemical plan" not in html
    assert client.get("/documents/?kind=nonsense&area=nowhere").status_code == 200


def test_document_downloads_and_drafts_do_not(client):
    document = DocumentFactory()
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    draft = DocumentFactory(status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_be_prepared_guide_shows_its_three_steps(client):
    area = AreaFactory(slug="be-prepared", title="Be prepared")
    for order, (slug, title) in enumerate(
        [
            ("kit", "Build a kit"),
            ("family-plan", "Make a family plan"),
            ("stay-informed", "Stay informed"),
        ]
    ):
        PageFactory(area=area, slug=slug, title=title, order=order)
    response = client.get("/be-prepared/")
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        html.index("Build a kit") < html.index("Make a family plan") < html.index("Stay informed")
    )
    assert 'href="#family-plan"' in html
    assert client.get(area.get_absolute_url()).status_code == 302


def test_home_page_shows_areas_highlights_and_the_peer_support_line(client):
    AreaFactory(title="Public Safety Communications")
    AreaFactory(title="Secret draft area", status=Status.DRAFT)
    HighlightFactory(title="911 training")
    html = client.get("/").content.decode()
    assert "Public Safety Communications" in html
    assert "Secret draft area" not in html
    assert "911 training" in html
    assert 'href="tel:816-701-8212"' in html
    assert "Upcoming trainings" in html


def test_sitemap_lists_public_pages_only_and_robots_points_to_it(client):
    page = PageFactory(slug="visible")
    draft = PageFactory(slug="invisible", status=Status.DRAFT)
    xml = client.get("/sitemap.xml").content.decode()
    assert page.get_absolute_url() in xml
    assert draft.get_absolute_url() not in xml
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots


def test_unknown_address_gets_the_site_styled_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'href="#main"' in html


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__in=codenames)
