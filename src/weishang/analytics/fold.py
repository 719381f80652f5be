"""Counts paid orders in the rollups after the payment's transaction, many at a time.

A payment only queues its order (``queue``: one insert in its transaction). ``fold`` counts the
queued orders in a few set-wise statements per batch, whatever the batch's size. It runs from
``weishang fold_rollups`` (every few seconds beside the web servers), before a page reads the
rollups (``@folded``), and first thing in any later change to a queued order's rollups (a refund,
a commission reversal: ``rollups`` folds the order before changing what its payment counted).
Folds run one at a time: a transaction-level advisory lock on PostgreSQL, SQLite's one writer."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import wraps

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from weishang import bulk
from weishang.commissions.models import Commission
from weishang.distribution import presence, reach
from weishang.orders.models import Order, OrderLine

from .models import (
    COHORT_SHARDS,
    ROLLUP_SHARDS,
    SALES_SHARDS,
    BuyerDay,
    BuyerMonth,
    CohortMonth,
    CommissionDay,
    ProductDay,
    SalesDay,
    SoldProductDay,
    UnfoldedOrder,
)
from .recompute import NOT_EARNED

BATCH = 1000
# pg_advisory_xact_lock's key: "fold" in ASCII.
LOCK_KEY = 0x666F6C64


def queue(order: Order) -> None:
    """The order was paid: it is counted at the next fold."""
    UnfoldedOrder.objects.create(order=order.pk)


def fold(*, order_ids: Iterable[int] | None = None, wait: bool = True) -> int:
    """Counts the queued orders (those of ``order_ids`` only, if given), ``BATCH`` at a time, and
    returns how many. With ``wait`` false it gives up at once (0) while another fold runs."""
    pending = UnfoldedOrder.objects.order_by("order")
    if order_ids is not None:
        pending = pending.filter(order__in=list(order_ids))
    if not pending.exists():
        return 0
    folded = 0
    while True:
        with transaction.atomic():
            if not _lock(wait):
                return folded
            ids = list(pending.values_list("order", flat=True)[:BATCH])
            if not ids:
                return folded
            _count(ids)
            UnfoldedOrder.objects.filter(order__in=ids).delete()
        folded += len(ids)


def before_change(order_id: int) -> None:
    """In a transaction about to change what a paid order counts: no fold runs until it commits,
    and the order's payment is counted first if it is still queued."""
    _lock(wait=True)
    if UnfoldedOrder.objects.filter(order=order_id).exists():
        _count([order_id])
        UnfoldedOrder.objects.filter(order=order_id).delete()


def folded(view):
    """A view that reads the rollups: what is queued is counted first (unless a fold is running
    already, which will have counted it in a moment)."""

    @wraps(view)
    def reading(request, *args, **kwargs):
        fold(wait=False)
        return view(request, *args, **kwargs)

    return reading


def _lock(wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


def _count(ids: list[int]) -> None:
    """What ``recompute`` counts of these paid orders, added to the rollups: each order on the
    day it was paid, its buyer reached and seen buying, his month of ordering (and cohort), its
    lines' products, and the commission it earns."""
    orders = list(
        Order.objects.filter(pk__in=ids)
        .order_by("paid_at", "pk")
        .values_list("pk", "customer_id", "distributor_id", "paid_at", "total_fen")
    )
    day = {pk: timezone.localdate(paid_at) for pk, _c, _d, paid_at, _t in orders}
    # As its payment found it: a refund changing the order in the transaction that folds it
    # first (``before_change``) takes itself off the rollups afterwards.
    paid = [
        (day[pk], customer, distributor or 0, total)
        for pk, customer, distributor, _p, total in orders
    ]
    bulk.add_all(
        BuyerDay,
        [
            ({"day": d, "customer": customer, "distributor": seller}, {"orders": 1, "gmv_fen": gmv})
            for d, customer, seller, gmv in paid
        ],
    )
    bulk.add_all(
        SalesDay,
        [
            ({"day": d, "shard": customer % SALES_SHARDS}, {"orders": 1, "gmv_fen": gmv})
            for d, customer, _s, gmv in paid
        ],
    )
    reach.buyers_reached([(seller, customer, d) for d, customer, seller, _g in paid])
    presence.seen_all(presence.BUYER, [(customer, d) for d, customer, _s, _g in paid])
    _months([(customer, d.replace(day=1)) for d, customer, _s, _g in paid])
    seller_of = {pk: distributor for pk, _c, distributor, _p, _t in orders if distributor}
    _products(day, seller_of)
    _commissions(day, seller_of)


def _months(bought: list[tuple[int, date]]) -> None:
    """Each buyer's months of ordering: a month new to him is recorded with his cohort (the month
    of his first), and his cohort counts one more customer that month. A month before his first
    (a late payment) moves him, every month of his, to the earlier cohort."""
    known: dict[int, dict[date, date]] = defaultdict(dict)
    for customer, month, cohort in BuyerMonth.objects.filter(
        customer__in={customer for customer, _m in bought}
    ).values_list("customer", "month", "cohort"):
        known[customer][month] = cohort
    new: dict[int, set[date]] = defaultdict(set)
    for customer, month in bought:
        if month not in known[customer]:
            new[customer].add(month)
    rows, counts = [], []
    for customer, months in sorted(new.items()):
        had = known[customer]
        cohort = min([*had.values(), *months])
        if had and cohort < min(had.values()):
            BuyerMonth.objects.filter(customer=customer).update(cohort=cohort)
            for month, before in had.items():
                counts += [(customer, before, month, -1), (customer, cohort, month, 1)]
        rows += [{"customer": customer, "month": m, "cohort": cohort} for m in sorted(months)]
    cohort_of = {(row["customer"], row["month"]): row["cohort"] for row in rows}
    inserted = bulk.insert_new(BuyerMonth, rows, unique=["customer", "month"])
    counts += [(customer, cohort_of[customer, month], month, 1) for customer, month in inserted]
    bulk.add_all(
        CohortMonth,
        [
            (
                {"cohort": cohort, "month": month, "shard": customer % COHORT_SHARDS},
                {"customers": change},
            )
            for customer, cohort, month, change in counts
        ],
    )


def _products(day: dict[int, date], seller_of: dict[int, int]) -> None:
    """Each line's units and what the payment paid for them count for its product on the day;
    the distributor credited with the order sold the product that day."""
    lines = (
        OrderLine.objects.filter(order_id__in=list(day))
        .order_by("order_id", "pk")
        .values_list("order_id", "product_id", "quantity", "paid_fen")
    )
    sold = defaultdict(list)
    for order_id, product_id, quantity, paid_fen in lines:
        sold[order_id].append((product_id, quantity, paid_fen))
    bulk.add_all(
        ProductDay,
        [
            ({"day": day[o], "product": p, "shard": o % ROLLUP_SHARDS}, _sold(units, fen))
            for o, products in sold.items()
            for p, units, fen in products
        ],
    )
    bulk.add_all(
        SoldProductDay,
        [
            ({"day": day[o], "distributor": seller_of[o], "product": p}, _sold(units, fen))
            for o, products in sold.items()
            if o in seller_of
            for p, units, fen in products
        ],
    )


def _sold(units: int, fen: int) -> dict:
    return {"units": units, "sales_fen": fen, "refunded_units": 0, "refunded_fen": 0}


def _commissions(day: dict[int, date], seller_of: dict[int, int]) -> None:
    """What each order's commissions earn each distributor, on the day it was paid (commission is
    only ever earned on a distributor's order)."""
    earned = (
        Commission.objects.filter(order_id__in=list(seller_of))
        .exclude(status__in=NOT_EARNED)
        .order_by()
        .values("order_id", "distributor_id")
        .annotate(net=Sum(F("amount_fen") - F("reversed_fen")))
        .values_list("order_id", "distributor_id", "net")
    )
    bulk.add_all(
        CommissionDay,
        [
            (
                {"day": day[o], "distributor": distributor, "shard": o % ROLLUP_SHARDS},
                {"earned_fen": net},
            )
            for o, distributor, net in earned
            if net
        ],
    )
