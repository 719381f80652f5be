"""Keeps the rollups in step with the orders, called by ``sales.services`` in the transaction that
changes the order: paid (queued for ``fold``), refunded (in part or in full), completed.
``recompute`` is the from-scratch definition each of these must agree with."""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime

from django.db.models import F, Sum
from django.utils import timezone

from weishang import bulk
from weishang.commissions.models import Commission
from weishang.distribution import presence
from weishang.orders.models import Order, OrderLine, OrderStatus

from . import fold
from .models import (
    ROLLUP_SHARDS,
    SALES_SHARDS,
    AnalyticsSettings,
    BuyerDay,
    CommissionDay,
    CustomerJourney,
    DistributorJourney,
    ProductDay,
    SalesDay,
    SoldProductDay,
)
from .recompute import NOT_EARNED, distributor_journey


def order_paid(*, order: Order) -> None:
    """A payment made the order paid: it counts on its day, its buyer is reached, and his month
    of ordering (and cohort) is recorded, at the next fold (``fold``), not in the payment's
    transaction."""
    fold.queue(order)


def _products_changed(order: Order, day: date, shard: int, changes: list[tuple[int, dict]]) -> None:
    bulk.add_all(
        ProductDay,
        [({"day": day, "product": product, "shard": shard}, change) for product, change in changes],
    )
    if order.distributor_id:
        bulk.add_all(
            SoldProductDay,
            [
                ({"day": day, "distributor": order.distributor_id, "product": product}, change)
                for product, change in changes
            ],
        )


def _net_commissions(order: Order) -> dict[int, int]:
    """What the order's commissions earn each distributor now, reversals taken off."""
    return dict(
        Commission.objects.filter(order_id=order.pk)
        .exclude(status__in=NOT_EARNED)
        .order_by()
        .values("distributor_id")
        .annotate(net=Sum(F("amount_fen") - F("reversed_fen")))
        .values_list("distributor_id", "net")
    )


def _commissions_earned(order: Order, day: date, before: Mapping[int, int]) -> None:
    shard = order.pk % ROLLUP_SHARDS
    after = _net_commissions(order)
    bulk.add_all(
        CommissionDay,
        [
            ({"day": day, "distributor": distributor_id, "shard": shard}, {"earned_fen": change})
            for distributor_id in sorted(before.keys() | after.keys())
            if (change := after.get(distributor_id, 0) - before.get(distributor_id, 0))
        ],
    )


@contextmanager
def reversing_commissions(*, order: Order) -> Iterator[None]:
    """Wraps a commission reversal on a paid order: what it reversed comes off the earnings of
    the day the order was paid."""
    fold.before_change(order.pk)
    before = _net_commissions(order)
    yield
    _commissions_earned(order, timezone.localdate(order.paid_at), before)


def lines_refunded(*, order: Order, units: Mapping[int, int], fen: Mapping[int, int]) -> None:
    """Goods came back (``{order_line_id: units}``) and were refunded (``{order_line_id: fen}``
    paid back for them): their products' refunds count on the day the order was paid."""
    fold.before_change(order.pk)
    day = timezone.localdate(order.paid_at)
    shard = order.pk % ROLLUP_SHARDS
    products = dict(OrderLine.objects.filter(pk__in=[*units, *fen]).values_list("pk", "product_id"))
    back = [
        (
            product_id,
            {
                "units": 0,
                "sales_fen": 0,
                "refunded_units": units.get(line_id, 0),
                "refunded_fen": fen.get(line_id, 0),
            },
        )
        for line_id, product_id in sorted(products.items())
    ]
    _products_changed(order, day, shard, back)


def order_refunded(*, order: Order, amount_fen: int) -> None:
    """``amount_fen`` more of the paid order was refunded (the order saved as it is now): its
    day's GMV goes down by it, and an order refunded in full no longer counts as an order. A
    completed order's distributor loses it from his completed sales."""
    fold.before_change(order.pk)
    day = timezone.localdate(order.paid_at)
    change = {
        "gmv_fen": F("gmv_fen") - amount_fen,
        "orders": F("orders") - (1 if order.status == OrderStatus.REFUNDED else 0),
    }
    BuyerDay.objects.filter(
        day=day, customer=order.customer_id, distributor=order.distributor_id or 0
    ).update(**change)
    SalesDay.objects.filter(day=day, shard=order.customer_id % SALES_SHARDS).update(**change)
    if not BuyerDay.objects.filter(day=day, customer=order.customer_id, orders__gt=0).exists():
        presence.unseen(presence.BUYER, day, order.customer_id)
    if order.completed_at is not None and order.distributor_id:
        distributor_journey(order.distributor_id)


def orders_completed(*, order_ids: Iterable[int], now: datetime) -> None:
    """Orders completed at ``now`` (those completed before, completing again after a claim, are
    left out): each buyer's completed orders, his friend's big-C step, the distributors'
    completed sales and their big-B step."""
    rows = list(
        Order.objects.filter(pk__in=list(order_ids), completed_at=now)
        .order_by("pk")
        .values_list("customer_id", "shared_by_id", "distributor_id", "total_fen", "refunded_fen")
    )
    if not rows:
        return
    people = {c for c, _s, _d, _t, _r in rows} | {s for _c, s, _d, _t, _r in rows if s}
    journeys = CustomerJourney.objects.in_bulk(people)
    for customer_id in people - journeys.keys():
        journeys[customer_id] = CustomerJourney.objects.create(customer=customer_id)
    sellers = {d for _c, _s, d, _t, _r in rows if d}
    sales = DistributorJourney.objects.in_bulk(sellers)
    for distributor_id in sellers - sales.keys():
        sales[distributor_id] = DistributorJourney.objects.create(distributor=distributor_id)
    threshold = AnalyticsSettings.current().big_b_threshold_fen
    for customer_id, shared_by_id, distributor_id, total_fen, refunded_fen in rows:
        buyer = journeys[customer_id]
        buyer.completed_orders += 1
        buyer.first_completed_at = buyer.first_completed_at or now
        if buyer.completed_orders >= 2:
            buyer.big_c_at = buyer.big_c_at or now
        if shared_by_id:
            journeys[shared_by_id].big_c_at = journeys[shared_by_id].big_c_at or now
        if distributor_id:
            seller = sales[distributor_id]
            seller.completed_sales_fen += total_fen - refunded_fen
            if seller.completed_sales_fen >= threshold:
                seller.big_b_at = seller.big_b_at or now
    CustomerJourney.objects.bulk_update(
        journeys.values(), ["completed_orders", "first_completed_at", "big_c_at"]
    )
    DistributorJourney.objects.bulk_update(sales.values(), ["completed_sales_fen", "big_b_at"])
