"""Hand-built sales with known figures for the rankings and health tests: two distributors and a
third who sold nothing, two products, a partial return and a paid order cancelled."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import bought, deliver, returned
from weishang.analytics.fold import fold
from weishang.analytics.periods import Period
from weishang.commissions.models import CommissionPlan
from weishang.distribution import binding
from weishang.distribution.models import Distributor, ShareSource
from weishang.sales import services as sales


@dataclass
class Shop:
    a: Distributor
    b: Distributor
    idle: Distributor
    p1: int
    p2: int
    a_sales_fen: int
    b_sales_fen: int
    today: Period


@pytest.fixture
def shop(make_customer, make_product, make_distributor) -> Shop:
    CommissionPlan.objects.create(
        version=1,
        mode="strict",
        default_rate_bp=1_000,
        created_at=timezone.now() - timedelta(days=30),
    )
    a = make_distributor(store_name="阿花的小店")
    b = make_distributor(store_name="小李优选")
    idle = make_distributor(store_name="静静的店")
    c1, c2, c3 = make_customer(), make_customer(), make_customer()
    binding.bind_customer(customer=c1, distributor=a, source=ShareSource.STORE_LINK)
    binding.bind_customer(customer=c2, distributor=b, source=ShareSource.STORE_LINK)
    binding.bind_customer(customer=c3, distributor=b, source=ShareSource.STORE_LINK)
    sku1 = make_product(price_fen=1_000, stock=100)
    sku2 = make_product(price_fen=500, stock=100)
    # A's links showed both products; he sold only the first.
    for sku in (sku1, sku2, sku1):
        binding.record_share_visit(distributor=a, source=ShareSource.QR, product_id=sku.product_id)

    # A: 3 × ¥10 kept, 2 × ¥10 with one returned; B: 1 × ¥5 cancelled after payment, 5 × ¥5.
    first = bought(c1, sku1, 3)
    second = deliver(bought(c1, sku1, 2))
    returned(second, 1)
    sales.cancel_order(order=bought(c2, sku2, 1), by_brand=False)
    third = bought(c3, sku2, 5)
    second.refresh_from_db()
    fold()
    today = timezone.localdate()
    return Shop(
        a=a,
        b=b,
        idle=idle,
        p1=sku1.product_id,
        p2=sku2.product_id,
        a_sales_fen=first.total_fen + second.total_fen - second.refunded_fen,
        b_sales_fen=third.total_fen,
        today=Period(today, today),
    )
