"""The carriers a brand ships with, and the shape of each one's waybill numbers.

A number that does not have its carrier's shape is refused when it is typed or imported, so a
typo is caught before a customer tries to track it. Pure functions: no database.
"""

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Carrier:
    code: str
    name: Promise
    patterns: tuple[str, ...]
    example: str


CARRIERS = {
    carrier.code: carrier
    for carrier in (
        Carrier("sf", _("SF Express"), (r"SF\d{13}", r"\d{12}"), "SF1402837465920"),
        Carrier("zto", _("ZTO Express"), (r"\d{12}", r"\d{14}"), "78310029455612"),
        Carrier("yto", _("YTO Express"), (r"YT\d{13}", r"\d{10}"), "YT7300194826351"),
        Carrier("yunda", _("Yunda Express"), (r"\d{13}", r"\d{15}"), "4318826401937"),
        Carrier("sto", _("STO Express"), (r"\d{12,13}",), "7730192847563"),
        Carrier("jt", _("J&T Express"), (r"JT\d{13}",), "JT0004821937465"),
        Carrier("ems", _("EMS"), (r"\d{13}", r"[A-Z]{2}\d{9}[A-Z]{2}"), "1128301948270"),
        Carrier("jd", _("JD Logistics"), (r"JD[0-9A-Z]{13}",), "JDVA00123456789"),
    )
}

# What people write for a carrier besides its code and its name in each language: the short
# names on a parcel, and the names stored before carriers were chosen from the list.
ALIASES = {
    "顺丰": "sf",
    "顺丰快递": "sf",
    "中通": "zto",
    "圆通": "yto",
    "圆通快递": "yto",
    "韵达": "yunda",
    "韵达速递": "yunda",
    "申通": "sto",
    "极兔": "jt",
    "极兔快递": "jt",
    "邮政": "ems",
    "中国邮政": "ems",
    "京东": "jd",
    "京东快递": "jd",
}

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def carrier_choices() -> list[tuple[str, Promise]]:
    return [(carrier.code, carrier.name) for carrier in CARRIERS.values()]


def carrier_name(code: str) -> str:
    """The carrier's name in the user's language; an unknown code is shown as it was stored."""
    carrier = CARRIERS.get(code)
    return str(carrier.name) if carrier else code


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text or "").casefold()


def carrier_code(text: str) -> str | None:
    """The code of the carrier named by ``text`` (its code, its name in English or Chinese, or a
    short name such as 顺丰); None when it names none of ours."""
    key = _key(text)
    if not key:
        return None
    known = {_key(code): code for code in CARRIERS} | {_key(a): c for a, c in ALIASES.items()}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            known |= {_key(str(carrier.name)): carrier.code for carrier in CARRIERS.values()}
    return known.get(key)


def normalise_waybill(number: str) -> str:
    return re.sub(r"[\s-]", "", number or "").upper()


def _s10_check_digit_ok(number: str) -> bool:
    """UPU S10 international item numbers (EMS): two letters, 8 digits, a check digit, country."""
    digits = [int(ch) for ch in number[2:11]]
    remainder = 11 - sum(w * d for w, d in zip(_S10_WEIGHTS, digits[:8], strict=True)) % 11
    expected = {10: 0, 11: 5}.get(remainder, remainder)
    return digits[8] == expected


def waybill_problem(code: str, number: str) -> str | None:
    """Why this waybill number cannot be the carrier's, in the user's language; None when it can."""
    carrier = CARRIERS.get(code)
    if carrier is None:
        return str(_("Choose a carrier from the list."))
    number = normalise_waybill(number)
    if not number:
        return str(_("Enter the tracking number."))
    if not any(re.fullmatch(p, number, re.ASCII) for p in carrier.patterns):
        return str(
            _("%(number)s is not a %(carrier)s waybill number (for example %(example)s).")
            % {"number": number[:40], "carrier": carrier.name, "example": carrier.example}
        )
    if code == "ems" and number[0].isalpha() and not _s10_check_digit_ok(number):
        return str(_("%(number)s fails the EMS check digit.") % {"number": number})
    return None
