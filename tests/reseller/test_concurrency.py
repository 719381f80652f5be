"""Real parallel transactions on PostgreSQL: resellers setting prices while the brand moves the
band, and buyers ordering at a reseller's price while he changes it. The SKU's row lock makes
each price be checked against one band or the other; the ledger stays balanced."""

import pytest
from django.db import connection

from tests.concurrency import run_in_parallel
from weishang.commissions.models import Commission
from weishang.core_errors import DomainError
from weishang.reseller import rules, services
from weishang.reseller.models import Listing, ResellerPricing

from ..commissions.conftest import assert_ledger_balanced, pay, place

pytestmark = pytest.mark.postgres


def test_prices_set_while_the_band_moves_never_stay_outside_it(
    postgres_only, make_seller, sku, staff
):
    resellers = [make_seller() for _ in range(6)]
    for reseller in resellers:
        services.approve_reseller(actor=staff, distributor=reseller)
    services.set_band(actor=staff, sku=sku, supply_fen=3000, ceiling_fen=6000, is_open=True)

    def act(i):
        if i == 0:
            return services.set_band(
                actor=staff, sku=sku, supply_fen=3000, ceiling_fen=4500, is_open=True
            )
        # Each reseller asks 55.00: inside the old band, above the new ceiling.
        return services.set_price(distributor=resellers[i - 1], sku=sku, price_fen=5500)

    results = run_in_parallel(act, 7)
    assert not any(isinstance(r, Exception) and not isinstance(r, DomainError) for r in results)
    band = ResellerPricing.objects.get()
    assert band.ceiling_fen == 4500
    for listing in Listing.objects.filter(status=Listing.Status.ACTIVE):
        assert rules.in_band(listing.price_fen, rules.Band(band.supply_fen, band.ceiling_fen))
    # Each price either came before the move (then was suspended) or was refused after it.
    refused = [r for r in results[1:] if isinstance(r, DomainError)]
    assert Listing.objects.filter(status=Listing.Status.SUSPENDED).count() + len(refused) == 6


def test_orders_placed_while_he_changes_his_price_are_charged_one_price_or_the_other(
    postgres_only, plan, seller, make_customer, bind, sku, staff
):
    services.approve_reseller(actor=staff, distributor=seller)
    services.set_band(actor=staff, sku=sku, supply_fen=3000, ceiling_fen=6000, is_open=True)
    services.set_price(distributor=seller, sku=sku, price_fen=4000)
    buyers = [bind(make_customer(), seller) for _ in range(5)]

    def act(i):
        if i == 5:
            return services.set_price(distributor=seller, sku=sku, price_fen=5000)
        return pay(place(buyers[i], {sku: 1}))

    results = run_in_parallel(act, 6)
    assert not any(isinstance(r, Exception) for r in results), results
    for order in results[:5]:
        line = order.lines.get()
        assert line.unit_price_fen in (4000, 5000)
        markup = Commission.objects.get(order_line=line)
        assert markup.kind == "markup" and markup.amount_fen == line.unit_price_fen - 3000
    assert connection.vendor == "postgresql"
    assert_ledger_balanced()
