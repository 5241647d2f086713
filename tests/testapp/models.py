from django.db import models

from accounts.audit import confidential


@confidential
class ConfidentialNote(models.Model):
    """Stands in for any model holding confidential data (e.g. a peer-support request)."""

    owner = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
