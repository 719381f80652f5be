"""Coupon arithmetic: what each line gets off, and which coupons are best together."""

from datetime import UTC, datetime, timedelta
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from weishang.loyalty.coupon_rules import (
    AMOUNT_OFF,
    PERCENT_OFF,
    CouponLine,
    CouponTerms,
    apply_coupons,
    best_coupons,
    coupon_discount,
    stacking_order,
)

DAY = datetime(2026, 12, 1, tzinfo=UTC)


def terms(
    coupon_id=1,
    *,
    amount=0,
    bp=0,
    cap=None,
    threshold=0,
    products=(),
    categories=(),
    stackable=False,
    days=10,
):
    return CouponTerms(
        coupon_id=coupon_id,
        kind=PERCENT_OFF if bp else AMOUNT_OFF,
        amount_off_fen=amount,
        percent_off_bp=bp,
        cap_fen=cap,
        threshold_fen=threshold,
        product_ids=frozenset(products),
        category_ids=frozenset(categories),
        stackable=stackable,
        valid_until=DAY + timedelta(days=days),
    )


def line(key, amount, product=1, category=1):
    return CouponLine(key=key, product_id=product, category_id=category, amount_fen=amount)


def test_amount_off_is_shared_by_amount_with_the_largest_remainder_getting_the_odd_fen():
    lines = [line(1, 1000), line(2, 2000), line(3, 3000)]
    assert coupon_discount(terms(amount=1000), lines) == {1: 167, 2: 333, 3: 500}


def test_percent_off_rounds_down_to_the_fen_and_stops_at_its_cap():
    assert coupon_discount(terms(bp=1500), [line(1, 999)]) == {1: 149}
    assert coupon_discount(terms(bp=5000, cap=300), [line(1, 999)]) == {1: 300}


def test_the_threshold_counts_only_the_lines_in_scope():
    lines = [line(1, 8000, product=7), line(2, 5000, product=8)]
    jujube_only = terms(amount=1000, threshold=10000, products=[7])
    assert coupon_discount(jujube_only, lines) == {}
    assert coupon_discount(terms(amount=1000, threshold=8000, products=[7]), lines) == {1: 1000}
    by_category = terms(amount=500, categories=[3])
    assert coupon_discount(by_category, [line(1, 100, category=3), line(2, 900)]) == {1: 100}


def test_amount_off_never_takes_more_than_the_lines_cost():
    assert coupon_discount(terms(amount=5000), [line(1, 1200), line(2, 800)]) == {1: 1200, 2: 800}


def test_the_best_is_one_non_stackable_coupon_or_the_best_stack():
    lines = [line(1, 10000)]
    big = terms(1, amount=2500)
    small_a = terms(2, amount=1000, stackable=True)
    small_b = terms(3, bp=1000, stackable=True)
    assert best_coupons([big, small_a, small_b], lines) == (big,)
    small_c = terms(4, amount=1000, stackable=True)
    # 10 % of 100 yuan, then 10 + 10 yuan: 30 yuan beats 25.
    assert best_coupons([big, small_a, small_b, small_c], lines) == (small_b, small_a, small_c)


def test_a_stacked_coupon_whose_threshold_would_fail_goes_first():
    lines = [line(1, 10000)]
    ten_percent = terms(1, bp=1000, stackable=True)
    twenty_over_100 = terms(2, amount=2000, threshold=10000, stackable=True)
    assert best_coupons([ten_percent, twenty_over_100], lines) == (twenty_over_100, ten_percent)
    assert apply_coupons((twenty_over_100, ten_percent), lines) == {1: 2800}


def test_ties_go_to_the_coupon_expiring_first_then_the_lowest_id():
    lines = [line(1, 5000)]
    later = terms(1, amount=500, days=30)
    sooner = terms(2, amount=500, days=3)
    assert best_coupons([later, sooner], lines) == (sooner,)
    twin = terms(3, amount=500, days=3)
    assert best_coupons([twin, sooner], lines) == (sooner,)


def test_no_coupon_gives_anything_gives_no_choice():
    assert best_coupons([terms(amount=500, threshold=9000)], [line(1, 5000)]) == ()
    assert best_coupons([], [line(1, 5000)]) == ()


lines_strategy = st.lists(
    st.builds(
        CouponLine,
        key=st.integers(0, 10_000),
        product_id=st.integers(1, 4),
        category_id=st.integers(1, 3),
        amount_fen=st.integers(0, 500_000),
    ),
    max_size=6,
    unique_by=lambda item: item.key,
)


@st.composite
def coupon_strategy(draw, coupon_id):
    percent = draw(st.booleans())
    scope = draw(st.sampled_from(["all", "products", "categories"]))
    return CouponTerms(
        coupon_id=coupon_id,
        kind=PERCENT_OFF if percent else AMOUNT_OFF,
        amount_off_fen=0 if percent else draw(st.integers(1, 100_000)),
        percent_off_bp=draw(st.integers(1, 10_000)) if percent else 0,
        cap_fen=draw(st.none() | st.integers(0, 50_000)) if percent else None,
        threshold_fen=draw(st.integers(0, 300_000)),
        product_ids=frozenset(draw(st.sets(st.integers(1, 4), min_size=1)))
        if scope == "products"
        else frozenset(),
        category_ids=frozenset(draw(st.sets(st.integers(1, 3), min_size=1)))
        if scope == "categories"
        else frozenset(),
        stackable=draw(st.booleans()),
        valid_until=DAY + timedelta(days=draw(st.integers(1, 5))),
    )


@st.composite
def coupons_strategy(draw):
    count = draw(st.integers(0, 5))
    return [draw(coupon_strategy(coupon_id)) for coupon_id in range(1, count + 1)]


@given(coupon_strategy(1), lines_strategy)
def test_one_coupon_takes_its_exact_discount_and_no_line_goes_below_zero(terms_, lines):
    off = coupon_discount(terms_, lines)
    amounts = {item.key: item.amount_fen for item in lines}
    assert all(0 < fen <= amounts[key] for key, fen in off.items())
    eligible = [
        item
        for item in lines
        if (not terms_.product_ids and not terms_.category_ids)
        or item.product_id in terms_.product_ids
        or item.category_id in terms_.category_ids
    ]
    base = sum(item.amount_fen for item in eligible)
    assert set(off) <= {item.key for item in eligible}
    if base < terms_.threshold_fen or not base:
        assert off == {}
    elif terms_.kind == PERCENT_OFF:
        expected = base * terms_.percent_off_bp // 10_000
        if terms_.cap_fen is not None:
            expected = min(expected, terms_.cap_fen)
        assert sum(off.values()) == expected
    else:
        assert sum(off.values()) == min(terms_.amount_off_fen, base)


@given(coupon_strategy(1), lines_strategy)
def test_shares_follow_the_amounts_within_a_fen(terms_, lines):
    off = coupon_discount(terms_, lines)
    total = sum(off.values())
    if not total:
        return
    eligible = {key: next(i.amount_fen for i in lines if i.key == key) for key in off}
    base = sum(item.amount_fen for item in lines if item.key in eligible) or 1
    for key, fen in off.items():
        assert abs(fen - total * eligible[key] / base) < 1


@given(coupons_strategy(), lines_strategy)
def test_the_best_combination_beats_every_allowed_combination(available, lines):
    best = best_coupons(available, lines)
    best_total = sum(apply_coupons(best, lines).values())
    assert len(best) <= 1 or all(t.stackable for t in best)
    assert best == stacking_order(best) or len(best) == 1
    for single in available:
        assert best_total >= sum(coupon_discount(single, lines).values())
    stackable = [t for t in available if t.stackable]
    for size in range(2, len(stackable) + 1):
        for combo in combinations(stackable, size):
            assert best_total >= sum(apply_coupons(stacking_order(combo), lines).values())
    amounts = {item.key: item.amount_fen for item in lines}
    assert all(fen <= amounts[key] for key, fen in apply_coupons(best, lines).items())
