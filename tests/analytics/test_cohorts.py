"""Repurchase cohorts on hand-built orders paid in different months: a cohort is the customers of
their first paid order's month, and each later month shows the share of them who paid again."""

from datetime import date

import pytest

from tests.helpers import bought_on, mid_month
from weishang.analytics.fold import fold
from weishang.analytics.selectors_cohorts import cohort_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def buy(make_product):
    sku = make_product(price_fen=1_000, stock=500)
    return lambda customer, when: bought_on(customer, sku, when)


@pytest.fixture
def four_months(buy, make_customer):
    a, b, c, d, e = (make_customer() for _ in range(5))
    for customer in (a, a, b, c):  # a's second January order is the same month
        buy(customer, mid_month(2026, 1))
    buy(a, mid_month(2026, 2))
    buy(d, mid_month(2026, 2))
    for customer in (a, b, d):
        buy(customer, mid_month(2026, 3))
    buy(e, mid_month(2026, 4))
    fold()


def test_each_cohort_counts_its_first_month_and_the_share_ordering_in_each_later_month(
    four_months,
):
    table = cohort_table(date(2026, 1, 1), date(2026, 4, 1))
    assert [(row.cohort, row.size, row.counts) for row in table.rows] == [
        (date(2026, 1, 1), 3, [3, 1, 2, 0]),
        (date(2026, 2, 1), 1, [1, 1, 0]),
        (date(2026, 3, 1), 0, [0, 0]),
        (date(2026, 4, 1), 1, [1]),
    ]
    assert table.rows[0].shares == [100.0, 33.3, 66.7, 0.0]
    assert table.rows[1].shares == [100.0, 100.0, 0.0]
    # Nobody's first order fell in March: no share to show, not a division by zero.
    assert table.rows[2].shares == [None, None]
    assert table.width == 4


def test_a_range_leaves_out_earlier_cohorts_and_later_months(four_months):
    table = cohort_table(date(2026, 2, 1), date(2026, 3, 31))
    assert [(row.cohort, row.size, row.counts) for row in table.rows] == [
        (date(2026, 2, 1), 1, [1, 1]),
        (date(2026, 3, 1), 0, [0]),
    ]


def test_no_orders_make_empty_cohorts(db):
    table = cohort_table(date(2026, 1, 1), date(2026, 2, 1))
    assert [(row.size, row.counts) for row in table.rows] == [(0, [0, 0]), (0, [0])]
