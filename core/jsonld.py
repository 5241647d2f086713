"""Structured data (schema.org JSON-LD) for a page, under the site's strict CSP.

Search engines and calendar tools read an event's date, place and seats, or the council's
address, from a <script type="application/ld+json"> element in the page. The site's policy
allows no inline script ('unsafe-inline' never), so each such element is allowed by the
SHA-256 hash of its exact text, added to that response's script-src alone:

    data = jsonld.block({"@context": "https://schema.org", "@type": "Event", ...})
    response = render(request, "page.html", {"jsonld": data})  # {{ jsonld.element }}
    return jsonld.allow(response, data)

The hash lives in the response's Content-Security-Policy header, which the page cache
stores and replays with the body (core.pagecache), so a cached page keeps a hash that
matches its script. The text is escaped as Django's json_script escapes it (<, > and &
as \\u003C, \\u003E, \\u0026), so no value, whatever an editor typed, can close the element
or open a comment.
"""

import base64
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe

from core.urls import absolute_url

CONTEXT = "https://schema.org"
MEDIA_TYPE = "application/ld+json"
_OPEN = '<script type="application/json">'
_CLOSE = "</script>"

# The council the portal belongs to, as the footer, the accessibility page and the open
# data catalogue name it: one place for the home page, event organizers and /data.json.
COUNCIL_NAME = "Mid-America Regional Council"
COUNCIL_TELEPHONE = "+1-816-474-4240"
COUNCIL_ADDRESS = {
    "streetAddress": "600 Broadway, Suite 200",
    "addressLocality": "Kansas City",
    "addressRegion": "MO",
    "postalCode": "64105",
    "addressCountry": "US",
}
# The nine counties of the Kansas City region that MARC serves.
COUNCIL_COUNTIES = (
    ("Cass County", "Missouri"),
    ("Clay County", "Missouri"),
    ("Jackson County", "Missouri"),
    ("Platte County", "Missouri"),
    ("Ray County", "Missouri"),
    ("Johnson County", "Kansas"),
    ("Leavenworth County", "Kansas"),
    ("Miami County", "Kansas"),
    ("Wyandotte County", "Kansas"),
)


@dataclass(frozen=True)
class Block:
    """One JSON-LD element: its text, exactly as the page carries it."""

    text: str

    @property
    def element(self) -> SafeString:
        return format_html('<script type="{}">{}</script>', MEDIA_TYPE, mark_safe(self.text))  # noqa: S308

    @property
    def source(self) -> str:
        """The CSP source that allows exactly this element: 'sha256-…'."""
        digest = hashlib.sha256(self.text.encode("utf-8")).digest()
        return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"

    def __html__(self) -> str:
        return self.element


def postal_address(fields: dict) -> dict:
    return {"@type": "PostalAddress", **fields}


def organizer(request: HttpRequest | None = None) -> dict:
    """The council, briefly: as the organizer of an event."""
    return {
        "@type": "GovernmentOrganization",
        "name": COUNCIL_NAME,
        "url": absolute_url(reverse("home"), request),
    }


def council(request: HttpRequest | None = None) -> dict:
    """The council in full, for the home page: address, telephone, email, the region."""
    return {
        "@context": CONTEXT,
        **organizer(request),
        "alternateName": "MARC",
        "logo": absolute_url(static("img/icon-512.png"), request),
        "address": postal_address(COUNCIL_ADDRESS),
        "telephone": COUNCIL_TELEPHONE,
        "email": settings.SITE_CONTACT_EMAIL,
        "areaServed": [
            {
                "@type": "AdministrativeArea",
                "name": f"{county}, {state}",
                "containedInPlace": {"@type": "State", "name": state},
            }
            for county, state in COUNCIL_COUNTIES
        ],
    }


def block(data: dict) -> Block:
    """The JSON-LD element of `data` (dates and times already written as ISO 8601 text)."""
    escaped = str(json_script(data))  # Django's escaping for a script element
    if not (escaped.startswith(_OPEN) and escaped.endswith(_CLOSE)):
        raise RuntimeError("django.utils.html.json_script changed its output")
    return Block(escaped[len(_OPEN) : -len(_CLOSE)])


def allow(response: HttpResponse, *blocks: Block) -> HttpResponse:
    """Add each block's hash to this response's script-src (django-csp reads _csp_update
    when it writes the header; any update already set is kept)."""
    update = dict(getattr(response, "_csp_update", None) or {})
    sources = list(update.get("script-src", ()))
    sources += [b.source for b in blocks if b.source not in sources]
    update["script-src"] = sources
    response._csp_update = update
    return response
