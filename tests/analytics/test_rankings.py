"""The rankings count what a person would count on hand-built sales: a partial return lowers a
distributor's sales and his commission, a paid order cancelled is no order and no customer."""

from datetime import timedelta

import pytest

from tests.helpers import bought
from weishang.analytics import rankings, recompute
from weishang.analytics.fold import fold
from weishang.analytics.periods import Period
from weishang.commissions.models import Commission
from weishang.compliance import complaints
from weishang.distribution import binding
from weishang.distribution.models import ProgrammeSettings, ShareSource
from weishang.orders.models import Order
from weishang.sales import services as sales

from .test_rollups import snapshot

pytestmark = pytest.mark.django_db


def figures(ranks):
    return [(r.store_name, r.value) for r in ranks]


def test_distributors_rank_by_sales_orders_customers_and_commission(shop):
    assert figures(rankings.top_distributors(shop.today, "sales")) == sorted(
        [("阿花的小店", shop.a_sales_fen), ("小李优选", shop.b_sales_fen)], key=lambda r: -r[1]
    )
    # A: two orders from one customer; B: the cancelled order does not count, nor its buyer.
    assert figures(rankings.top_distributors(shop.today, "orders")) == [
        ("阿花的小店", 2),
        ("小李优选", 1),
    ]
    assert [r.value for r in rankings.top_distributors(shop.today, "customers")] == [1, 1]
    # 10 % of ¥50 less 10 % of the ¥10 returned; 10 % of ¥25 (the cancelled order reversed).
    assert figures(rankings.top_distributors(shop.today, "commission")) == [
        ("阿花的小店", 400),
        ("小李优选", 250),
    ]


def test_products_rank_by_units_and_sales_kept_and_by_refund_rate(shop):
    by_units = rankings.top_products(shop.today, "units")
    # The second product: 6 bought, the cancelled one back; the first: 5 bought, 1 returned.
    assert [(p.product_id, p.units) for p in by_units] == [(shop.p2, 5), (shop.p1, 4)]
    by_sales = rankings.top_products(shop.today, "sales")
    assert [(p.product_id, p.sales_fen) for p in by_sales] == [(shop.p1, 4_000), (shop.p2, 2_500)]
    by_rate = rankings.top_products(shop.today, "refund_rate")
    # ¥10 of ¥50 is 20 %; ¥5 of ¥30 is 16.66 %.
    assert [(p.product_id, p.refund_rate_bp) for p in by_rate] == [
        (shop.p1, 2_000),
        (shop.p2, 1_666),
    ]
    assert all(p.name for p in by_rate)


def test_a_period_without_sales_ranks_nobody(shop):
    earlier = shop.today.first - timedelta(days=40)
    quiet = Period(earlier, earlier + timedelta(days=5))
    assert rankings.top_distributors(quiet, "sales") == []
    assert rankings.top_products(quiet, "units") == []


def test_a_distributor_sees_his_place_and_his_own_best_sellers(shop):
    a_first = shop.a_sales_fen > shop.b_sales_fen
    assert rankings.rank_of(shop.today, shop.a.pk) == (1 if a_first else 2, 2)
    assert rankings.rank_of(shop.today, shop.idle.pk) is None
    mine = rankings.top_products_of(shop.today, shop.a.pk)
    assert [(p.product_id, p.units, p.sales_fen, p.refund_rate_bp) for p in mine] == [
        (shop.p1, 4, 4_000, 2_000)
    ]
    assert rankings.top_products_of(shop.today, shop.idle.pk) == []


def test_a_refund_a_complaint_ordered_lowers_commission_not_a_products_refunds(shop, staff):
    order = Order.objects.filter(distributor=shop.a).order_by("pk").last()
    complaint = complaints.file_complaint(
        customer=order.customer, order=order, category="quality", text="枣子有虫"
    )
    complaints.answer_complaint(complaint=complaint, staff=staff, text="请稍候")
    sales.resolve_complaint_with_refund(
        complaint=complaint, staff=staff, outcome="补偿一半货款", amount_fen=500
    )
    # 10 % of the ¥5 ordered back comes off his commission; no goods came back.
    assert figures(rankings.top_distributors(shop.today, "commission"))[0] == ("阿花的小店", 350)
    p1 = next(p for p in rankings.top_products(shop.today, "units") if p.product_id == shop.p1)
    assert (p1.units, p1.refunded_fen) == (4, 1_000)
    kept = snapshot()
    recompute.rebuild()
    assert snapshot() == kept


def test_a_commission_the_brand_rejects_is_not_earned(shop, make_customer, staff):
    programme = ProgrammeSettings.objects.order_by("pk").first() or ProgrammeSettings()
    programme.review_order_amount_fen = 1_000
    programme.save()
    buyer = make_customer()
    binding.bind_customer(customer=buyer, distributor=shop.b, source=ShareSource.STORE_LINK)
    sku = Order.objects.filter(distributor=shop.b).first().lines.first().sku
    order = bought(buyer, sku, 4)  # ¥20: above the review threshold, so held
    fold()
    commission = Commission.objects.get(order=order)
    assert commission.status == Commission.Status.HELD
    # Held, it counts as earned until the brand decides: ¥2.50 + 10 % of ¥20.
    earned = dict(figures(rankings.top_distributors(shop.today, "commission")))
    assert earned == {"阿花的小店": 400, "小李优选": 450}
    sales.reject_commission(commission=commission, actor=staff, reason="本人下单")
    earned = dict(figures(rankings.top_distributors(shop.today, "commission")))
    assert earned == {"阿花的小店": 400, "小李优选": 250}
    kept = snapshot()
    recompute.rebuild()
    assert snapshot() == kept
