from django import template

from marc_safety.admin_attention import needs_attention as figures_needing_attention

register = template.Library()


@register.simple_tag(takes_context=True)
def needs_attention(context) -> list:
    """The admin index's figures of what needs the signed-in person's attention."""
    return figures_needing_attention(context["request"].user)
