"""What a search engine and a visitor with a question find (issue 14's small gaps).

The sitemap names the peer support request form, and only pages a search engine may index:
the training history and certificate check forms answer "noindex", so they stay out of it
(the home page and the footer link to them). The address for accessibility problems and
privacy requests comes from SITE_CONTACT_EMAIL, so a new mailbox is a setting, not an edit.
"""

import pytest

from tests.marc_safety.test_findable import sitemap_paths

pytestmark = pytest.mark.django_db


def test_sitemap_lists_the_peer_support_request_form(client):
    paths = sitemap_paths(client)
    assert "/peer-support/request/" in paths
    assert "/peer-support/" in paths


def test_every_sitemap_address_answers_and_may_be_indexed(client):
    from programs.services import demo_content_load

    demo_content_load()
    paths = sitemap_paths(client)
    assert paths, "the sitemap lists nothing"
    for path in sorted(paths):
        response = client.get(path, follow=True)  # /highlights/ leads to the latest year
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        assert "noindex" not in response.get("X-Robots-Tag", ""), f"{path} is noindex"


def test_training_history_and_certificate_check_stay_out_of_the_sitemap(client):
    paths = sitemap_paths(client)
    for path in ("/training/history/", "/training/verify/"):
        assert "noindex" in client.get(path)["X-Robots-Tag"]
        assert path not in paths


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/"])
def test_contact_email_is_the_default_address(client, path):
    content = client.get(path).content.decode()
    assert 'href="mailto:marcinfo@marc.org?subject=' in content
    assert ">marcinfo@marc.org</a>" in content


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/"])
def test_contact_email_follows_the_setting(client, settings, path):
    settings.SITE_CONTACT_EMAIL = "safety-portal@marc.example"
    response = client.get(path)
    content = response.content.decode()
    link = f'href="mailto:{settings.SITE_CONTACT_EMAIL}?subject='
    assert link in content
    assert ">safety-portal@marc.example</a>" in content
    assert "marcinfo@marc.org" not in content
