from django import template

from weishang.money import format_fen

register = template.Library()


@register.filter
def fen(amount) -> str:
    """Integer fen as ¥12.34."""
    return format_fen(int(amount or 0))
