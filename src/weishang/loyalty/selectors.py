"""Reads the member pages and checkout share: qualifying spend, tier, points and wallet history."""

from datetime import datetime, timedelta

from django.db.models import F, Sum, Value
from django.db.models.functions import Greatest

from weishang.orders.models import Order

from .models import LoyaltySettings, MemberStatus, MemberTier


def qualifying_spend_fen(customer_id: int, now: datetime, window_days: int | None = None) -> int:
    """What the customer paid for goods on orders paid within the brand's rolling period, less
    what was refunded, freight excluded; one query. Counts what ``earning._paid_goods_fen``
    counts for one order, so the two change together."""
    days = window_days or LoyaltySettings.current().tier_window_days
    total = Order.objects.filter(
        customer_id=customer_id, paid_at__gt=now - timedelta(days=days), paid_at__lte=now
    ).aggregate(fen=Sum(Greatest(F("total_fen") - F("freight_fen") - F("refunded_fen"), Value(0))))[
        "fen"
    ]
    return total or 0


def tiers() -> list[MemberTier]:
    return list(MemberTier.objects.order_by("threshold_fen"))


def member_status(customer_id: int) -> MemberStatus | None:
    return MemberStatus.objects.filter(customer_id=customer_id).select_related("tier").first()
