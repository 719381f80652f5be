"""Distributor health on hand-built sales: frequency, AOV, sell-through, repurchase and the days
since the last sale; sorted by any column and read a page at a time."""

from datetime import timedelta

import pytest

from weishang.analytics import health
from weishang.analytics.periods import Period

pytestmark = pytest.mark.django_db


def test_each_distributors_health_holds_the_figures_a_person_would_count(shop):
    a = health.health_of(shop.today, shop.a.pk)
    # Two orders from one buyer who came back: 2.00 orders a buyer, repurchase 100 %.
    assert (a.orders, a.buyers, a.frequency, a.repurchase_bp) == (2, 1, 200, 10_000)
    assert a.aov_fen == shop.a_sales_fen // 2
    # His links showed two products; one of them sold.
    assert a.sell_through_bp == 5_000
    assert a.days_since_sale == 0
    b = health.health_of(shop.today, shop.b.pk)
    # The buyer who cancelled is no buyer: one order from one buyer. His links showed nothing,
    # so there is no sell-through to speak of (shown as "—", not 0 %).
    assert (b.orders, b.buyers, b.frequency, b.repurchase_bp, b.sell_through_bp) == (
        1,
        1,
        100,
        0,
        None,
    )
    idle = health.health_of(shop.today, shop.idle.pk)
    assert (idle.orders, idle.aov_fen, idle.last_sale, idle.days_since_sale) == (0, 0, None, None)
    assert (idle.sell_through_bp, idle.repurchase_bp) == (None, None)


def test_days_since_the_last_sale_count_to_the_periods_last_day(shop):
    later = shop.today.last + timedelta(days=12)
    row = health.health_of(Period(later - timedelta(days=6), later), shop.a.pk)
    assert (row.orders, row.days_since_sale) == (0, 12)


def test_the_list_sorts_by_any_column_and_pages_by_key(shop):
    ids = [r.distributor_id for r in health.health_page(shop.today, "-orders")[0]]
    assert ids == [shop.a.pk, shop.b.pk, shop.idle.pk]
    ids = [r.distributor_id for r in health.health_page(shop.today, "sell_through")[0]]
    assert ids == [shop.b.pk, shop.idle.pk, shop.a.pk]
    # Fewest days since the last sale first; who never sold comes last.
    ids = [r.distributor_id for r in health.health_page(shop.today, "days")[0]]
    assert ids[-1] == shop.idle.pk
    first, key = health.health_page(shop.today, "-orders", size=2)
    assert [r.distributor_id for r in first] == [shop.a.pk, shop.b.pk]
    rest, end = health.health_page(shop.today, "-orders", after=key, size=2)
    assert ([r.distributor_id for r in rest], end) == ([shop.idle.pk], None)
    assert [r.distributor_id for r in health.all_health(shop.today, "-orders")] == [
        shop.a.pk,
        shop.b.pk,
        shop.idle.pk,
    ]
