"""Share rewards (分享有礼, COMPLIANCE.md §2): the brand's rule, checked when saved, and the reward
a sharer gets once a friend's order through his link completes without any return or refund."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weishang.commissions.rules import format_bp
from weishang.compliance import audit
from weishang.money import format_fen
from weishang.orders.locks import lock_order
from weishang.orders.models import ClaimStatus, Order, OrderStatus, ReturnStatus
from weishang.transactions import step

from . import points, wallet
from .errors import LoyaltyError
from .models import ShareReward, ShareRewardKind, ShareRewardRule
from .reward_rules import RewardRuleDraft, check_reward_rule, reward_for
from .share_links import sharer


def draft_from_rule(rule: ShareRewardRule) -> RewardRuleDraft:
    return RewardRuleDraft(
        trigger=rule.trigger,
        reward=rule.reward,
        amount=rule.amount,
        invite_after_orders=rule.invite_after_orders,
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
            "invite_after_orders": before.invite_after_orders,
        },
        after={
            "reward": rule.reward,
            "amount": rule.amount,
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
    once, under the key ``share:<order number>``. Returns the reward (the same one on a repeat
    call), or None when the order earns nothing: no sharer, not completed, refunded or returned
    in any part, the sharer's account closed, no reward in the rule, or a reward that rounds down
    to nothing."""
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
    granted_points, cashback_fen = reward_for(
        reward=rule.reward, amount=rule.amount, paid_fen=paid_for_goods_fen(order)
    )
    if not (granted_points or cashback_fen):
        return None
    key = f"share:{order.number}"
    reason = _("Share reward: a friend's order through your link completed")
    if granted_points:
        points.grant_points(
            customer_id=order.shared_by_id, points=granted_points, key=key, reason=reason, now=now
        )
    if cashback_fen:
        wallet.credit_wallet(
            customer_id=order.shared_by_id, amount_fen=cashback_fen, key=key, reason=reason, now=now
        )
    return ShareReward.objects.create(
        order=order,
        sharer_id=order.shared_by_id,
        rule=rule,
        key=key,
        points=granted_points,
        cashback_fen=cashback_fen,
        granted_at=now,
    )


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
    return ""
