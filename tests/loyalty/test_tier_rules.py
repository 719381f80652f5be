"""The pure tier and points arithmetic: a spend's tier, progress, points earned and taken back."""

from hypothesis import given
from hypothesis import strategies as st

from weishang.loyalty import tier_rules
from weishang.loyalty.tier_rules import Tier

thresholds = st.lists(st.integers(1, 10**9), max_size=6, unique=True).map(
    lambda rest: [0, *sorted(rest)]
)
spend = st.integers(0, 2 * 10**9)


@given(thresholds, spend)
def test_a_spend_holds_the_highest_tier_it_reaches(levels, fen):
    index = tier_rules.tier_index(fen, levels)
    assert levels[index] <= fen
    assert index + 1 == len(levels) or levels[index + 1] > fen


@given(thresholds, spend, spend)
def test_spending_more_never_lowers_the_tier(levels, a, b):
    low, high = sorted((a, b))
    assert tier_rules.tier_index(low, levels) <= tier_rules.tier_index(high, levels)


@given(thresholds, spend)
def test_the_fen_to_the_next_tier_reach_it_exactly(levels, fen):
    index, needed = tier_rules.to_next_tier(fen, levels)
    if index is None:
        assert tier_rules.tier_index(fen, levels) == len(levels) - 1 and needed == 0
    else:
        assert tier_rules.tier_index(fen + needed, levels) == index
        assert tier_rules.tier_index(fen + needed - 1, levels) == index - 1
    assert 0 <= tier_rules.progress_bp(fen, levels) <= 10_000


@given(thresholds, spend, st.integers(0, 6))
def test_the_next_tier_is_above_the_tier_held_and_still_to_be_spent_for(levels, fen, held):
    held = min(held, len(levels) - 1)
    index, needed = tier_rules.to_next_tier(fen, levels, held)
    if index is not None:
        assert index > held and needed > 0
    assert 0 <= tier_rules.progress_bp(fen, levels, held) <= 10_000


def test_points_are_floored_after_the_multiplier():
    assert tier_rules.points_earned(9999, 1, 15_000) == 149  # ¥99.99 × 1 × 1.5
    assert tier_rules.points_earned(9999, 2, 10_000) == 199
    assert tier_rules.points_earned(-5, 1, 10_000) == 0


@given(st.integers(0, 10**6), st.integers(1, 10**8), st.integers(0, 10**8), st.integers(0, 10**8))
def test_points_due_back_grow_with_the_refund_and_never_pass_what_was_earned(earned, base, a, b):
    low, high = sorted((a, b))
    assert tier_rules.points_due_back(earned, base, low) <= tier_rules.points_due_back(
        earned, base, high
    )
    assert tier_rules.points_due_back(earned, base, high) <= earned
    assert tier_rules.points_due_back(earned, base, base) == earned


def test_tiers_start_at_zero_with_distinct_names_and_thresholds():
    gold = Tier("金卡", 100_000, 500, 15_000)
    assert tier_rules.check_tiers([Tier("普通", 0), gold]) == ""
    assert "starts at ¥0" in tier_rules.check_tiers([gold])
    assert "same name" in tier_rules.check_tiers([Tier("金卡", 0), gold])
    assert "same spend" in tier_rules.check_tiers([Tier("普通", 0), Tier("银卡", 0)])
    assert "50 %" in tier_rules.check_tiers([Tier("普通", 0, 6000)])
    assert "×10" in tier_rules.check_tiers([Tier("普通", 0, 0, 5000)])
    assert "name" in tier_rules.check_tiers([Tier(" ", 0)])
