from datetime import date

import pytest

from weishang import bulk
from weishang.analytics.models import SalesDay

pytestmark = pytest.mark.django_db

DAY, NEXT = date(2026, 3, 1), date(2026, 3, 2)


def totals():
    return {
        (row.day, row.shard): (row.orders, row.gmv_fen)
        for row in SalesDay.objects.order_by("day", "shard")
    }


def test_many_counters_are_added_to_in_one_statement_summing_rows_with_the_same_keys(
    django_assert_num_queries,
):
    bulk.add_to(SalesDay, {"day": DAY, "shard": 0}, {"orders": 1, "gmv_fen": 100})
    with django_assert_num_queries(1):
        bulk.add_all(
            SalesDay,
            [
                ({"day": DAY, "shard": 0}, {"orders": 1, "gmv_fen": 250}),
                ({"day": NEXT, "shard": 1}, {"orders": 2, "gmv_fen": 900}),
                ({"day": DAY, "shard": 0}, {"orders": -1, "gmv_fen": -50}),
            ],
        )
    assert totals() == {(DAY, 0): (1, 300), (NEXT, 1): (2, 900)}


def test_nothing_to_add_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk.add_all(SalesDay, [])
