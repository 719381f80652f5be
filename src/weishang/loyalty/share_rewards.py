"""Share rewards (分享有礼, COMPLIANCE.md §2): the brand's rule, checked when saved, and the reward
a sharer gets once a friend's order through his link completes without any return or refund."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weishang.commissions import ledger
from weishang.commissions.locks import lock_customer_account
from weishang.commissions.models import Account
from weishang.commissions.rules import format_bp
from weishang.compliance import audit
from weishang.money import format_fen
from weishang.orders.locks import lock_order
from weishang.orders.models import ClaimStatus, Order, OrderStatus, ReturnStatus
from weishang.transactions import step

from . import coupons, points, tier_rules, wallet
from .errors import LoyaltyError
from .locks import lock_coupons
from .models import (
    CouponTemplate,
    ShareReward,
    ShareRewardKind,
    ShareRewardRule,
    TierChange,
    TierCredit,
)
from .reward_rules import RewardRuleDraft, check_reward_rule, reward_for, tier_credit_for
from .share_links import sharer
from .tiers import review_tier

Kind = Account.Kind


def draft_from_rule(rule: ShareRewardRule) -> RewardRuleDraft:
    return RewardRuleDraft(
        trigger=rule.trigger,
        reward=rule.reward,
        amount=rule.amount,
        invite_after_orders=rule.invite_after_orders,
        coupon_template_id=rule.coupon_template_id,
    )


@transaction.atomic(durable=True)
def save_share_rule(
    *, draft: RewardRuleDraft, actor, now: datetime | None = None
) -> ShareRewardRule:
    """Saves the rule as a new version after the check (``reward_rules.check_reward_rule``); a
    refused rule saves nothing and the error names every rule it breaks."""
    verdict = check_reward_rule(draft)
    if not verdict.ok:
        raise LoyaltyError(
            " ".join(finding.message for finding in verdict.refusals), code="share_rule_refused"
        )
    if (
        draft.coupon_template_id is not None
        and not CouponTemplate.objects.filter(pk=draft.coupon_template_id, is_active=True).exists()
    ):
        raise LoyaltyError(
            _("This coupon is no longer issued; choose one the brand still issues."),
            code="share_rule_coupon_inactive",
        )
    now = now or timezone.now()
    current = ShareRewardRule.objects.order_by("-version").first()
    before = draft_from_rule(current) if current else RewardRuleDraft()
    try:
        with transaction.atomic():
            rule = ShareRewardRule.objects.create(
                version=(current.version if current else 0) + 1,
                trigger=draft.trigger,
                reward=draft.reward,
                amount=draft.amount,
                coupon_template_id=draft.coupon_template_id,
                invite_after_orders=draft.invite_after_orders,
                created_at=now,
                created_by=actor,
            )
    except IntegrityError:  # another version was saved meanwhile: the unique version refused
        raise LoyaltyError(
            _("Someone saved the share reward rule at the same moment; check it and save again."),
            code="share_rule_concurrent",
        ) from None
    audit.record(
        actor=actor,
        action="share_rule.save",
        obj=rule,
        before={
            "reward": before.reward,
            "amount": before.amount,
            "coupon_template": before.coupon_template_id,
            "invite_after_orders": before.invite_after_orders,
        },
        after={
            "reward": rule.reward,
            "amount": rule.amount,
            "coupon_template": rule.coupon_template_id,
            "invite_after_orders": rule.invite_after_orders,
        },
    )
    return rule


def paid_for_goods_fen(order: Order) -> int:
    """What the friend paid for the goods: the share reward's base (freight earns none)."""
    return order.total_fen - order.freight_fen - order.refunded_fen


def _never_refunded(order: Order) -> bool:
    return (
        order.refunded_fen == 0
        and not order.returns.filter(status=ReturnStatus.REFUNDED).exists()
        and not order.claims.filter(status=ClaimStatus.REFUNDED).exists()
    )


@step
def reward_completed_order(*, order: Order, now: datetime) -> ShareReward | None:
    """Grants the sharer of a completed, never-refunded order the reward of the rule in force,
    once, under the key ``share:<order number>``: points, cash-back to his wallet, a coupon, or
    tier progress (then his tier is reviewed at once). Returns the reward (the same one on a
    repeat call), or None when the order earns nothing: no sharer, not completed, refunded or
    returned in any part, the sharer's account closed, no reward in the rule, a reward that rounds
    down to nothing, or a coupon that can no longer be issued (inactive, quota spent, or he holds
    as many as one may).
    """
    order = lock_order(order.pk)
    if order.shared_by_id is None or order.status != OrderStatus.COMPLETED:
        return None
    existing = ShareReward.objects.filter(order=order).first()
    if existing is not None:
        return existing
    if not _never_refunded(order) or sharer(order.shared_by_id, lock=True) is None:
        return None
    rule = ShareRewardRule.current()
    if rule.pk is None:
        return None
    paid_fen = paid_for_goods_fen(order)
    granted_points, cashback_fen = reward_for(
        reward=rule.reward, amount=rule.amount, paid_fen=paid_fen
    )
    tier_fen = tier_credit_for(reward=rule.reward, amount=rule.amount, paid_fen=paid_fen)
    sharer_id = order.shared_by_id
    key = f"share:{order.number}"
    coupon = None
    if rule.reward == ShareRewardKind.COUPON:
        coupon = coupons.issue_referral_reward(
            template=rule.coupon_template_id, customer_id=sharer_id, key=key, now=now
        )
    if not (granted_points or cashback_fen or coupon or tier_fen):
        return None
    reason = _("Share reward: a friend's order through your link completed")
    if granted_points:
        points.grant_points(
            customer_id=sharer_id, points=granted_points, key=key, reason=reason, now=now
        )
    if cashback_fen:
        wallet.credit_wallet(
            customer_id=sharer_id, amount_fen=cashback_fen, key=key, reason=reason, now=now
        )
    if tier_fen:
        TierCredit.objects.create(
            customer_id=sharer_id, key=key, fen=tier_fen, reference=order.number, granted_at=now
        )
        review_tier(
            customer_id=sharer_id,
            reason=TierChange.Reason.SHARE_REWARD,
            reference=order.number,
            now=now,
        )
    return ShareReward.objects.create(
        order=order,
        sharer_id=sharer_id,
        rule=rule,
        key=key,
        points=granted_points,
        cashback_fen=cashback_fen,
        coupon=coupon,
        tier_fen=tier_fen,
        granted_at=now,
    )


def _take_points(*, reward: ShareReward, due: int, key: str, now: datetime) -> int:
    """Takes up to ``due`` points back from the sharer: never more than he can still spend."""
    account = lock_customer_account(customer_id=reward.sharer_id, kind=Kind.CUSTOMER_POINTS)
    taken = min(due, points.spendable_points(reward.sharer_id, now))
    if taken:
        points.take_from_lots(
            customer_id=reward.sharer_id, points=taken, key=f"revoke:{key}", now=now
        )
        ledger.transfer(
            debit=account,
            credit=ledger.brand_account(Kind.POINTS_ISSUED),
            amount_fen=taken,
            key=f"points-revoke:{key}",
            kind="points_revoke",
            now=now,
            memo=reward.order.number,
        )
    return taken


def _take_cashback(*, reward: ShareReward, due: int, key: str, now: datetime) -> int:
    """Takes up to ``due`` cash-back back from the sharer's wallet: only what is still in it."""
    account = lock_customer_account(customer_id=reward.sharer_id, kind=Kind.CUSTOMER_WALLET)
    taken = min(due, ledger.balance_of(account))
    if taken:
        ledger.transfer(
            debit=account,
            credit=ledger.brand_account(Kind.CASHBACK_EXPENSE),
            amount_fen=taken,
            key=f"wallet-revoke:{key}",
            kind="wallet_revoke",
            now=now,
            memo=reward.order.number,
        )
    return taken


def _void_coupon(reward: ShareReward, now: datetime) -> None:
    """Voids the reward's coupon unless an order has used it."""
    for coupon in lock_coupons([reward.coupon_id]):
        if coupon.used_at is None and coupon.voided_at is None:
            coupon.voided_at = now
            coupon.save(update_fields=["voided_at"])


@step
def revoke_reward(*, order: Order, now: datetime) -> ShareReward | None:
    """Takes back the share reward of a completed order that has since been refunded (a quality
    claim, a complaint's ordered refund), pro rata to what all its refunds so far took off what
    the friend paid for the goods: points (never more than the sharer can still spend),
    cash-back (only what is still in his wallet, never below zero) and tier progress (then his
    tier is reviewed); a coupon reward is voided unless he has used it. Safe to call again after
    every refund: a call with no new refund changes nothing. Returns the reward, or None when
    the order earned none."""
    order = lock_order(order.pk)
    reward = ShareReward.objects.select_for_update().filter(order=order).first()
    if reward is None:
        return None
    reward.order = order
    base = max(order.total_fen - order.freight_fen, 0)  # paid_for_goods_fen when granted
    refunded = min(order.refunded_fen, base)
    if refunded <= reward.revoked_base_fen:
        return reward
    key = f"{reward.key}:{refunded}"
    due_points = tier_rules.points_due_back(reward.points, base, refunded)
    due_cashback = tier_rules.points_due_back(reward.cashback_fen, base, refunded)
    if due_points > reward.revoked_points:
        reward.taken_points += _take_points(
            reward=reward, due=due_points - reward.revoked_points, key=key, now=now
        )
    if due_cashback > reward.revoked_cashback_fen:
        reward.taken_cashback_fen += _take_cashback(
            reward=reward, due=due_cashback - reward.revoked_cashback_fen, key=key, now=now
        )
    if reward.coupon_id is not None:
        _void_coupon(reward, now)
    if reward.tier_fen:
        credit = TierCredit.objects.select_for_update().get(key=reward.key)
        credit.revoked_fen = tier_rules.points_due_back(credit.fen, base, refunded)
        credit.save(update_fields=["revoked_fen"])
        review_tier(
            customer_id=reward.sharer_id,
            reason=TierChange.Reason.SHARE_REWARD_REVOKED,
            reference=order.number,
            now=now,
        )
    reward.revoked_base_fen = refunded
    reward.revoked_points, reward.revoked_cashback_fen = due_points, due_cashback
    reward.save(
        update_fields=[
            "revoked_base_fen",
            "revoked_points",
            "taken_points",
            "revoked_cashback_fen",
            "taken_cashback_fen",
        ]
    )
    return reward


def describe_reward(rule: ShareRewardRule) -> str:
    """What a sharer gets for each friend's completed order, in words for the store and console."""
    amount = rule.amount
    if rule.reward == ShareRewardKind.POINTS_FIXED:
        return ngettext("%(n)d point", "%(n)d points", amount) % {"n": amount}
    if rule.reward == ShareRewardKind.POINTS_PER_YUAN:
        return ngettext(
            "%(n)d point per yuan the friend pays for the goods",
            "%(n)d points per yuan the friend pays for the goods",
            amount,
        ) % {"n": amount}
    if rule.reward == ShareRewardKind.CASHBACK_FIXED:
        return _("%(amount)s cash-back to your wallet") % {"amount": format_fen(amount)}
    if rule.reward == ShareRewardKind.CASHBACK_BP:
        return _("cash-back to your wallet of %(rate)s of what the friend pays for the goods") % {
            "rate": format_bp(amount)
        }
    if rule.reward == ShareRewardKind.COUPON and rule.coupon_template_id is not None:
        return _("a coupon: %(name)s") % {"name": rule.coupon_template.name}
    if rule.reward == ShareRewardKind.TIER_FIXED:
        return _("%(amount)s counted towards your member tier") % {"amount": format_fen(amount)}
    if rule.reward == ShareRewardKind.TIER_BP:
        return _(
            "%(rate)s of what the friend pays for the goods counted towards your member tier"
        ) % {"rate": format_bp(amount)}
    return ""
