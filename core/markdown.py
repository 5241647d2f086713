"""Markdown bodies rendered to HTML and sanitized: no script or event handler survives.

Every app renders its Markdown here (render_markdown, and the `markdown` template filter of
core/templatetags/markdown.py), and every Markdown field checks its images' alt text with
validate_markdown_alt_text.
"""

import re

import markdown as md
import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)")
_HTML_IMG = re.compile(r"<img\b(?![^>]*\balt\s*=\s*\"[^\"]+\")[^>]*>", re.IGNORECASE)


def render_markdown(text: str) -> SafeString:
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above


def images_without_alt(text: str) -> list[str]:
    """The sources of images in a Markdown text that have no alt text."""
    missing = [m["src"] or "…" for m in _IMAGE.finditer(text or "") if not m["alt"].strip()]
    missing += [m.group(0)[:40] for m in _HTML_IMG.finditer(text or "")]
    return missing


def validate_markdown_alt_text(value: str) -> None:
    missing = images_without_alt(value)
    if missing:
        raise ValidationError(
            "Every image needs alt text describing it: write ![description](%(src)s).",
            params={"src": missing[0]},
        )
