"""The share reward rule check: only a friend's completed, non-returned order may be rewarded;
paying for sharing, likes, sign-ups or friends' help is refused with the rule it breaks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.loyalty import reward_rules as rules
from weishang.loyalty.reward_rules import (
    RewardRuleDraft,
    check_reward_rule,
    reward_for,
    tier_credit_for,
)

ACTS = [rules.SHARE, rules.LIKES, rules.SIGN_UP, rules.HELP, rules.BARGAIN]
PAYING = [
    rules.POINTS_FIXED,
    rules.POINTS_PER_YUAN,
    rules.CASHBACK_FIXED,
    rules.CASHBACK_BP,
    rules.TIER_FIXED,
    rules.TIER_BP,
]


@pytest.mark.parametrize("reward", PAYING)
def test_a_reward_for_a_friends_completed_order_can_be_saved(reward):
    verdict = check_reward_rule(RewardRuleDraft(reward=reward, amount=100))
    assert verdict.ok and not verdict.refusals


@pytest.mark.parametrize("trigger", ACTS)
@pytest.mark.parametrize("reward", [*PAYING, rules.NONE])
def test_a_reward_for_the_act_of_sharing_liking_inviting_or_helping_is_refused_citing_the_rule(
    trigger, reward
):
    verdict = check_reward_rule(RewardRuleDraft(trigger=trigger, reward=reward, amount=100))
    assert not verdict.ok
    assert verdict.codes() == {f"pays_for_{trigger}"}
    (finding,) = verdict.refusals
    assert finding.article == "《微信外部链接内容管理规范》2.1.2 诱导分享"
    assert "《微信外部链接内容管理规范》2.1.2" in finding.message


def test_a_reward_on_payment_is_refused_as_it_would_reward_returned_orders():
    verdict = check_reward_rule(
        RewardRuleDraft(trigger=rules.ORDER_PAID, reward=rules.CASHBACK_FIXED, amount=500)
    )
    assert verdict.codes() == {"paid_not_completed"}
    assert "completes without return or refund" in verdict.refusals[0].message


@pytest.mark.parametrize(
    ("draft", "code"),
    [
        (RewardRuleDraft(trigger="anything"), "unknown_trigger"),
        (RewardRuleDraft(reward="voucher", amount=1), "unknown_reward"),
        (RewardRuleDraft(reward=rules.COUPON), "no_coupon"),
        (
            RewardRuleDraft(reward=rules.POINTS_FIXED, amount=5, coupon_template_id=3),
            "coupon_not_given",
        ),
        (RewardRuleDraft(reward=rules.TIER_FIXED, amount=0), "no_amount"),
        (RewardRuleDraft(reward=rules.TIER_BP, amount=10_001), "tier_above_paid"),
        (RewardRuleDraft(reward=rules.POINTS_FIXED, amount=0), "no_amount"),
        (RewardRuleDraft(reward=rules.POINTS_FIXED, amount=-5), "bad_amount"),
        (RewardRuleDraft(reward=rules.POINTS_FIXED, amount=True), "bad_amount"),
        (RewardRuleDraft(reward=rules.CASHBACK_BP, amount=10_001), "cashback_above_paid"),
        (RewardRuleDraft(invite_after_orders=0), "bad_invite_after"),
        (RewardRuleDraft(invite_after_orders=1_001), "bad_invite_after"),
    ],
)
def test_impossible_rules_are_refused_with_a_reason(draft, code):
    assert check_reward_rule(draft).codes() == {code}


def test_every_refusal_is_reported_at_once():
    draft = RewardRuleDraft(trigger=rules.LIKES, reward=rules.CASHBACK_BP, amount=20_000)
    assert check_reward_rule(draft).codes() == {"pays_for_likes", "cashback_above_paid"}


@given(
    trigger=st.sampled_from(list(rules.TRIGGERS) + ["", "share_and_buy"]),
    reward=st.sampled_from(list(rules.REWARDS) + ["voucher"]),
    amount=st.integers(min_value=-10, max_value=2 * rules.MAX_AMOUNT),
    invite=st.integers(min_value=-5, max_value=5_000),
    coupon=st.none() | st.integers(min_value=1, max_value=10),
)
def test_only_a_reward_on_a_completed_order_ever_passes(trigger, reward, amount, invite, coupon):
    draft = RewardRuleDraft(
        trigger=trigger,
        reward=reward,
        amount=amount,
        invite_after_orders=invite,
        coupon_template_id=coupon,
    )
    verdict = check_reward_rule(draft)
    if verdict.ok:
        assert trigger == rules.ORDER_COMPLETED
        assert (reward == rules.COUPON) == (coupon is not None)
        if reward != rules.COUPON:
            assert reward in rules.REWARDS and 0 <= amount <= rules.MAX_AMOUNT
            assert reward == rules.NONE or amount > 0
        assert reward not in (rules.CASHBACK_BP, rules.TIER_BP) or amount <= 10_000
        assert 1 <= invite <= rules.MAX_INVITE_AFTER
    else:
        assert all(finding.message for finding in verdict.refusals)


@given(
    reward=st.sampled_from(rules.REWARDS),
    amount=st.integers(min_value=0, max_value=10_000),
    paid_fen=st.integers(min_value=0, max_value=10**9),
)
def test_rewards_are_whole_and_cash_back_never_exceeds_what_the_friend_paid(
    reward, amount, paid_fen
):
    points, cashback_fen = reward_for(reward=reward, amount=amount, paid_fen=paid_fen)
    assert points >= 0 and cashback_fen >= 0
    assert not (points and cashback_fen)
    if reward == rules.CASHBACK_BP:
        assert cashback_fen <= paid_fen
    if reward == rules.NONE:
        assert (points, cashback_fen) == (0, 0)


def test_rewards_round_down():
    assert reward_for(reward=rules.POINTS_PER_YUAN, amount=2, paid_fen=3_990) == (78, 0)
    assert reward_for(reward=rules.CASHBACK_BP, amount=333, paid_fen=3_990) == (0, 132)
    assert reward_for(reward=rules.POINTS_FIXED, amount=50, paid_fen=1) == (50, 0)
    assert reward_for(reward=rules.CASHBACK_FIXED, amount=500, paid_fen=1) == (0, 500)


def test_a_coupon_reward_names_its_coupon():
    assert check_reward_rule(RewardRuleDraft(reward=rules.COUPON, coupon_template_id=7)).ok
    verdict = check_reward_rule(RewardRuleDraft(reward=rules.COUPON))
    assert verdict.codes() == {"no_coupon"}
    assert verdict.refusals[0].message == "Choose the coupon the sharer gets."


@given(
    reward=st.sampled_from(rules.REWARDS),
    amount=st.integers(min_value=0, max_value=10_000),
    paid_fen=st.integers(min_value=0, max_value=10**9),
)
def test_tier_progress_is_whole_fen_never_above_what_the_friend_paid_by_rate(
    reward, amount, paid_fen
):
    credit = tier_credit_for(reward=reward, amount=amount, paid_fen=paid_fen)
    assert credit >= 0
    if reward == rules.TIER_BP:
        assert credit <= paid_fen
    if reward not in (rules.TIER_FIXED, rules.TIER_BP):
        assert credit == 0


def test_tier_progress_rounds_down():
    assert tier_credit_for(reward=rules.TIER_BP, amount=333, paid_fen=3_990) == 132
    assert tier_credit_for(reward=rules.TIER_FIXED, amount=5_000, paid_fen=1) == 5_000
