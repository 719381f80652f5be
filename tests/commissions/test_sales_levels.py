"""Distributor levels by his own completed sales (COMPLIANCE.md §1): the pure rules, the plan
check, the selector of his own sales and the extra rate on what he earns."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from weishang.commissions import plans, selectors, services
from weishang.commissions.models import Commission, CommissionPlan
from weishang.commissions.rules import (
    Override,
    PlanDraft,
    SalesLevel,
    check_plan,
    level_for,
    next_level,
    own_rate_bp,
)
from weishang.orders.models import Order, OrderStatus

from .conftest import place

SILVER = SalesLevel("银牌", 100_000, 100)
GOLD = SalesLevel("金牌", 500_000, 300)
LEVELS = (SILVER, GOLD)

levels_strategy = st.lists(
    st.tuples(st.integers(0, 10**9), st.integers(0, 2_000)),
    min_size=1,
    max_size=6,
    unique_by=lambda t: t[0],
).map(
    lambda rows: tuple(
        SalesLevel(f"L{i}", threshold, extra) for i, (threshold, extra) in enumerate(sorted(rows))
    )
)


# Pure rules ------------------------------------------------------------------------------------


def test_level_for_and_next_level_at_the_thresholds():
    assert level_for(0, LEVELS) is None and next_level(0, LEVELS) == SILVER
    assert level_for(99_999, LEVELS) is None
    assert level_for(100_000, LEVELS) == SILVER and next_level(100_000, LEVELS) == GOLD
    assert level_for(499_999, LEVELS) == SILVER
    assert level_for(500_000, LEVELS) == GOLD and next_level(500_000, LEVELS) is None
    assert level_for(10**12, ()) is None and next_level(5, ()) is None


@given(levels=levels_strategy, low=st.integers(0, 2 * 10**9), more=st.integers(0, 10**9))
def test_more_own_sales_never_lower_the_level(levels, low, more):
    def rank(sales):
        level = level_for(sales, levels)
        return -1 if level is None else levels.index(level)

    assert rank(low) <= rank(low + more)


@given(levels=levels_strategy, sales=st.integers(0, 2 * 10**9))
def test_the_level_is_never_above_the_top_and_the_next_is_ahead(levels, sales):
    level = level_for(sales, levels)
    if level is not None:
        assert level.threshold_fen <= sales <= 2 * 10**9
        assert level.threshold_fen <= levels[-1].threshold_fen
    ahead = next_level(sales, levels)
    if ahead is None:
        assert level == levels[-1]
    else:
        assert ahead.threshold_fen > sales
        assert level is None or level.threshold_fen < ahead.threshold_fen


@given(rate=st.integers(0, 10_000), extra=st.integers(0, 10_000))
def test_the_own_rate_with_a_level_is_never_above_100pc(rate, extra):
    result = own_rate_bp(rate, SalesLevel("x", 0, extra))
    assert result == min(rate + extra, 10_000)
    assert own_rate_bp(rate, None) == rate


# The plan check ------------------------------------------------------------------------------


def codes(draft):
    return check_plan(draft).codes()


def test_levels_by_own_sales_pass_the_check_in_strict_mode():
    verdict = check_plan(PlanDraft(sales_levels=LEVELS))
    assert verdict.ok and verdict.warnings == ()


@pytest.mark.parametrize(
    "levels",
    [
        (GOLD, SILVER),
        (SILVER, dataclasses.replace(GOLD, threshold_fen=SILVER.threshold_fen)),
    ],
)
def test_thresholds_must_strictly_increase(levels):
    assert "sales_levels_not_increasing" in codes(PlanDraft(sales_levels=levels))


def test_a_negative_extra_rate_or_threshold_an_unnamed_or_duplicate_level_are_refused():
    assert "invalid_number" in codes(
        PlanDraft(sales_levels=(dataclasses.replace(SILVER, extra_rate_bp=-1),))
    )
    assert "invalid_number" in codes(
        PlanDraft(sales_levels=(dataclasses.replace(SILVER, threshold_fen=-1),))
    )
    assert "rate_out_of_range" in codes(
        PlanDraft(sales_levels=(dataclasses.replace(SILVER, extra_rate_bp=10_001),))
    )
    assert "sales_level_unnamed" in codes(
        PlanDraft(sales_levels=(dataclasses.replace(SILVER, name=" "),))
    )
    assert "sales_level_duplicate" in codes(
        PlanDraft(sales_levels=(SILVER, dataclasses.replace(GOLD, name=SILVER.name)))
    )


def test_team_based_ranks_are_still_refused_next_to_levels_by_own_sales():
    draft = PlanDraft(sales_levels=LEVELS, team_size_ranks=True, team_sales_ranks=True)
    assert {"team_size_rank", "team_sales_rank"} <= codes(draft)


def test_the_top_level_counts_against_the_margin_and_the_30pc_warning():
    product = Override(key=1, label="茶", rate_bp=1_000, margin_bp=1_200)
    assert check_plan(PlanDraft(products=(product,), sales_levels=(SILVER,))).ok
    refused = check_plan(PlanDraft(products=(product,), sales_levels=LEVELS))
    assert "rate_above_margin" in refused.codes()
    assert "13 %" in next(r.message for r in refused.refusals if r.code == "rate_above_margin")
    warned = check_plan(
        PlanDraft(default_rate_bp=2_800, sales_levels=(SalesLevel("金牌", 1, 300),))
    )
    assert warned.ok and [w.code for w in warned.warnings] == ["rate_above_30pc"]


# His own completed sales and the accrual ---------------------------------------------------------


def complete(order, *, refunded_fen=0):
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.COMPLETED, completed_at=timezone.now(), refunded_fen=refunded_fen
    )


@pytest.fixture
def level_plan(db, staff):
    return plans.save_plan(draft=PlanDraft(default_rate_bp=500, sales_levels=LEVELS), actor=staff)


@pytest.mark.django_db
def test_own_sales_count_completed_orders_less_freight_and_refunds_only_his(
    level_plan, seller, buyer, sku, make_seller, make_customer, bind
):
    first = place(buyer, {sku: 2})
    second = place(buyer, {sku: 1})
    place(buyer, {sku: 5})  # not completed: never counts
    recruit = make_seller(invited_by=seller)
    recruit_order = place(bind(make_customer(), recruit), {sku: 9})
    complete(first)
    complete(second, refunded_fen=1000)
    complete(recruit_order)  # his recruit's sale is never his
    goods = lambda order: order.total_fen - order.freight_fen  # noqa: E731
    expected = goods(first) + goods(second) - 1000
    assert selectors.own_completed_sales_fen(seller.pk) == expected
    assert selectors.own_completed_sales_fen(recruit.pk) == goods(recruit_order)


@pytest.mark.django_db
def test_a_level_raises_his_own_rate_on_new_orders(level_plan, seller, buyer, sku):
    before = place(buyer, {sku: 1})
    assert Commission.objects.get(order=before).rate_bp == 500
    Order.objects.filter(pk=before.pk).update(
        status=OrderStatus.COMPLETED, completed_at=timezone.now(), total_fen=600_000
    )
    after = place(buyer, {sku: 2})
    commission = Commission.objects.get(order=after)
    assert commission.rate_bp == 800  # 5 % + 金牌's 3 %
    assert commission.rule == "v1:default+300bp"
    assert commission.amount_fen == commission.base_fen * 800 // 10_000


@pytest.mark.django_db
def test_the_level_lookup_costs_one_query_on_the_quote_path(make_plan, seller, buyer, sku, staff):
    def quote_queries():
        order = place(buyer, {sku: 1})
        Commission.objects.filter(order=order).delete()
        with CaptureQueriesContext(connection) as queries:
            services.quote_commissions(order=order)
        return len(queries)

    make_plan(500)
    without_levels = quote_queries()
    plans.save_plan(draft=PlanDraft(sales_levels=LEVELS), actor=staff)
    assert quote_queries() == without_levels + 1


@pytest.mark.django_db
def test_levels_are_saved_with_the_version_audited_and_round_trip(level_plan, staff):
    from weishang.compliance.models import AuditEntry

    stored = CommissionPlan.objects.get(pk=level_plan.pk)
    assert stored.levels() == LEVELS
    assert plans.draft_from_plan(stored).sales_levels == LEVELS
    entry = AuditEntry.objects.filter(action="plan.save").latest("pk")
    assert entry.after["sales_levels"][1] == {
        "name": "金牌",
        "threshold_fen": 500_000,
        "extra_rate_bp": 300,
    }
    refused = PlanDraft(sales_levels=(GOLD, SILVER))
    with pytest.raises(plans.PlanRefused):
        plans.save_plan(draft=refused, actor=staff)
    assert CommissionPlan.objects.count() == 1
