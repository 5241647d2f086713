from django.core.exceptions import ValidationError

# Words that make a password easy to guess for anyone who knows where it is used.
ORGANIZATION_WORDS = ("marc", "kansascity", "kcmo", "safety", "dispatch", "password", "911")


class OrganizationWordsValidator:
    """Refuse passwords built on words tied to this portal (on top of Django's lists)."""

    def validate(self, password: str, user=None) -> None:
        squashed = "".join(ch for ch in password.lower() if ch.isalnum())
        found = [word for word in ORGANIZATION_WORDS if word in squashed]
        if found and len(squashed) - sum(map(len, found)) < 12:
            raise ValidationError(
                "This password leans on a word tied to this portal (%(word)s). "
                "Choose a passphrase of unrelated words.",
                code="password_organization_word",
                params={"word": found[0]},
            )

    def get_help_text(self) -> str:
        return "Your password cannot lean on words tied to this portal, such as “MARC” or “911”."
