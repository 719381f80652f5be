"""The pricing rule's arithmetic: every step in integer fen, pieces that always add up."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.orders.pricing import (
    LinePrice,
    allocate,
    points_for_fen,
    points_usable,
    price_lines,
    returned_share,
)


def test_a_worked_order_through_every_step():
    lines = price_lines(
        {1: 10_000, 2: 3_333},
        discount_bp=500,  # 5 % off: 500 and 166.65 → 166
        coupon_fen={1: 1_000},
        points_fen=2_000,
        wallet_fen=999,
    )
    assert lines[1].member_discount_fen == 500 and lines[2].member_discount_fen == 166
    # Left after the coupon: 8 500 and 3 167; points spread pro rata: 1 457.2 and 542.8.
    assert (lines[1].points_fen, lines[2].points_fen) == (1_457, 543)
    # The wallet's 999 spread over 7 043 and 2 624: 727.9 and 271.1.
    assert (lines[1].wallet_fen, lines[2].wallet_fen) == (728, 271)
    assert (lines[1].paid_fen, lines[2].paid_fen) == (6_315, 2_353)  # docs/pricing.md


def test_largest_remainders_take_the_odd_fen_and_ties_go_to_the_earlier_line():
    assert allocate(100, [(1, 300), (2, 300), (3, 300)]) == {1: 34, 2: 33, 3: 33}
    assert allocate(50, [(1, 100), (2, 0)]) == {1: 50}
    assert allocate(0, [(1, 100)]) == {}


def test_a_step_that_takes_a_line_below_zero_is_refused():
    with pytest.raises(ValueError):
        price_lines({1: 100}, coupon_fen={1: 101})
    with pytest.raises(ValueError):
        price_lines({1: 100}, points_fen=60, wallet_fen=41)
    with pytest.raises(ValueError):
        price_lines({1: 100}, discount_bp=10_001)


line_totals = st.dictionaries(st.integers(1, 50), st.integers(0, 500_000), min_size=1, max_size=6)


@given(line_totals, st.integers(0, 10_000), st.data())
def test_every_line_adds_up_and_nothing_goes_negative(totals, discount_bp, data):
    left = {k: v - v * discount_bp // 10_000 for k, v in totals.items()}
    coupon = {k: data.draw(st.integers(0, v)) for k, v in left.items()}
    rest = sum(left.values()) - sum(coupon.values())
    points = data.draw(st.integers(0, rest))
    wallet = data.draw(st.integers(0, rest - points))
    lines = price_lines(
        totals, discount_bp=discount_bp, coupon_fen=coupon, points_fen=points, wallet_fen=wallet
    )
    assert sum(line.points_fen for line in lines.values()) == points
    assert sum(line.wallet_fen for line in lines.values()) == wallet
    for key, line in lines.items():
        assert line.paid_fen >= 0
        assert (
            line.member_discount_fen
            + line.coupon_fen
            + line.points_fen
            + line.wallet_fen
            + line.paid_fen
            == totals[key]
        )


@given(st.integers(0, 1_000_000), st.lists(st.integers(1, 5), min_size=1, max_size=6))
def test_returns_in_any_steps_give_back_exactly_the_part(part, steps):
    quantity = sum(steps)
    before = 0
    given_back = 0
    for returning in steps:
        piece = returned_share(part, quantity, before, returning)
        assert piece >= 0
        given_back += piece
        before += returning
    assert given_back == part


@given(st.integers(1, 10_000), st.integers(1, 100), st.integers(0, 100))
def test_points_returned_follow_the_fen_returned(points, fen_per_point, percent):
    points_fen = points * fen_per_point
    assert points_for_fen(points, points_fen, points_fen) == points
    assert points_for_fen(points, points_fen, points_fen * percent // 100) <= points


def test_a_line_without_deductions_is_paid_in_full():
    assert LinePrice(total_fen=3990).paid_fen == 3990


def test_points_pay_at_most_the_brands_share_rounded_down_to_whole_points():
    # 10 % of ¥39.99 is 399.9 fen: 399 fen, then 199 points of 2 fen each.
    assert (
        points_usable(spendable=5_000, left_fen=3_999, max_share_bp=1_000, fen_per_point=2) == 199
    )
    assert points_usable(spendable=50, left_fen=3_999, max_share_bp=10_000, fen_per_point=1) == 50
