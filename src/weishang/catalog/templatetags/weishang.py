from django import template

from weishang.money import format_fen

register = template.Library()


@register.filter
def fen(amount) -> str:
    """Integer fen as ¥12.34."""
    return format_fen(int(amount or 0))


def _hundredths(value: int) -> str:
    whole, part = divmod(int(value or 0), 100)
    return f"{whole}" if not part else f"{whole}.{part:02d}".rstrip("0")


@register.filter
def bp_percent(basis_points) -> str:
    """Basis points as a percentage without the sign: 500 as 5, 550 as 5.5."""
    return _hundredths(basis_points)


@register.filter
def bp_multiple(basis_points) -> str:
    """A multiplier in basis points as ×: 15000 as ×1.5, 10000 as ×1."""
    return f"×{_hundredths(int(basis_points or 0) // 100)}"
