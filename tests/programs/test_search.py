import pytest

from core.search import SearchHit, highlighted_snippet
from marc_safety import search as site_search_module
from programs.models import Status
from tests.programs.factories import AreaFactory, DocumentFactory, HighlightFactory, PageFactory

pytestmark = pytest.mark.django_db


def _results(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.context["page"].object_list, response.content.decode()


def test_search_is_stemmed_and_finds_pages_highlights_and_documents(client):
    PageFactory(title="Dispatcher courses", body="MARC trained 850 dispatchers in wellness.")
    HighlightFactory(title="Preparedness", summary="The committee hosted 65 trainings.")
    DocumentFactory(title="Training plan", description="How the region organizes training.")
    hits, html = _results(client, "train")
    kinds = {hit.kind.split(" ·")[0] for hit in hits}
    assert {"Program page", "Highlight", "Document"} <= kinds
    assert "<mark>" in html


def test_title_matches_rank_above_body_matches(client):
    PageFactory(title="Other topic", body="Some text that mentions mitigation once.")
    PageFactory(title="Hazard mitigation plan", summary="Mitigation", body="Mitigation work.")
    hits, _ = _results(client, "mitigation")
    assert [h.title for h in hits] == ["Hazard mitigation plan", "Other topic"]


def test_drafts_never_appear_in_search(client):
    PageFactory(title="Secret exercise", status=Status.DRAFT)
    DocumentFactory(title="Secret exercise report", status=Status.DRAFT)
    HighlightFactory(title="Secret exercise highlight", status=Status.DRAFT)
    AreaFactory(title="Secret exercise area", status=Status.DRAFT)
    hits, html = _results(client, "secret exercise")
    assert hits == []
    assert "Nothing matched" in html


def test_snippets_escape_content_and_only_mark_the_match(client):
    PageFactory(title="Radio", body="Interoperable <script>alert(1)</script> radio systems.")
    _, html = _results(client, "radio")
    assert "<script>alert(1)" not in html
    assert "<mark>radio</mark>" in html.lower()


def test_snippet_helper_turns_sentinels_into_marks():
    assert str(highlighted_snippet("a \ue000hit\ue001 <b>")) == "a <mark>hit</mark> &lt;b&gt;"


def test_overlong_query_gets_a_clear_message_and_keeps_the_text(client):
    response = client.get("/search/", {"q": "flood " * 50})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please shorten your search" in html
    assert 'value="flood flood' in html


def test_empty_search_explains_what_to_do(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "Type a word or two" in response.content.decode()


def test_search_results_are_paginated(client):
    for n in range(23):
        PageFactory(title=f"Exercise {n}", body="tabletop exercise")
    first, html = _results(client, "exercise")
    assert len(first) == 10
    assert "23 results" in html
    assert "page=3" in html
    third = client.get("/search/", {"q": "exercise", "page": 3}).context["page"]
    assert len(third.object_list) == 3


def test_site_search_gathers_from_every_registered_source(client, monkeypatch):
    def training_events(text, *, limit):
        return [SearchHit("Training", "Active shooter exercise", "/training/1/", "", 0.99)]

    monkeypatch.setattr(
        site_search_module, "SOURCES", [*site_search_module.SOURCES, training_events]
    )
    PageFactory(title="Exercise planning", body="exercise")
    hits, _ = _results(client, "exercise")
    assert [h.title for h in hits][0] == "Active shooter exercise"
    assert "Exercise planning" in [h.title for h in hits]
