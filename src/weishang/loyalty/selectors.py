"""Reads the member and share pages and checkout share: qualifying spend, tier, points and
wallet history; a customer's own shares and what they earned, the brand's top sharers, and the
count behind the invitation to become a distributor (C→B)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from weishang.commissions import ledger
from weishang.commissions.models import Account, Transfer
from weishang.customers.models import Customer
from weishang.orders.models import Order, OrderLine, OrderStatus

from . import tier_rules
from .models import (
    CustomerShare,
    LoyaltySettings,
    MemberStatus,
    MemberTier,
    PointsLot,
    ShareReward,
    ShareRewardRule,
    TierChange,
    TierCredit,
)
from .points import spendable_points

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


def qualifying_spend_fen(customer_id: int, now: datetime, window_days: int | None = None) -> int:
    """What the customer paid for goods on orders paid within the brand's rolling period, less
    what was refunded, freight excluded, plus the tier progress share rewards granted him within
    the period (less what was taken back); one query. Counts what ``earning._paid_goods_fen``
    counts for one order, so the two change together."""
    days = window_days or LoyaltySettings.current().tier_window_days
    since = now - timedelta(days=days)
    paid = (
        Order.objects.filter(customer_id=OuterRef("pk"), paid_at__gt=since, paid_at__lte=now)
        .order_by()
        .values("customer_id")
        .annotate(
            fen=Sum(Greatest(F("total_fen") - F("freight_fen") - F("refunded_fen"), Value(0)))
        )
        .values("fen")
    )
    credited = (
        TierCredit.objects.filter(
            customer_id=OuterRef("pk"), granted_at__gt=since, granted_at__lte=now
        )
        .order_by()
        .values("customer_id")
        .annotate(fen=Sum(F("fen") - F("revoked_fen")))
        .values("fen")
    )
    spend = BigIntegerField()
    total = (
        Customer.objects.filter(pk=customer_id)
        .order_by()
        .annotate(
            spend=Coalesce(Subquery(paid, output_field=spend), Value(0), output_field=spend)
            + Coalesce(Subquery(credited, output_field=spend), Value(0), output_field=spend)
        )
        .values_list("spend", flat=True)
        .first()
    )
    return total or 0


def tier_credits(customer_id: int) -> QuerySet[TierCredit]:
    """The tier progress share rewards gave him, newest first, each with ``counting_fen`` (what
    still counts after refunds) and ``counts_until`` set by ``with_windows``."""
    return TierCredit.objects.filter(customer_id=customer_id).annotate(
        counting_fen=F("fen") - F("revoked_fen")
    )


def with_windows(credits, window_days: int) -> list[TierCredit]:
    """The credits, each with ``counts_until``: the end of the rolling period it counts in."""
    rows = list(credits)
    for credit in rows:
        credit.counts_until = credit.granted_at + timedelta(days=window_days)
    return rows


def tiers() -> list[MemberTier]:
    return list(MemberTier.objects.order_by("threshold_fen"))


@dataclass(frozen=True)
class Membership:
    """His membership as his page shows it: the tier he holds (None while the brand has no
    tiers), every tier, his qualifying spend over the rolling period and how far it is to the
    next tier (``next_tier`` None at the top)."""

    tiers: list[MemberTier]
    tier: MemberTier | None
    spend_fen: int
    window_days: int
    next_tier: MemberTier | None
    needed_fen: int
    progress_pc: int


def membership(customer_id: int, now: datetime) -> Membership:
    all_tiers = tiers()
    tier = current_tier(customer_id)
    window_days = LoyaltySettings.current().tier_window_days
    spend = qualifying_spend_fen(customer_id, now, window_days)
    thresholds = [t.threshold_fen for t in all_tiers]
    held = all_tiers.index(tier) if tier in all_tiers else 0
    next_index, needed = (
        tier_rules.to_next_tier(spend, thresholds, held) if all_tiers else (None, 0)
    )
    return Membership(
        tiers=all_tiers,
        tier=tier,
        spend_fen=spend,
        window_days=window_days,
        next_tier=all_tiers[next_index] if next_index is not None else None,
        needed_fen=needed,
        progress_pc=tier_rules.progress_bp(spend, thresholds, held) // 100 if all_tiers else 0,
    )


def tier_changes(customer_id: int) -> QuerySet[TierChange]:
    """His tier's changes, newest first, with both tiers."""
    return (
        TierChange.objects.filter(customer_id=customer_id)
        .select_related("from_tier", "to_tier")
        .order_by("-at", "-pk")
    )


def member_status(customer_id: int) -> MemberStatus | None:
    return MemberStatus.objects.filter(customer_id=customer_id).select_related("tier").first()


def _describe(transfer: Transfer) -> str:
    """What a points or wallet movement was, in the customer's words: from its kind and the
    key's scheme (``points-grant:order:…`` is an order's points), never the account's name."""
    kind, key, memo = transfer.kind, transfer.idempotency_key, transfer.memo
    if kind == "points_grant":
        if key.startswith("points-grant:order:"):
            return _("Order %(number)s completed") % {"number": memo}
        if key.startswith("points-grant:award:"):
            return _("Awarded by the brand: %(reason)s") % {"reason": memo}
        return _("Reward: %(reason)s") % {"reason": memo}
    if kind in ("points_revoke", "wallet_revoke") and ":share:" in key:
        return _("Taken back: your friend's order %(number)s was refunded") % {"number": memo}
    if kind in ("points_spend", "wallet_credit") and ":redpacket:" in key:
        return _("Red packet: %(name)s") % {"name": memo}
    return {
        "points_spend": _("Spent: %(reason)s"),
        "points_return": _("Given back: %(reason)s"),
        "points_expire": _("Expired (granted for: %(reason)s)"),
        "points_revoke": _("Taken back: order %(reason)s refunded"),
        "wallet_credit": _("Cash-back: %(reason)s"),
        "wallet_spend": _("Paid towards an order: %(reason)s"),
        "wallet_refund": _("Refunded to your wallet: %(reason)s"),
    }.get(kind, "%(reason)s") % {"reason": memo}


def history(customer_id: int, kind: str) -> QuerySet[Transfer]:
    """The movements of the customer's points or wallet account, newest first, each with
    ``change`` (+ in, − out); ``describe`` says what it was."""
    account = Account.objects.filter(customer_id=customer_id, kind=kind).values("pk")
    return (
        Transfer.objects.filter(Q(debit_id__in=account) | Q(credit_id__in=account))
        .annotate(
            change=Case(
                When(credit_id__in=account, then=F("amount_fen")),
                default=-F("amount_fen"),
            )
        )
        .order_by("-created_at", "-pk")
    )


def describe(transfers) -> list:
    """The page's rows: each transfer with ``reason`` in words."""
    rows = list(transfers)
    for transfer in rows:
        transfer.reason = _describe(transfer)
    return rows


def next_expiry(customer_id: int, now: datetime) -> dict | None:
    """The points that expire first and when: {"points", "at"}, or None."""
    row = (
        PointsLot.objects.filter(customer_id=customer_id, remaining__gt=0, expires_at__gt=now)
        .values("expires_at")
        .annotate(points=Sum("remaining"))
        .order_by("expires_at")
        .first()
    )
    return {"points": row["points"], "at": row["expires_at"]} if row else None


def current_tier(customer_id: int) -> MemberTier | None:
    """The stored tier, or the lowest tier for a customer not yet reviewed."""
    status = member_status(customer_id)
    if status is not None:
        return status.tier
    return MemberTier.objects.order_by("threshold_fen").first()


def balances(customer_id: int) -> dict[str, int]:
    """The customer's points and wallet balances, ``{"points": …, "wallet_fen": …}``, in one
    query and without making his accounts (a page that reads must not write)."""
    rows = ledger.accounts_with_balances(
        Account.objects.filter(customer_id=customer_id, kind__in=Account.CUSTOMER_KINDS)
    ).values_list("kind", "received_fen", "given_fen")
    found = {kind: received - given for kind, received, given in rows}
    return {
        "points": found.get(Account.Kind.CUSTOMER_POINTS, 0),
        "wallet_fen": found.get(Account.Kind.CUSTOMER_WALLET, 0),
    }


def member_summary(customer_id: int, now: datetime, *, history_rows: int = 10) -> dict:
    """What the console shows of a customer's membership: tier, the spend it was reviewed on,
    points (held and spendable), wallet and the latest points movements in words."""
    status = member_status(customer_id)
    return {
        "tier": status.tier if status else MemberTier.objects.order_by("threshold_fen").first(),
        "spend_fen": status.spend_fen if status else None,
        "reviewed_at": status.reviewed_at if status else None,
        **balances(customer_id),
        "spendable": spendable_points(customer_id, now),
        "history": describe(history(customer_id, Account.Kind.CUSTOMER_POINTS)[:history_rows])
        if history_rows
        else [],
    }
