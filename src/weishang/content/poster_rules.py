"""Where things may go on a poster template (pure: no database). Positions are in the
background's own pixels; the QR code must lie wholly inside the picture and be large enough to
scan from a phone screen, the name and the price must start inside it."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MIN_QR = 120
MIN_WIDTH, MIN_HEIGHT = 600, 800
MAX_WIDTH, MAX_HEIGHT = 2000, 3000
MIN_FONT, MAX_FONT = 12, 200
MARGIN = 40
COLOUR = re.compile(r"\A#[0-9a-f]{6}\Z", re.ASCII | re.IGNORECASE)


@dataclass(frozen=True)
class Placement:
    qr_x: int
    qr_y: int
    qr_size: int
    name_x: int
    name_y: int
    name_size: int
    price_x: int
    price_y: int
    price_size: int


def size_problem(width: int, height: int) -> str:
    """Why a background of this size cannot be a poster, or ""."""
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return _(
            "The background must be at least %(w)d × %(h)d pixels; this one is %(aw)d × %(ah)d."
        ) % {"w": MIN_WIDTH, "h": MIN_HEIGHT, "aw": width, "ah": height}
    if width > MAX_WIDTH or height > MAX_HEIGHT:
        return _(
            "The background may be at most %(w)d × %(h)d pixels; this one is %(aw)d × %(ah)d."
        ) % {"w": MAX_WIDTH, "h": MAX_HEIGHT, "aw": width, "ah": height}
    return ""


def placement_problems(placement: Placement, *, width: int, height: int) -> list[str]:
    """Every reason the placement does not fit a ``width`` × ``height`` background."""
    problems = []
    p = placement
    if p.qr_size < MIN_QR:
        problems.append(
            _("The QR code must be at least %(n)d pixels wide to scan.") % {"n": MIN_QR}
        )
    if min(p.qr_x, p.qr_y) < 0 or p.qr_x + p.qr_size > width or p.qr_y + p.qr_size > height:
        problems.append(
            _("The QR code must lie wholly inside the %(w)d × %(h)d picture.")
            % {"w": width, "h": height}
        )
    picture = {"w": width, "h": height}
    if not (0 <= p.name_x < width and 0 <= p.name_y < height):
        problems.append(_("The name must start inside the %(w)d × %(h)d picture.") % picture)
    if not (0 <= p.price_x < width and 0 <= p.price_y < height):
        problems.append(_("The price must start inside the %(w)d × %(h)d picture.") % picture)
    for size in (p.name_size, p.price_size):
        if not MIN_FONT <= size <= MAX_FONT:
            problems.append(
                _("A font size is from %(low)d to %(high)d pixels.")
                % {"low": MIN_FONT, "high": MAX_FONT}
            )
            break
    return problems


def default_placement(width: int, height: int) -> Placement:
    """A first placement for a new background: the QR code in the lower right corner, the name
    and price at the lower left, which the brand then moves on the preview."""
    qr_size = max(MIN_QR, min(width, height) // 3)
    qr_size = min(qr_size, width - 2 * MARGIN, height - 2 * MARGIN)
    qr_x, qr_y = width - MARGIN - qr_size, height - MARGIN - qr_size
    name_size, price_size = 40, 56
    return Placement(
        qr_x=qr_x,
        qr_y=qr_y,
        qr_size=qr_size,
        name_x=MARGIN,
        name_y=qr_y,
        name_size=name_size,
        price_x=MARGIN,
        price_y=min(qr_y + name_size + 24, height - price_size - 1),
        price_size=price_size,
    )


def valid_colour(value: str) -> bool:
    return bool(COLOUR.search(value or ""))
