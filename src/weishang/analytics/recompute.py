"""The rollups built from scratch out of the orders: the definition ``rollups`` keeps
incrementally, used to fill them after bulk loading (``weishang generate``), after the big-B
threshold changes, and by the tests that hold the two to each other."""

from django.db import transaction
from django.db.models import Case, Count, F, Min, OuterRef, Q, Subquery, Sum, When, Window
from django.db.models.functions import Coalesce, Mod, TruncDate, TruncMonth

from weishang import bulk
from weishang.commissions.models import Commission
from weishang.distribution import presence, reach
from weishang.orders.models import Order, OrderLine, OrderStatus

from .models import (
    COHORT_SHARDS,
    ROLLUP_SHARDS,
    SALES_SHARDS,
    AnalyticsSettings,
    BuyerDay,
    BuyerMonth,
    CohortMonth,
    CommissionDay,
    CustomerJourney,
    DistributorJourney,
    ProductDay,
    SalesDay,
    SoldProductDay,
    UnfoldedOrder,
)

BATCH = 10_000


def _paid_orders():
    return Order.objects.filter(paid_at__isnull=False).order_by()


def buyer_days() -> None:
    BuyerDay.objects.all().delete()
    rows = (
        _paid_orders()
        .annotate(d=TruncDate("paid_at"), seller=Coalesce("distributor_id", 0))
        .values("d", "customer_id", "seller")
        .annotate(
            n=Count("pk", filter=~Q(status=OrderStatus.REFUNDED)),
            gmv=Sum(F("total_fen") - F("refunded_fen")),
        )
    )
    bulk.insert_from(BuyerDay, ["day", "customer", "distributor", "orders", "gmv_fen"], rows)
    sales_days()


def sales_days() -> None:
    """From the buyer days: the brand's daily totals, and the buyers seen each day."""
    SalesDay.objects.all().delete()
    days = (
        BuyerDay.objects.order_by()
        .annotate(shard=Mod("customer", SALES_SHARDS))
        .values("day", "shard")
        .annotate(n=Sum("orders"), gmv=Sum("gmv_fen"))
    )
    bulk.insert_from(SalesDay, ["day", "shard", "orders", "gmv_fen"], days)
    kept = BuyerDay.objects.filter(orders__gt=0).order_by()
    presence.rebuild(
        presence.BUYER, kept.annotate(d=F("day"), p=F("customer")).values("d", "p").distinct()
    )


def cohorts() -> None:
    """From the buyer days: each customer's months of ordering, his cohort, the cohort counts."""
    BuyerMonth.objects.all().delete()
    CohortMonth.objects.all().delete()
    months = (
        BuyerDay.objects.order_by()
        .annotate(m=TruncMonth("day"))
        .values("customer", "m")
        .annotate(first=F("m"))
        .values_list("customer", "m", "m")
        .distinct()
    )
    bulk.insert_from(BuyerMonth, ["customer", "month", "cohort"], months)
    BuyerMonth.objects.update(
        cohort=Subquery(
            BuyerMonth.objects.filter(customer=OuterRef("customer"))
            .order_by("month")
            .values("month")[:1]
        )
    )
    counts = (
        BuyerMonth.objects.order_by()
        .annotate(shard=Mod("customer", COHORT_SHARDS))
        .values("cohort", "month", "shard")
        .annotate(n=Count("pk"))
    )
    bulk.insert_from(CohortMonth, ["cohort", "month", "shard", "customers"], counts)


def customer_journeys() -> None:
    """Completed orders per customer, the first; big C at his second completed order or the
    first completed order his share link brought, whichever came first."""
    CustomerJourney.objects.all().delete()
    completed = Order.objects.filter(completed_at__isnull=False).order_by()
    journeys: dict[int, CustomerJourney] = {}
    for customer_id, count, first in (
        completed.values("customer_id")
        .annotate(n=Count("pk"), first=Min("completed_at"))
        .values_list("customer_id", "n", "first")
    ):
        journeys[customer_id] = CustomerJourney(
            customer=customer_id, completed_orders=count, first_completed_at=first
        )
    second = (
        completed.annotate(
            rank=Window(
                Count("pk"),
                partition_by=[F("customer_id")],
                order_by=[F("completed_at").asc(), F("pk").asc()],
            )
        )
        .filter(rank=2)
        .values_list("customer_id", "completed_at")
    )
    for customer_id, at in second:
        journeys[customer_id].big_c_at = at
    for customer_id, at in (
        completed.filter(shared_by_id__isnull=False)
        .values("shared_by_id")
        .annotate(first=Min("completed_at"))
        .values_list("shared_by_id", "first")
    ):
        journey = journeys.setdefault(customer_id, CustomerJourney(customer=customer_id))
        journey.big_c_at = min(journey.big_c_at or at, at)
    CustomerJourney.objects.bulk_create(journeys.values(), batch_size=BATCH)


def _completed_sales(distributor_ids=None):
    orders = Order.objects.filter(completed_at__isnull=False, distributor_id__isnull=False)
    if distributor_ids is not None:
        orders = orders.filter(distributor_id__in=distributor_ids)
    return orders.order_by().annotate(kept=F("total_fen") - F("refunded_fen"))


def _journeys_of(orders) -> list[DistributorJourney]:
    threshold = AnalyticsSettings.current().big_b_threshold_fen
    journeys = {
        distributor_id: DistributorJourney(distributor=distributor_id, completed_sales_fen=sales)
        for distributor_id, sales in orders.values("distributor_id")
        .annotate(sales=Sum("kept"))
        .values_list("distributor_id", "sales")
    }
    crossings = (
        orders.annotate(
            running=Window(
                Sum("kept"),
                partition_by=[F("distributor_id")],
                order_by=[F("completed_at").asc(), F("pk").asc()],
            ),
            before=Window(
                Sum("kept"),
                partition_by=[F("distributor_id")],
                order_by=[F("completed_at").asc(), F("pk").asc()],
            )
            - F("kept"),
        )
        .filter(running__gte=threshold, before__lt=threshold)
        .values_list("distributor_id", "completed_at")
    )
    for distributor_id, at in crossings:
        journeys[distributor_id].big_b_at = at
    return list(journeys.values())


def distributor_journeys() -> None:
    DistributorJourney.objects.all().delete()
    DistributorJourney.objects.bulk_create(_journeys_of(_completed_sales()), batch_size=BATCH)


def distributor_journey(distributor_id: int) -> None:
    """One distributor's completed sales and big-B step, again from his completed orders."""
    DistributorJourney.objects.filter(distributor=distributor_id).delete()
    DistributorJourney.objects.bulk_create(_journeys_of(_completed_sales([distributor_id])))


def product_days() -> None:
    """Each product's units and sales by the day its orders were paid, with what came back: a
    paid order cancelled gave back every unit and all it paid; a return or a quality claim its
    units and their share of the line (shares taken as cumulative floors, as refunds take them).
    A refund a complaint ordered names no goods and counts in no product's refunds."""
    ProductDay.objects.all().delete()
    SoldProductDay.objects.all().delete()
    lines = OrderLine.objects.filter(order__paid_at__isnull=False).order_by()
    cancelled = Q(order__cancelled_at__isnull=False)
    figures = {
        "n": Sum("quantity"),
        "sales": Sum("paid_fen"),
        "back": Sum(Case(When(cancelled, then=F("quantity")), default=F("returned_quantity"))),
        "back_fen": Sum(
            Case(
                When(cancelled, then=F("paid_fen")),
                default=F("paid_fen") * F("returned_quantity") / F("quantity"),
            )
        ),
    }
    columns = ["units", "sales_fen", "refunded_units", "refunded_fen"]
    rows = (
        lines.annotate(d=TruncDate("order__paid_at"), shard=Mod("order_id", ROLLUP_SHARDS))
        .values("d", "product_id", "shard")
        .annotate(**figures)
        .values_list("d", "product_id", "shard", *figures)
    )
    bulk.insert_from(ProductDay, ["day", "product", "shard", *columns], rows)
    sold = (
        lines.filter(order__distributor_id__isnull=False)
        .annotate(d=TruncDate("order__paid_at"))
        .values("d", "order__distributor_id", "product_id")
        .annotate(**figures)
        .values_list("d", "order__distributor_id", "product_id", *figures)
    )
    bulk.insert_from(SoldProductDay, ["day", "distributor", "product", *columns], sold)


# Commission never earned: the order was not paid, or the brand rejected it after review.
NOT_EARNED = [
    Commission.Status.AWAITING_PAYMENT,
    Commission.Status.VOID,
    Commission.Status.REJECTED,
]


def commission_days() -> None:
    """What each distributor earned on the orders paid each day, less what refunds reversed and
    what the brand rejected."""
    CommissionDay.objects.all().delete()
    rows = (
        Commission.objects.filter(order__paid_at__isnull=False)
        .exclude(status__in=NOT_EARNED)
        .order_by()
        .annotate(d=TruncDate("order__paid_at"), shard=Mod("order_id", ROLLUP_SHARDS))
        .values("d", "distributor_id", "shard")
        .annotate(net=Sum(F("amount_fen") - F("reversed_fen")))
        .values_list("d", "distributor_id", "shard", "net")
    )
    bulk.insert_from(CommissionDay, ["day", "distributor", "shard", "earned_fen"], rows)


@transaction.atomic
def rebuild() -> None:
    """Every rollup from scratch (paid orders waiting to be folded included)."""
    UnfoldedOrder.objects.all().delete()
    reach.rebuild()
    buyer_days()
    cohorts()
    customer_journeys()
    distributor_journeys()
    product_days()
    commission_days()
