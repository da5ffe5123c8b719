from django import template

from accounts.permissions import can

register = template.Library()


@register.simple_tag(takes_context=True)
def can_do(context, permission: str) -> bool:
    user = context.get("user")
    return bool(user is not None and can(user, permission))
