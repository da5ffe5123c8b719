from django import template

from audit.display import describe

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return describe(code)
