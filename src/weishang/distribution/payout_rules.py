"""Checks for the accounts a distributor is paid to: a bank debit card (Luhn check digit, bank from
its BIN), a WeChat or an Alipay account; and their masks. Pure: no database.

Each check returns ``(value, None)`` when valid, else ``(None, message)`` with a translatable
message, so the distributor can fix the typo himself.

The BIN table (``data/bank_bins.csv``) lists the debit cards of fifteen major banks. A card whose
BIN is not in it is refused: the brand pays by bank transfer, which needs the payee's bank, and a
guessed bank makes the transfer bounce days later; the refusal names the banks we know and offers
WeChat or Alipay instead.
"""

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data"
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", re.ASCII)
# A WeChat ID (微信号): 6–20 letters, digits, _ or -, starting with a letter.
_WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}", re.ASCII)


@dataclass(frozen=True)
class Bank:
    code: str
    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en


def _rows(filename: str) -> list[dict[str, str]]:
    with open(DATA / filename, encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


@functools.cache
def banks() -> dict[str, Bank]:
    return {r["code"]: Bank(r["code"], r["name_zh"], r["name_en"]) for r in _rows("bank_names.csv")}


@functools.cache
def _bins() -> dict[str, tuple[str, int]]:
    return {r["bin"]: (r["bank"], int(r["length"])) for r in _rows("bank_bins.csv")}


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check digit of ISO/IEC 7812 card numbers."""
    if not _DIGITS.fullmatch(number or ""):
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def bank_of(number: str) -> tuple[Bank, int] | None:
    """The bank and card length of the longest BIN prefixing ``number``, or None."""
    table = _bins()
    for size in range(min(len(number), 10), 3, -1):
        found = table.get(number[:size])
        if found:
            return banks()[found[0]], found[1]
    return None


def normalise_card_number(raw: str | None) -> str:
    return re.sub(r"[\s-]", "", raw or "")


def card_problem(raw: str | None) -> tuple[tuple[str, Bank] | None, str | None]:
    """``((number, bank), None)`` for a debit card of a known bank, else ``(None, message)``."""
    number = normalise_card_number(raw)
    if not number:
        return None, _("Enter the bank card number.")
    if not _DIGITS.fullmatch(number) or not 15 <= len(number) <= 19:
        return None, _("A bank card number has 15 to 19 digits.")
    if not luhn_valid(number):
        return None, _("This card number is mistyped: its check digit does not match.")
    found = bank_of(number)
    if found is None:
        return None, _(
            "We do not recognise the bank of this card. Use a debit card of %(banks)s, or add a "
            "WeChat or Alipay account instead."
        ) % {"banks": "、".join(bank.name for bank in banks().values())}
    bank, length = found
    if len(number) != length:
        return None, _("A %(bank)s card of this kind has %(length)d digits.") % {
            "bank": bank.name,
            "length": length,
        }
    return (number, bank), None


def wallet_problem(kind: str, raw: str | None) -> tuple[str | None, str | None]:
    """A WeChat account is a WeChat ID or mobile number; an Alipay account a mobile or e-mail."""
    account = (raw or "").strip()
    if kind == "alipay":
        if _MOBILE.fullmatch(account) or _EMAIL.fullmatch(account):
            return account, None
        return None, _("An Alipay account is the mobile number or e-mail address you log in with.")
    if _MOBILE.fullmatch(account) or _WECHAT_ID.fullmatch(account):
        return account, None
    return None, _(
        "A WeChat account is your WeChat ID (6 to 20 letters, digits, _ or -, starting with a "
        "letter) or your mobile number."
    )


def mask_account(kind: str, account: str) -> str:
    """Enough to recognise the account, never enough to use it."""
    if kind == "bank_card":
        return f"**** {account[-4:]}"
    if _MOBILE.fullmatch(account):
        return f"{account[:3]}****{account[-4:]}"
    if "@" in account:
        local, domain = account.split("@", 1)
        return f"{local[:1]}***@{domain}"
    return f"{account[:2]}***{account[-2:]}"
