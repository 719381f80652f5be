"""What completing an order sets off beyond the order itself, in one transaction per order: the
buyer's points and tier (with the brand's tier-upgrade coupon), the sharer's reward; and what a
refund and a cancellation undo."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.loyalty.flows import delivered, make_tiers
from tests.sales.test_claims import file
from weishang.loyalty import coupons, points
from weishang.loyalty.models import Coupon, CouponRule, ShareReward, TierChange
from weishang.loyalty.reward_rules import POINTS_FIXED, RewardRuleDraft
from weishang.loyalty.share_rewards import save_share_rule
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db
LATER = timezone.now() + timedelta(days=9)


def test_completion_earns_points_moves_him_up_gives_the_upgrade_coupon_and_rewards_the_sharer(
    make_customer, make_product, staff
):
    _normal, silver, _gold = make_tiers()
    template = coupons.save_coupon_template(
        actor=staff,
        terms={
            "name": "升级礼",
            "kind": "amount_off",
            "amount_off_fen": 1000,
            "threshold_fen": 5000,
            "scope": "all",
            "valid_days": 30,
            "per_customer_limit": 3,
        },
        now=timezone.now(),
    )
    coupons.set_coupon_rule(
        actor=staff, rule=CouponRule.Occasion.TIER_UPGRADE, template_id=template.pk
    )
    save_share_rule(draft=RewardRuleDraft(reward=POINTS_FIXED, amount=50), actor=staff)
    sharer, friend = make_customer(), make_customer()
    sku = make_product(price_fen=12_000)
    order = delivered(friend, sku)
    type(order).objects.filter(pk=order.pk).update(shared_by=sharer)

    assert sales.complete_orders(now=LATER) == [order.pk]
    assert sales.complete_orders(now=LATER) == []

    # ¥120 earns 120 points at the multiplier of the tier he held (普通); then he moves up.
    assert points.points_balance(friend.pk) == 120
    change = TierChange.objects.get(customer=friend)
    assert (change.to_tier, change.reason) == (silver, "order_completed")
    gift = Coupon.objects.get(customer=friend)
    assert gift.template == template
    reward = ShareReward.objects.get(order=order)
    assert reward.sharer_id == sharer.pk and points.points_balance(sharer.pk) == 50


def test_a_quality_claim_refund_after_completion_takes_back_the_sharers_reward(
    make_customer, make_product, staff, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    save_share_rule(draft=RewardRuleDraft(reward=POINTS_FIXED, amount=100), actor=staff)
    sharer, friend = make_customer(), make_customer()
    order = delivered(friend, make_product(price_fen=5_000), quantity=2)
    type(order).objects.filter(pk=order.pk).update(shared_by=sharer)
    sales.complete_orders(now=LATER)
    assert points.points_balance(sharer.pk) == 100

    claim = sales.refund_claim(
        claim=file(order, "refund", quantity=1, now=LATER), actor=staff, reason="发霉"
    )

    assert claim.refund_fen == 5_000
    assert points.points_balance(sharer.pk) == 50  # half of what the friend paid came back
