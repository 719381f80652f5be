"""Fixtures for reseller mode: the commission fixtures (a plan, a seller, a bound buyer) plus the
brand's band on a SKU and the seller approved as a reseller, through the real services."""

import pytest

from weishang.reseller import services

from ..commissions.conftest import (  # noqa: F401  (fixtures)
    bind,
    buyer,
    make_plan,
    make_seller,
    plan,
    programme,
    seller,
)


@pytest.fixture
def band(staff):
    """``band(sku, supply_fen, ceiling_fen, is_open=True)``: the brand's band on the SKU."""

    def make(sku, supply_fen=3000, ceiling_fen=6000, *, is_open=True):
        pricing, _suspended = services.set_band(
            actor=staff, sku=sku, supply_fen=supply_fen, ceiling_fen=ceiling_fen, is_open=is_open
        )
        return pricing

    return make


@pytest.fixture
def reseller(seller, staff):  # noqa: F811
    services.approve_reseller(actor=staff, distributor=seller)
    return seller
