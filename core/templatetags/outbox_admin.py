from django import template

from core.outbox import outbox_failed_count

register = template.Library()


@register.simple_tag(takes_context=True)
def outbox_failed(context) -> int:
    """Failed outbox emails, for the admin index of someone who may see the outbox."""
    request = context.get("request")
    if request is None or not request.user.has_perm("core.view_outboxemail"):
        return 0
    return outbox_failed_count()
