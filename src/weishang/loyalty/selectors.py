"""Reads for the share pages: a customer's own shares and what they earned, the brand's top
sharers, and the count behind the invitation to become a distributor (C→B)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from weishang.customers.models import Customer
from weishang.orders.models import Order, OrderLine, OrderStatus

from .models import CustomerShare, ShareReward, ShareRewardRule

ORDERS_SHOWN = 100  # a sharer's latest friends' orders on his page
STILL_EARNING = (
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


@dataclass
class ShareRow:
    """One of his links, with friends' orders through it (those that bought the product)."""

    share: CustomerShare | None
    orders: list = field(default_factory=list)


@dataclass(frozen=True)
class MyShares:
    rows: list[ShareRow]
    other_orders: list  # friends' orders through his links that bought none of the products
    points: int
    cashback_fen: int
    rewarded_orders: int


def my_shares(customer: Customer) -> MyShares:
    """Four queries whatever the numbers. Orders carry only what the sharer may see: date,
    status, the reward (``order.reward``, or None) and whether it may still earn one, never the
    friend's name or phone."""
    shares = list(CustomerShare.objects.filter(customer=customer).select_related("product"))
    orders = list(
        Order.objects.filter(shared_by=customer)
        .select_related("share_reward")
        .only("pk", "placed_at", "status", "refunded_fen", "share_reward")
        .order_by("-placed_at", "-pk")[:ORDERS_SHOWN]
    )
    bought: dict[int, set[int]] = {}
    for order_id, product_id in OrderLine.objects.filter(
        order_id__in=[order.pk for order in orders]
    ).values_list("order_id", "product_id"):
        bought.setdefault(order_id, set()).add(product_id)
    rows = [ShareRow(share) for share in shares]
    by_product = {row.share.product_id: row for row in rows}
    other = []
    for order in orders:
        order.reward = getattr(order, "share_reward", None)
        order.may_still_earn = order.reward is None and order.status in STILL_EARNING
        matched = [by_product[pid] for pid in bought.get(order.pk, ()) if pid in by_product]
        for row in matched:
            row.orders.append(order)
        if not matched:
            other.append(order)
    totals = ShareReward.objects.filter(sharer=customer).aggregate(
        points=Coalesce(Sum("points"), 0),
        cashback_fen=Coalesce(Sum("cashback_fen"), 0),
        rewarded=Count("pk"),
    )
    return MyShares(
        rows=rows,
        other_orders=other,
        points=totals["points"],
        cashback_fen=totals["cashback_fen"],
        rewarded_orders=totals["rewarded"],
    )


def completed_orders_through_shares(customer_id: int) -> int:
    """Friends' orders through his links that completed and were never refunded."""
    return Order.objects.filter(
        shared_by_id=customer_id, status=OrderStatus.COMPLETED, refunded_fen=0
    ).count()


def distributor_invitation(customer_id: int) -> int | None:
    """The completed orders his shares brought when they reach the brand's threshold (the
    account page then invites him to apply as a distributor), else None. Two queries."""
    completed = completed_orders_through_shares(customer_id)
    return completed if completed >= ShareRewardRule.current().invite_after_orders else None


def top_sharers(limit: int = 50) -> list[dict]:
    """The customers whose links brought the most completed orders, with what they earned: one
    query."""
    return list(
        Order.objects.filter(shared_by__isnull=False)
        .values("shared_by_id", "shared_by__mobile", "shared_by__nickname")
        .annotate(
            orders=Count("pk"),
            completed=Count("pk", filter=Q(status=OrderStatus.COMPLETED, refunded_fen=0)),
            points=Coalesce(Sum("share_reward__points"), 0),
            cashback_fen=Coalesce(Sum("share_reward__cashback_fen"), 0),
        )
        .order_by("-completed", "-orders", "shared_by_id")[:limit]
    )
