"""Pure rules about customers' personal data."""

import re

from django.utils.translation import gettext as _

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII: `\d` would take "１３８…" too


def normalise_mobile(raw: str) -> str | None:
    """A mainland mobile number without +86 and spaces, or None if it is not one."""
    number = re.sub(r"[\s-]", "", raw or "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    return number if MOBILE_RE.match(number) else None


def mobile_error() -> str:
    return _("Enter an 11-digit mainland mobile number starting with 1, e.g. 13812345678.")


def mask_mobile(mobile: str | None) -> str:
    """138****5678; a customer known by WeChat alone has no number (None): ****."""
    return f"{mobile[:3]}****{mobile[-4:]}" if mobile and len(mobile) == 11 else "****"


def mask_name(name: str) -> str:
    return f"{name[0]}*" if name else ""
