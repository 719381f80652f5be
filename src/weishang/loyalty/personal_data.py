"""The loyalty domain's part of a customer's personal data: his tier and its history, points and
their lots, the points and wallet movements in words, red packets, coupons, his share links and
what friends' orders through them earned (a friend's order by its date and status only, never
the friend). On closure his unused coupons and points lapse at once and his links stop
attributing; ledger transfers and the rewards and red packets they record are kept
(docs/personal-data.md)."""

from datetime import datetime, timedelta

from django.db.models import F
from django.db.models.functions import Least
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weishang.commissions.models import Account
from weishang.customers.models import Customer
from weishang.money import format_fen
from weishang.orders.models import Order

from . import selectors
from .expiry import forfeit_points
from .models import (
    Coupon,
    CustomerShare,
    MemberStatus,
    PointsLot,
    RedPacketRedemption,
    TierChange,
)

_ONE_SECOND = timedelta(seconds=1)


def _movements(customer_id: int, kind: str) -> list[dict]:
    return [
        {"at": t.created_at, "change": t.change, "reason": t.reason}
        for t in selectors.describe(selectors.history(customer_id, kind))
    ]


def personal_data_for(customer: Customer, *, now: datetime) -> dict:
    """His loyalty data as plain data, in a fixed number of queries."""
    status = MemberStatus.objects.filter(customer=customer).select_related("tier").first()
    changes = TierChange.objects.filter(customer=customer).select_related("from_tier", "to_tier")
    coupons = Coupon.objects.filter(customer=customer).select_related("template")
    shares = CustomerShare.objects.filter(customer=customer).select_related("product")
    friends_orders = (
        Order.objects.filter(shared_by=customer)
        .select_related("share_reward")
        .only("placed_at", "status", "share_reward")
        .order_by("placed_at", "pk")
    )
    return {
        "membership": status
        and {
            "tier": status.tier.name,
            "spend_fen": status.spend_fen,
            "reviewed_at": status.reviewed_at,
        },
        "tier_history": [
            {
                "from_tier": c.from_tier.name,
                "to_tier": c.to_tier.name,
                "spend_fen": c.spend_fen,
                "reason": c.reason,
                "order": c.reference,
                "at": c.at,
            }
            for c in changes
        ],
        "balances": selectors.balances(customer.pk),
        "points_lots": [
            {
                "reason": lot.reason,
                "points": lot.points,
                "remaining": lot.remaining,
                "expired": lot.expired,
                "granted_at": lot.granted_at,
                "expires_at": lot.expires_at,
            }
            for lot in PointsLot.objects.filter(customer=customer).order_by("granted_at", "pk")
        ],
        "points_history": _movements(customer.pk, Account.Kind.CUSTOMER_POINTS),
        "wallet_history": _movements(customer.pk, Account.Kind.CUSTOMER_WALLET),
        "red_packets": [
            {"offer": r.offer.name, "points": r.points, "amount_fen": r.amount_fen, "at": r.at}
            for r in RedPacketRedemption.objects.filter(customer=customer).select_related("offer")
        ],
        "coupons": [
            {
                "template": c.template.name,
                "source": c.source,
                "issued_at": c.issued_at,
                "valid_from": c.valid_from,
                "valid_until": c.valid_until,
                "status": c.status_at(now),
                "used_at": c.used_at,
                "order": c.order_number,
            }
            for c in coupons
        ],
        "shares": [{"product": s.product.name, "shared_at": s.created_at} for s in shares],
        # A friend's order is his, not the sharer's: its date, status and what it earned only.
        "orders_through_my_links": [_friends_order(o) for o in friends_orders],
    }


def _friends_order(order: Order) -> dict:
    reward = getattr(order, "share_reward", None)
    return {
        "placed_at": order.placed_at,
        "status": order.status,
        "reward_points": reward.points if reward else 0,
        "reward_cashback_fen": reward.cashback_fen if reward else 0,
        "rewarded_at": reward.granted_at if reward else None,
    }


def closure_notices(customer: Customer) -> list[str]:
    """What he gives up by closing, one sentence each, shown before he confirms."""
    held = selectors.balances(customer.pk)
    notices = []
    if held["points"] > 0:
        notices.append(
            ngettext(
                "You hold %(points)d point; closing your account gives it up at once.",
                "You hold %(points)d points; closing your account gives them up at once.",
                held["points"],
            )
            % {"points": held["points"]}
        )
    if held["wallet_fen"] > 0:
        notices.append(
            _(
                "Your cash-back wallet holds %(amount)s. It pays only towards orders and is not "
                "paid out, and a closed account cannot spend it: spend it on an order first if "
                "you want it. The brand's books keep what it owed your account."
            )
            % {"amount": format_fen(held["wallet_fen"])}
        )
    return notices


def erase_personal_data(customer: Customer, *, now: datetime) -> dict[str, int]:
    """Ends what a closed account would go on using: unused coupons lapse now, points are
    forfeited (expired now, on the ledger), his share links are deleted and the tier and its
    history go. Ledger transfers, points lots, red packets and share rewards are kept; the wallet
    balance stays on the ledger as it is. The caller holds the account's lock."""
    unused = Coupon.objects.filter(customer=customer, used_at__isnull=True, valid_until__gt=now)
    return {
        "coupons_voided": unused.update(
            valid_until=now, valid_from=Least(F("valid_from"), now - _ONE_SECOND)
        ),
        "points_forfeited": forfeit_points(customer_id=customer.pk, now=now),
        "share_links": CustomerShare.objects.filter(customer=customer).delete()[0],
        "tier_history": TierChange.objects.filter(customer=customer).delete()[0],
        "membership": MemberStatus.objects.filter(customer=customer).delete()[0],
        "wallet_kept_fen": selectors.balances(customer.pk)["wallet_fen"],
    }
