"""Freight is the carrier's money: commission is quoted on the goods only."""

import pytest

from weishang.commissions.models import Commission
from weishang.orders import services as orders
from weishang.orders.freight import DEFAULT

from .conftest import place

pytestmark = pytest.mark.django_db


def test_the_commission_base_excludes_the_freight(plan, seller, buyer, sku):
    orders.set_freight_rule(actor=None, province_code=DEFAULT, fee_fen=1000)
    order = place(buyer, {sku: 2})
    assert (order.total_fen, order.freight_fen) == (7980 + 1000, 1000)
    commission = Commission.objects.get(order=order)
    assert (commission.base_fen, commission.amount_fen) == (7980, 399)
