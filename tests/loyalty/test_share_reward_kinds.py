"""Share rewards in coupons and tier progress, and taking any reward back when a quality claim
refunds the friend's order after it completed: points he can still spend, cash-back still in his
wallet, tier progress, and the coupon while unused."""

from datetime import timedelta

import pytest
from django.db import transaction

from tests.concurrency import run_in_parallel
from tests.sales.test_claims import file
from weishang.commissions import ledger
from weishang.loyalty import coupons, points, reward_rules, selectors, wallet
from weishang.loyalty.errors import LoyaltyError
from weishang.loyalty.models import (
    Coupon,
    CouponSource,
    MemberStatus,
    ShareReward,
    TierChange,
    TierCredit,
)
from weishang.loyalty.reward_rules import RewardRuleDraft
from weishang.loyalty.share_rewards import revoke_reward, save_share_rule
from weishang.sales import services as sales

from .flows import make_tiers
from .test_coupons import template
from .test_share_rewards import LATER, completed, place, reward

pytestmark = pytest.mark.django_db


@pytest.fixture
def sharer(make_customer):
    return make_customer()


@pytest.fixture
def friend(make_customer):
    return make_customer()


def rule(staff, reward_kind, amount=0, coupon=None):
    return save_share_rule(
        draft=RewardRuleDraft(
            reward=reward_kind, amount=amount, coupon_template_id=coupon.pk if coupon else None
        ),
        actor=staff,
    )


def ten_through(friend, sharer, sku):
    """A friend's order of 10 × ¥39.90 (¥399.00 for the goods) through the sharer's link,
    completed and rewarded."""
    order = completed(place(friend, sku, shared_by=sharer, quantity=10))
    return order, reward(order)


def refund(order, staff, quantity):
    """A quality claim after completion refunds ``quantity`` units; the refund's own transaction
    takes the reward back."""
    sales.refund_claim(
        claim=file(order, "refund", quantity=quantity, now=LATER),
        actor=staff,
        reason="发霉",
        now=LATER,
    )
    return ShareReward.objects.get(order=order)


def revoke(order):
    with transaction.atomic():
        return revoke_reward(order=order, now=LATER)


# A coupon ----------------------------------------------------------------------------------------


def test_a_coupon_reward_issues_the_coupon_once_under_the_share_key(staff, friend, sharer, sku):
    coupon_template = template(name="分享券", claimable=False)
    rule(staff, reward_rules.COUPON, coupon=coupon_template)
    order, granted = ten_through(friend, sharer, sku)
    assert reward(order) == granted
    coupon = granted.coupon
    assert (coupon.customer, coupon.template, coupon.source) == (
        sharer,
        coupon_template,
        CouponSource.REFERRAL,
    )
    assert coupon.key == f"referral:share:{order.number}"
    assert (granted.points, granted.cashback_fen, granted.tier_fen) == (0, 0, 0)
    assert Coupon.objects.filter(customer=sharer).count() == 1
    assert [c.coupon_id for c in coupons.usable_coupons(customer_id=sharer.pk, now=LATER)] == [
        coupon.pk
    ]


def test_a_coupon_that_can_no_longer_be_issued_rewards_nothing(staff, friend, sharer, sku):
    coupon_template = template(name="分享券", claimable=False, per_customer_limit=1)
    rule(staff, reward_rules.COUPON, coupon=coupon_template)
    ten_through(friend, sharer, sku)
    order, second = ten_through(friend, sharer, sku)  # he holds the one he may
    assert second is None
    assert not ShareReward.objects.filter(order=order).exists()


def test_a_coupon_rule_must_name_an_active_coupon(staff):
    with pytest.raises(LoyaltyError, match="Choose the coupon the sharer gets."):
        rule(staff, reward_rules.COUPON)
    retired = template(name="旧券")
    coupons.deactivate_coupon_template(actor=staff, template_id=retired.pk)
    with pytest.raises(LoyaltyError, match="no longer issued"):
        rule(staff, reward_rules.COUPON, coupon=retired)
    saved = rule(staff, reward_rules.COUPON, coupon=template(name="分享券"))
    assert saved.coupon_template.name == "分享券"


# Tier progress -----------------------------------------------------------------------------------


def test_tier_progress_counts_towards_his_tier_at_once(staff, friend, sharer, sku):
    make_tiers()
    rule(staff, reward_rules.TIER_FIXED, amount=10_000)  # ¥100 per completed order
    order, granted = ten_through(friend, sharer, sku)
    assert granted.tier_fen == 10_000
    credit = TierCredit.objects.get(customer=sharer)
    assert (credit.fen, credit.key, credit.reference) == (10_000, granted.key, order.number)
    assert selectors.qualifying_spend_fen(sharer.pk, LATER) == 10_000
    status = MemberStatus.objects.get(customer=sharer)
    assert status.tier.name == "银卡"
    change = TierChange.objects.get(customer=sharer)
    assert (change.reason, change.get_reason_display()) == (
        "share_reward",
        "a share reward counted towards your tier",
    )
    assert reward(order) == granted and TierCredit.objects.count() == 1


def test_tier_progress_by_rate_counts_a_share_of_what_the_friend_paid(staff, friend, sharer, sku):
    rule(staff, reward_rules.TIER_BP, amount=3_333)  # 33.33 %
    _, granted = ten_through(friend, sharer, sku)
    assert granted.tier_fen == 39_900 * 3_333 // 10_000 == 13_298


def test_tier_progress_counts_only_inside_the_rolling_period_in_one_query(
    staff, friend, sharer, sku, django_assert_num_queries
):
    rule(staff, reward_rules.TIER_FIXED, amount=10_000)
    ten_through(friend, sharer, sku)
    with django_assert_num_queries(1):
        assert selectors.qualifying_spend_fen(sharer.pk, LATER, 365) == 10_000
    assert selectors.qualifying_spend_fen(sharer.pk, LATER + timedelta(days=366), 365) == 0
    assert selectors.qualifying_spend_fen(sharer.pk, LATER - timedelta(days=1), 365) == 0


# Taking back -------------------------------------------------------------------------------------


def test_points_come_back_pro_rata_to_the_refund_once(staff, friend, sharer, sku):
    rule(staff, reward_rules.POINTS_FIXED, amount=100)
    order, _ = ten_through(friend, sharer, sku)
    taken = refund(order, staff, quantity=3)
    assert (taken.revoked_points, taken.taken_points) == (30, 30)
    assert points.points_balance(sharer.pk) == 70
    assert revoke(order).taken_points == 30  # no new refund: nothing more
    assert points.points_balance(sharer.pk) == 70
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


def test_points_already_spent_stay_spent(staff, friend, sharer, sku):
    rule(staff, reward_rules.POINTS_FIXED, amount=100)
    order, _ = ten_through(friend, sharer, sku)
    with transaction.atomic():
        points.spend_points(customer_id=sharer.pk, points=90, key="spent", reason="r", now=LATER)
    taken = refund(order, staff, quantity=10)
    assert (taken.revoked_points, taken.taken_points) == (100, 10)
    assert points.points_balance(sharer.pk) == 0
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


def test_cash_back_comes_back_only_from_what_is_still_in_the_wallet(staff, friend, sharer, sku):
    rule(staff, reward_rules.CASHBACK_FIXED, amount=500)
    order, _ = ten_through(friend, sharer, sku)
    with transaction.atomic():
        wallet.spend_wallet(
            customer_id=sharer.pk, amount_fen=300, key="spent", reason="r", now=LATER
        )
    taken = refund(order, staff, quantity=10)
    assert (taken.revoked_cashback_fen, taken.taken_cashback_fen) == (500, 200)
    assert wallet.wallet_balance(sharer.pk) == 0
    history = selectors.describe(selectors.history(sharer.pk, "customer_wallet"))
    assert history[0].reason == f"Taken back: your friend's order {order.number} was refunded"
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


def test_an_unused_coupon_is_voided_and_a_used_one_stays_used(staff, friend, sharer, sku):
    rule(staff, reward_rules.COUPON, coupon=template(name="分享券", per_customer_limit=2))
    first, first_reward = ten_through(friend, sharer, sku)
    second, second_reward = ten_through(friend, sharer, sku)
    with transaction.atomic():
        coupons.use_coupons(
            customer_id=sharer.pk,
            coupon_ids=[second_reward.coupon_id],
            order_number="W-USED",
            now=LATER,
        )
    refund(first, staff, quantity=1)
    refund(second, staff, quantity=1)
    voided, used = Coupon.objects.get(pk=first_reward.coupon_id), second_reward.coupon
    used.refresh_from_db()
    assert voided.status_at(LATER) == Coupon.Status.VOIDED
    assert used.status_at(LATER) == Coupon.Status.USED
    assert coupons.usable_coupons(customer_id=sharer.pk, now=LATER) == []
    with transaction.atomic(), pytest.raises(coupons.CouponError, match="taken back"):
        coupons.use_coupons(
            customer_id=sharer.pk, coupon_ids=[voided.pk], order_number="W-2", now=LATER
        )


def test_tier_progress_is_taken_back_and_his_tier_reviewed(staff, friend, sharer, sku):
    make_tiers()
    rule(staff, reward_rules.TIER_FIXED, amount=10_000)
    order, _ = ten_through(friend, sharer, sku)
    refund(order, staff, quantity=10)
    credit = TierCredit.objects.get(customer=sharer)
    assert credit.revoked_fen == credit.fen == 10_000
    assert selectors.qualifying_spend_fen(sharer.pk, LATER) == 0
    assert MemberStatus.objects.get(customer=sharer).tier.name == "普通"
    latest = TierChange.objects.filter(customer=sharer).first()
    assert latest.get_reason_display() == "a share reward was taken back"


def test_an_order_that_earned_nothing_has_nothing_to_take_back(staff, friend, sharer, sku):
    order = completed(place(friend, sku, shared_by=sharer))
    assert revoke(order) is None


@pytest.mark.django_db(transaction=True)
def test_two_revocations_at_once_take_the_reward_back_once(
    postgres_only, staff, friend, sharer, sku
):
    rule(staff, reward_rules.POINTS_FIXED, amount=100)
    order, _ = ten_through(friend, sharer, sku)
    sales.refund_claim(
        claim=file(order, "refund", quantity=5, now=LATER), actor=staff, reason="发霉"
    )
    results = run_in_parallel(lambda i: revoke(order), 3)
    assert not [r for r in results if isinstance(r, Exception)]
    assert points.points_balance(sharer.pk) == 50
    assert ShareReward.objects.get(order=order).taken_points == 50
    assert ledger.asset_totals() == {"fen": 0, "points": 0}
