"""Program content tasks: thin, the work is in programs.services."""

from celery import shared_task

from programs import services


@shared_task(name="programs.drafts_publish_due")
def drafts_publish_due() -> int:
    """Publish the drafts whose scheduled time has come (beat, every minute)."""
    return services.drafts_publish_due()
