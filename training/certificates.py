"""Certificates of attendance: issued once per attended registration, as PDF, with a code
anyone can check on the public verification page (/training/verify/). Only after the event
has ended: until then attendance may still change.
"""

import re
import secrets
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.pdf import pdf_bytes, pdf_layout
from core.urls import absolute_url
from training.credits import event_date, registration_hours, registration_minutes
from training.models import CECategory, Certificate, Registration, RegistrationStatus

# No 0/O, 1/I/L or U/V look-alikes: a code read aloud or typed from paper comes out right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_PREFIX = "MARC"
CODE_GROUPS = 2
CODE_GROUP_LENGTH = 4
CODE_PATTERN = re.compile(
    rf"^{CODE_PREFIX}(?:-[{CODE_ALPHABET}]{{{CODE_GROUP_LENGTH}}}){{{CODE_GROUPS}}}$"
)
_ATTEMPTS = 5

# The PDF's own stylesheet, one US Letter page in landscape. It lives here rather than in a
# <style> element because no template carries inline styles (the site's CSP forbids them,
# and tests/marc_safety checks every template); WeasyPrint takes it as a user stylesheet.
CERTIFICATE_CSS = """
@page { size: letter landscape; margin: 0.6in; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b232b;
  margin: 0; }
.frame { border: 6px double #0b3a5b; padding: 0.45in 0.6in; height: 6.1in;
  box-sizing: border-box; position: relative; }
.issuer { color: #0b3a5b; font-weight: bold; letter-spacing: 0.08em; text-transform: uppercase;
  font-size: 11pt; margin: 0; }
h1 { color: #0b3a5b; font-size: 30pt; margin: 0.15in 0 0.25in; font-weight: normal; }
.lead { font-size: 13pt; margin: 0; }
.name { font-size: 24pt; font-weight: bold; margin: 0.1in 0 0.2in;
  border-bottom: 1px solid #8a96a3; padding-bottom: 0.05in; }
.event { font-size: 16pt; font-weight: bold; margin: 0.05in 0 0.25in; }
table { border-collapse: collapse; font-size: 12pt; }
th { text-align: left; font-weight: normal; color: #49525c; padding: 0.03in 0.3in 0.03in 0; }
td { font-weight: bold; padding: 0.03in 0; }
.verify { position: absolute; left: 0.6in; right: 0.6in; bottom: 0.35in; font-size: 9.5pt;
  color: #3d4650; border-top: 1px solid #d6dde5; padding-top: 0.08in; }
.code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-weight: bold;
  color: #1b232b; font-size: 11pt; }
"""


class NotAttended(ValueError):
    """A certificate was asked for a registration that is not marked attended."""


class NotEndedYet(ValueError):
    """A certificate was asked for before the event ended: attendance is not final yet."""


def certificate_available(registration: Registration, *, now=None) -> bool:
    """Certificates are given only once the event has ended, when attendance is final."""
    return registration.event.ends_at <= (now or timezone.now())


def new_code() -> str:
    """A random code such as "MARC-7K3P-9QXD" (29^8, about 5 × 10^11 possibilities)."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join([CODE_PREFIX, *groups])


def normalize_code(typed: str) -> str:
    """The stored form of a code as a person may type it: any case, spaces, no dashes."""
    compact = re.sub(r"[^A-Z0-9]", "", typed.upper())
    length = CODE_GROUPS * CODE_GROUP_LENGTH
    if len(compact) == len(CODE_PREFIX) + length and compact.startswith(CODE_PREFIX):
        body = compact[len(CODE_PREFIX) :]
    elif len(compact) == length:
        body = compact
    else:
        return compact
    groups = [body[i : i + CODE_GROUP_LENGTH] for i in range(0, len(body), CODE_GROUP_LENGTH)]
    return "-".join([CODE_PREFIX, *groups])


def certificate_for(registration: Registration) -> Certificate:
    """The registration's certificate, issued on first call; the code never changes.

    The hours follow the attendance record: if a coordinator corrects the minutes after
    the certificate was issued, the next download (and the verification page) shows the
    corrected hours under the same code.
    """
    if registration.status != RegistrationStatus.ATTENDED:
        raise NotAttended(f"Registration {registration.pk} is not marked attended.")
    if not certificate_available(registration):
        raise NotEndedYet(f"The event of registration {registration.pk} has not ended yet.")
    hours = registration_hours(registration)
    for _ in range(_ATTEMPTS):
        existing = Certificate.objects.filter(registration=registration).first()
        if existing is not None:
            if existing.hours != hours:
                existing.hours = hours
                existing.save(update_fields=["hours"])
            return existing
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    registration=registration, code=new_code(), hours=hours
                )
        except IntegrityError:
            # Either a concurrent request issued it first (found on the next pass) or the
            # random code was taken (a new one is drawn on the next pass).
            continue
    raise RuntimeError("Could not issue a certificate code; try again.")


def certificate_lookup(code: str) -> Certificate | None:
    """The certificate with this code (as typed), or None."""
    normalized = normalize_code(code)
    if not CODE_PATTERN.match(normalized):
        return None
    return Certificate.objects.select_related("registration__event").filter(code=normalized).first()


def certificate_is_current(certificate: Certificate) -> bool:
    """False once the attendance behind the certificate was withdrawn."""
    return certificate.registration.status == RegistrationStatus.ATTENDED


def verification_url(certificate: Certificate) -> str:
    query = urlencode({"code": certificate.code})
    return absolute_url(f"{reverse('training:history:verify')}?{query}")


def public_name(full_name: str) -> str:
    """First name and last initial ("Dana D."), as the public verification page shows it."""
    parts = full_name.split()
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0].upper()}."


def certificate_context(certificate: Certificate) -> dict:
    registration = certificate.registration
    event = registration.event
    return {
        "certificate": certificate,
        "registration": registration,
        "event": event,
        "date": event_date(event),
        "minutes": registration_minutes(registration),
        "category_label": CECategory(event.ce_category).label if event.ce_category else "",
        "verification_url": verification_url(certificate),
    }


def certificate_html(certificate: Certificate) -> str:
    """The HTML the PDF is printed from (tested on its own: a PDF's text is compressed)."""
    return render_to_string(
        "training/history/certificate_pdf.html", certificate_context(certificate)
    )


def certificate_document(certificate: Certificate):
    """The certificate laid out in pages (tested on its own: it must fit one page)."""
    return pdf_layout(certificate_html(certificate), stylesheet=CERTIFICATE_CSS)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a tagged PDF (core.pdf), which screen readers can read."""
    return pdf_bytes(certificate_document(certificate))
