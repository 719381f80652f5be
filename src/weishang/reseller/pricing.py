"""The reseller's prices as the one pricing path uses them: which of the SKUs a buyer orders are
sold at the price of the distributor he is attributed to (``distribution.binding``), and at what
supply price. One query; a listing counts only while its reseller is approved and may sell, the
band is open and his price is inside it."""

from collections.abc import Iterable
from dataclasses import dataclass

from weishang.catalog.rules import Price

from . import rules
from .models import Listing, Reseller


@dataclass(frozen=True)
class Resale:
    sku_id: int
    price_fen: int
    supply_fen: int

    @property
    def price(self) -> Price:
        """His price as the store shows it: a price of its own, not a discount off the brand's."""
        return Price(self.price_fen, self.price_fen, None)


def resales_for(distributor, sku_ids: Iterable[int] | None = None) -> dict[int, Resale]:
    """``{sku_id: Resale}`` for the SKUs sold at ``distributor``'s own price (all of them when
    ``sku_ids`` is None); empty for no distributor."""
    if distributor is None or not distributor.can_sell:
        return {}
    listings = Listing.objects.filter(
        distributor_id=distributor.pk,
        status=Listing.Status.ACTIVE,
        distributor__reseller__status=Reseller.Status.APPROVED,
        sku__reseller_pricing__is_open=True,
    )
    if sku_ids is not None:
        listings = listings.filter(sku_id__in=[int(pk) for pk in sku_ids])
    rows = listings.values_list(
        "sku_id",
        "price_fen",
        "sku__reseller_pricing__supply_fen",
        "sku__reseller_pricing__ceiling_fen",
    )
    return {
        sku_id: Resale(sku_id, price, supply)
        for sku_id, price, supply, ceiling in rows
        if rules.in_band(price, rules.Band(supply, ceiling))
    }


def unit_prices(resales: dict[int, Resale]) -> dict[int, int]:
    """What ``orders.place_order`` charges per unit instead of the catalogue's price."""
    return {sku_id: r.price_fen for sku_id, r in resales.items()}


def supply_prices(resales: dict[int, Resale]) -> dict[int, int]:
    """What ``commissions.quote_commissions`` counts the markup from."""
    return {sku_id: r.supply_fen for sku_id, r in resales.items()}
