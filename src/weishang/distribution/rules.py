"""Real-name checks and masking for distributors (COMPLIANCE.md §5, §7). Pure: no database.

Each check returns ``None`` for a valid number, else a translatable message saying what is
wrong, so the person applying can fix the typo himself.
"""

import re
from datetime import date

from django.utils.translation import gettext as _

from weishang.customers.rules import mask_name  # noqa: F401  (re-exported: `张*`)

# Resident identity number, GB 11643-1999 -------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII: `\d` would take Arabic-Indic digits too


def normalise_id_number(raw: str | None) -> str:
    """Without spaces, with a lowercase x read as X."""
    return re.sub(r"\s", "", raw or "").upper()


def id_check_char(first17: str) -> str:
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_problem(raw: str | None, *, today: date) -> str | None:
    """What is wrong with a resident ID number, or None when it is valid."""
    number = normalise_id_number(raw)
    if not number:
        return _("Enter your resident ID number.")
    if len(number) != 18:
        return _("A resident ID number has 18 characters; this one has %(count)d.") % {
            "count": len(number)
        }
    if not _ID_SHAPE.match(number):
        return _(
            "A resident ID number has 17 digits followed by a digit or X; "
            "it contains other characters."
        )
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth >= today:
        return _(
            "The birth date in this resident ID number (characters 7 to 14) is not a real "
            "past date."
        )
    if id_check_char(number[:17]) != number[17]:
        return _(
            "The check digit (the last character) of this resident ID number does not match "
            "the other digits; please look for a typo."
        )
    return None


def mask_id_number(number: str) -> str:
    """``110***********002X``: the region's first 3 characters and the last 4, nothing else."""
    number = normalise_id_number(number)
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# Unified social credit code, GB 32100-2015 ------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}


def normalise_credit_code(raw: str | None) -> str:
    return re.sub(r"\s", "", raw or "").upper()


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(raw: str | None) -> str | None:
    """What is wrong with a unified social credit code, or None when it is valid."""
    code = normalise_credit_code(raw)
    if not code:
        return _("Enter the unified social credit code from your business licence.")
    if len(code) != 18:
        return _("A unified social credit code has 18 characters; this one has %(count)d.") % {
            "count": len(code)
        }
    if any(char not in _USCC_VALUES for char in code):
        return _(
            "A unified social credit code uses only digits and capital letters other than "
            "I, O, Z, S and V; it contains other characters."
        )
    if credit_code_check_char(code[:17]) != code[17]:
        return _(
            "The check character (the last one) of this unified social credit code does not "
            "match the others; please look for a typo."
        )
    return None
