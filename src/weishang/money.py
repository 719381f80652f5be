"""Money is integer fen everywhere; this is the one place that writes fen as text and reads an
amount typed in yuan back as fen — exactly, in integers, never float."""

import re

from django.utils.translation import gettext as _

from weishang.core_errors import DomainError

# ¥10,000,000,000: far above any amount the business handles, far below any column's limit.
MAX_FEN = 10**12
# ASCII digits only (re.ASCII): a full-width or Arabic-Indic digit is not an amount. Thousands may
# be grouped with commas, as format_fen writes them; a sign comes before the ¥.
_YUAN = re.compile(r"(-?)¥?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?", re.ASCII)


class AmountError(DomainError):
    """Text that is not an amount in yuan; ``code`` says why (invalid, too_many_decimals,
    too_large)."""


def _split(amount_fen: int) -> tuple[str, int, int]:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError(f"an amount is an integer number of fen, not {amount_fen!r}")
    yuan, fen = divmod(abs(amount_fen), 100)
    return ("-" if amount_fen < 0 else ""), yuan, fen


def format_fen(amount_fen: int) -> str:
    """1234567 fen as ¥12,345.67 and -105 as -¥1.05: what pages, messages and posters show."""
    sign, yuan, fen = _split(amount_fen)
    return f"{sign}¥{yuan:,}.{fen:02d}"


def format_yuan(amount_fen: int) -> str:
    """1234567 fen as 12345.67 and -105 as -1.05: the plain number a form field or an export
    column holds, and that parse_yuan reads back."""
    sign, yuan, fen = _split(amount_fen)
    return f"{sign}{yuan}.{fen:02d}"


def parse_yuan(text) -> int:
    """An amount typed in yuan ("12.34", "1,299.5", "¥39.90", "-1.05") as integer fen. At most two
    decimals (trailing zeros aside), ASCII digits only, at most MAX_FEN either side of zero; the
    sign is kept, so each caller says whether zero or a negative makes sense for its field."""
    match = _YUAN.fullmatch(str(text or "").strip())
    if match is None:
        raise AmountError(_("Enter an amount in yuan, for example 12.34."), code="invalid")
    sign, whole, decimals = match.groups()
    decimals = (decimals or "").rstrip("0")
    if len(decimals) > 2:
        raise AmountError(_("An amount has at most two decimals (fen)."), code="too_many_decimals")
    whole = whole.replace(",", "").lstrip("0") or "0"
    # Length first: int() of thousands of digits is slow, and refused past 4,300 of them.
    too_long = len(whole) > len(str(MAX_FEN // 100))
    fen = 0 if too_long else int(whole) * 100 + int(decimals.ljust(2, "0"))
    if too_long or fen > MAX_FEN:
        raise AmountError(_("This amount is too large."), code="too_large")
    return -fen if sign else fen
