"""Reads of payments and refunds that pages, reconciliation and reports share."""

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from weishang.customers.selectors import wechat_openid

from .models import Payment, Refund
from .providers import wechatpay


def _unconfirmed(order) -> QuerySet[Refund]:
    return Refund.objects.filter(payment__order=order).exclude(status=Refund.Status.SUCCEEDED)


def refunds_in_progress(order) -> list[Refund]:
    """The order's refunds the provider has not confirmed yet: the customer sees them as in
    progress, not as refunded."""
    return list(_unconfirmed(order).only("number", "return_number", "amount_fen", "status"))


def with_refund_in_progress(orders: QuerySet) -> QuerySet:
    """``orders`` with ``refund_in_progress``: whether one of their refunds is unconfirmed. A
    subquery, so an order list stays one query however many orders it shows."""
    return orders.annotate(refund_in_progress=Exists(_unconfirmed(OuterRef("pk"))))


def unconfirmed_refunds(*, requested_before: datetime) -> QuerySet[Refund]:
    """Refunds requested before this instant that are still not confirmed by the provider."""
    return (
        Refund.objects.exclude(status=Refund.Status.SUCCEEDED)
        .filter(created_at__lt=requested_before)
        .select_related("payment__order")
        .order_by("created_at", "pk")
    )


def payments_of_orders_placed_between(first: datetime, last: datetime) -> dict[int, tuple]:
    """Per order placed in [first, last], (provider, transaction id, status) of the payment that
    succeeded, else of its latest attempt. Two bounds select a chunk of orders through the index
    on placing time (a few neighbours at the edges too)."""
    chosen: dict[int, tuple] = {}
    rows = (
        Payment.objects.filter(order__placed_at__gte=first, order__placed_at__lte=last)
        .order_by("order_id", "pk")
        .values_list("order_id", "provider", "provider_txn_id", "status")
    )
    for order_id, provider, txn_id, status in rows:
        current = chosen.get(order_id)
        if current is None or current[2] != Payment.Status.SUCCEEDED:
            chosen[order_id] = (provider, txn_id, status)
    return chosen


def refund_times_of_orders_placed_between(first: datetime, last: datetime) -> dict[int, list]:
    """Per order placed in [first, last], when each of its refunds was made, oldest first."""
    times: dict[int, list] = {}
    rows = (
        Refund.objects.filter(
            payment__order__placed_at__gte=first, payment__order__placed_at__lte=last
        )
        .order_by("created_at", "pk")
        .values_list("payment__order_id", "created_at")
    )
    for order_id, created_at in rows:
        times.setdefault(order_id, []).append(created_at)
    return times


def refunds_of_order(order) -> list[Refund]:
    """Every refund of the order, oldest first, for the customer's order page."""
    return list(
        Refund.objects.filter(payment__order=order)
        .only("number", "return_number", "amount_fen", "status", "created_at", "confirmed_at")
        .order_by("created_at", "pk")
    )


def wechat_payer(customer, channel: str = "jsapi") -> str | None:
    """The customer's openid under the appid of WeChat Pay's ``channel``: ``jsapi``, his WeChat
    sign-in in the official account; ``miniprogram``, his sign-in in the mini-program. None when
    WeChat Pay is not set up for the channel or he never signed in there."""
    return wechat_openid(customer.pk, wechatpay.app_ids().get(channel, ""))
