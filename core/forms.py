"""Fields shown only when they apply, for every form of the portal.

A choice field marked with `reveals` names, for some of its values, the fields that apply
only then ("linked to services: yes" → the service type). The page works without
JavaScript: every field shows, its help text says when it applies, and the form checks
the dependency itself. static/js/conditional-fields.js reads the mark, hides the fields
that do not apply, announces them politely when they appear, and disables hidden ones so
that they are not sent.
"""

import json

from django import forms


def reveals(field: forms.Field, when: dict[str, list[str]]) -> forms.Field:
    """Mark `field` as controlling others: `when` maps a value to the names of the fields
    that apply only while that value is chosen."""
    field.widget.attrs["data-reveals"] = json.dumps(when, separators=(",", ":"))
    return field
