"""Pure reseller rules, no database access: the band (supply ≤ price ≤ ceiling) and the markup,
in integer fen. Refusals say the numbers."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from weishang.money import format_fen

# Where a refusal points: the brand's own rule against loading stock on its resellers.
NO_STOCK_LOADING = "品牌政策：不压货，每单由品牌仓库一件代发"
MAX_PRICE_FEN = 100_000_000  # ¥1,000,000: beyond any one unit the brand sells


class BandRefused(ValueError):
    """A price or band the rules refuse; ``message`` says why, with the numbers."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Band:
    supply_fen: int
    ceiling_fen: int


def _is_fen(value) -> bool:
    return type(value) is int and 0 < value <= MAX_PRICE_FEN


def check_band(supply_fen, ceiling_fen) -> Band:
    """The brand's band for a SKU: both prices whole fen above zero, the ceiling not below the
    supply price."""
    if not _is_fen(supply_fen) or not _is_fen(ceiling_fen):
        raise BandRefused(
            _("Enter the supply price and the ceiling as amounts above ¥0.00."), "bad_amount"
        )
    if ceiling_fen < supply_fen:
        raise BandRefused(
            _("The ceiling %(ceiling)s is below the supply price %(supply)s.")
            % {"ceiling": format_fen(ceiling_fen), "supply": format_fen(supply_fen)},
            "ceiling_below_supply",
        )
    return Band(supply_fen, ceiling_fen)


def in_band(price_fen: int, band: Band) -> bool:
    return band.supply_fen <= price_fen <= band.ceiling_fen


def check_price(price_fen, band: Band) -> int:
    """A reseller's price for a SKU: within the band, or refused with the band's numbers."""
    if not _is_fen(price_fen):
        raise BandRefused(_("Enter your price as an amount above ¥0.00."), "bad_amount")
    if price_fen < band.supply_fen:
        raise BandRefused(
            _(
                "%(price)s is below the supply price %(supply)s: choose a price from %(supply)s to "
                "%(ceiling)s."
            )
            % _numbers(price_fen, band),
            "below_supply",
        )
    if price_fen > band.ceiling_fen:
        raise BandRefused(
            _(
                "%(price)s is above the brand's ceiling %(ceiling)s: choose a price from "
                "%(supply)s to %(ceiling)s."
            )
            % _numbers(price_fen, band),
            "above_ceiling",
        )
    return price_fen


def _numbers(price_fen: int, band: Band) -> dict[str, str]:
    return {
        "price": format_fen(price_fen),
        "supply": format_fen(band.supply_fen),
        "ceiling": format_fen(band.ceiling_fen),
    }


def markup_fen(*, price_fen: int, supply_fen: int, quantity: int) -> int:
    """What a line sold at the reseller's price earns him: (price − supply) × quantity, never
    below zero."""
    if quantity < 0:
        raise ValueError("quantity must be ≥ 0")
    return max(price_fen - supply_fen, 0) * quantity


def outside(prices: dict[int, int], band: Band) -> list[int]:
    """The keys whose price the band no longer admits, in key order (a band moved)."""
    return sorted(key for key, price in prices.items() if not in_band(price, band))
