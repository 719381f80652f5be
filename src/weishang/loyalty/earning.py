"""Points earned on completed orders, and taken back pro rata when a completed order is refunded
later (a quality claim). The order's number is the grant's key, so completing it twice earns once.
"""

from datetime import datetime

from weishang.commissions import ledger
from weishang.commissions.locks import lock_customer_account
from weishang.commissions.models import Account
from weishang.orders.models import Order
from weishang.transactions import step

from . import tier_rules
from .models import LoyaltySettings, OrderPoints, PointsLot, PointsRevocation, TierChange
from .points import grant_points, spendable_points, take_from_lots
from .tiers import points_multiplier_bp, review_tier

Kind = Account.Kind


def _paid_goods_fen(order: Order) -> int:
    """What the customer paid for the goods of the order: freight and refunds left out. The one
    place to change when orders split the price into discounts, points and wallet money
    (``selectors.qualifying_spend_fen`` sums the same for many orders)."""
    return max(order.total_fen - order.freight_fen - order.refunded_fen, 0)


def order_key(order: Order) -> str:
    return f"order:{order.number}"


@step
def order_completed(*, order: Order, now: datetime) -> PointsLot | None:
    """Grants the points a completed order earns (its paid goods × points per yuan × the
    customer's tier multiplier, rounded down), once per order, then reviews his tier."""
    existing = OrderPoints.objects.filter(order=order).select_related("lot").first()
    lot = existing.lot if existing else None
    if existing is None:
        base = _paid_goods_fen(order)
        earned = tier_rules.points_earned(
            base,
            LoyaltySettings.current().points_per_yuan,
            points_multiplier_bp(order.customer_id),
        )
        if earned > 0:
            lot = grant_points(
                customer_id=order.customer_id,
                points=earned,
                key=order_key(order),
                reason=order.number,
                now=now,
            )
            OrderPoints.objects.create(
                order=order, customer_id=order.customer_id, lot=lot, base_fen=base, points=earned
            )
    review_tier(
        customer_id=order.customer_id,
        reason=TierChange.Reason.ORDER_COMPLETED,
        reference=order.number,
        now=now,
    )
    return lot


@step
def revoke_order_points(*, order: Order, refunded_fen: int, key: str, now: datetime) -> int:
    """Takes back the points a completed order earned, pro rata to ``refunded_fen`` of the paid
    goods it earned them on, once per ``key``; never more than the customer can still spend, so
    his balance never goes negative (points already spent stay spent). Returns the points taken.
    """
    account = lock_customer_account(customer_id=order.customer_id, kind=Kind.CUSTOMER_POINTS)
    earning = OrderPoints.objects.select_for_update().filter(order=order).first()
    if earning is None or PointsRevocation.objects.filter(key=key).exists():
        return 0
    refunded = min(max(refunded_fen, 0), earning.base_fen - earning.revoked_base_fen)
    due_total = tier_rules.points_due_back(
        earning.points, earning.base_fen, earning.revoked_base_fen + refunded
    )
    due = due_total - earning.revoked_points
    taken = min(due, spendable_points(order.customer_id, now))
    if taken:
        take_from_lots(customer_id=order.customer_id, points=taken, key=f"revoke:{key}", now=now)
        ledger.transfer(
            debit=account,
            credit=ledger.brand_account(Kind.POINTS_ISSUED),
            amount_fen=taken,
            key=f"points-revoke:{key}",
            kind="points_revoke",
            now=now,
            memo=order.number,
        )
    earning.revoked_base_fen += refunded
    earning.revoked_points = due_total
    earning.taken_points += taken
    earning.save(update_fields=["revoked_base_fen", "revoked_points", "taken_points"])
    PointsRevocation.objects.create(
        key=key, earning=earning, refunded_fen=refunded, due_points=due, taken_points=taken, at=now
    )
    return taken
