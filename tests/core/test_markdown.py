"""Markdown rendered and sanitized once for every app (core.markdown)."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from core.markdown import render_markdown, validate_markdown_alt_text


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>Hello",
        '<img src="x.png" alt="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">link</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">styled</p>',
        "<svg onload=alert(1)>",
    ],
)
def test_markdown_drops_scripts_and_event_handlers(source):
    html = render_markdown(source).lower()
    assert "<script" not in html
    assert "onerror" not in html and "onclick" not in html and "onload" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html and "style=" not in html


def test_markdown_renders_headings_lists_links_and_tables():
    html = render_markdown(
        "## Kit\n\n- Water\n- Food\n\n[Ready](https://ready.gov)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>Kit</h2>" in html
    assert "<li>Water</li>" in html
    assert 'href="https://ready.gov"' in html and 'rel="noopener noreferrer"' in html
    assert "<table>" in html


def test_markdown_image_without_alt_text_is_rejected():
    with pytest.raises(ValidationError, match="alt text"):
        validate_markdown_alt_text("Look: ![](photo.jpg)")
    with pytest.raises(ValidationError):
        validate_markdown_alt_text('<img src="photo.jpg">')
    validate_markdown_alt_text("![Volunteers filling sandbags](photo.jpg)")


def test_the_markdown_filter_renders_sanitized_html_in_any_template():
    template = Template("{% load markdown %}{{ body|markdown }}")
    html = template.render(Context({"body": "**Kit** <script>alert(1)</script>"}))
    assert "<strong>Kit</strong>" in html
    assert "<script" not in html
