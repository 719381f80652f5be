"""The rollups the sales services keep step by step equal the rollups built from scratch out of
the orders, after any sequence of visits, orders, payments, cancellations, returns, quality-claim
refunds and completions; and on hand-built orders they hold the figures a person would count."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.helpers import bought, deliver, pay, png_upload, returned
from weishang.analytics import fold, recompute
from weishang.analytics.models import (
    BuyerDay,
    BuyerMonth,
    CohortMonth,
    CommissionDay,
    CustomerJourney,
    DistributorJourney,
    ProductDay,
    SalesDay,
    SoldProductDay,
)
from weishang.commissions.models import CommissionPlan
from weishang.core_errors import DomainError
from weishang.distribution import binding, reach
from weishang.distribution.models import FirstSeen, Presence, Reach, SharedProductDay, ShareSource
from weishang.orders import claims
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db

AFTER_WINDOW = timedelta(days=9)


def snapshot() -> dict:
    """Every rollup's rows, as comparable tuples."""
    return {
        "buyer_days": sorted(
            BuyerDay.objects.filter(orders__gt=0).values_list(
                "day", "customer", "distributor", "orders", "gmv_fen"
            )
        )
        + sorted(
            BuyerDay.objects.filter(orders=0).values_list(
                "day", "customer", "distributor", "gmv_fen"
            )
        ),
        "sales_days": sorted(
            row
            for row in SalesDay.objects.values_list("day", "shard", "orders", "gmv_fen")
            if any(row[2:])
        ),
        "buyer_months": sorted(BuyerMonth.objects.values_list("customer", "month", "cohort")),
        "cohorts": sorted(
            (c, m, s, n)
            for c, m, s, n in CohortMonth.objects.values_list(
                "cohort", "month", "shard", "customers"
            )
            if n
        ),
        "reach": sorted(Reach.objects.values_list("day", "distributor", "person", "opened")),
        "presence": sorted(Presence.objects.values_list("kind", "day", "person", "since")),
        "first_seen": sorted(
            row
            for row in FirstSeen.objects.values_list("kind", "day", "since", "shard", "people")
            if row[-1]
        ),
        "customers": sorted(
            CustomerJourney.objects.values_list(
                "customer", "completed_orders", "first_completed_at", "big_c_at"
            )
        ),
        "distributors": sorted(
            DistributorJourney.objects.values_list("distributor", "completed_sales_fen", "big_b_at")
        ),
        "products": sorted(
            ProductDay.objects.values_list(
                "day", "product", "shard", "units", "sales_fen", "refunded_units", "refunded_fen"
            )
        ),
        "sold": sorted(
            SoldProductDay.objects.values_list(
                "day",
                "distributor",
                "product",
                "units",
                "sales_fen",
                "refunded_units",
                "refunded_fen",
            )
        ),
        "shared": sorted(SharedProductDay.objects.values_list("day", "distributor", "product")),
        "commissions": sorted(
            CommissionDay.objects.exclude(earned_fen=0).values_list(
                "day", "distributor", "shard", "earned_fen"
            )
        ),
    }


who = st.integers(0, 2)
idx = st.integers(0, 5)
steps_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("visit"), who, st.booleans(), st.booleans()),
        st.tuples(st.just("wait"), st.integers(1, 20)),
        st.tuples(st.just("place"), who, st.integers(1, 3), st.booleans()),
        st.tuples(st.just("pay"), idx),
        st.tuples(st.just("buy"), who, st.integers(1, 3), st.booleans()),
        st.tuples(st.just("cancel"), idx),
        st.tuples(st.just("deliver"), idx),
        st.tuples(st.just("return"), idx, st.integers(1, 3)),
        st.tuples(st.just("complete"), st.integers(0, 2)),
        st.tuples(st.just("claim_refund"), idx, st.integers(1, 3)),
        st.tuples(st.just("fold")),
    ),
    min_size=4,
    max_size=24,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps_strategy)
# A customer's second completed order and his friend's referral (big C); a distributor past the
# big-B threshold, then under it after a quality claim refunds a completed order.
@example(
    steps=[
        ("visit", 0, False, True),
        ("buy", 0, 1, True),
        ("buy", 0, 3, False),
        ("deliver", 0),
        ("deliver", 0),
        ("return", 1, 1),
        ("complete", 0),
        ("claim_refund", 0, 3),
        ("wait", 35),
        ("buy", 1, 2, True),
    ]
)
def test_the_rollups_kept_step_by_step_equal_the_rollups_built_from_scratch(
    steps, make_customer, make_product, make_distributor, staff, settings
):
    example = transaction.savepoint_create()
    try:
        run(steps, make_customer, make_product, make_distributor, staff, settings)
    finally:
        transaction.savepoint_rollback(example)


def run(steps, make_customer, make_product, make_distributor, staff, django_settings):
    from weishang.analytics.models import AnalyticsSettings

    AnalyticsSettings.objects.update_or_create(pk=1, defaults={"big_b_threshold_fen": 5_000})
    CommissionPlan.objects.create(
        version=1,
        mode="strict",
        default_rate_bp=700,
        created_at=timezone.now() - timedelta(days=400),
    )
    buyers = [make_customer(), make_customer(), make_customer()]
    seller = make_distributor()
    binding.bind_customer(customer=buyers[0], distributor=seller, source=ShareSource.STORE_LINK)
    sku = make_product(price_fen=1_990, stock=500)
    placed: list[Order] = []
    clock = timezone.now() - timedelta(days=60)
    for n, (name, *args) in enumerate(steps):
        clock += timedelta(days=args[0]) if name == "wait" else timedelta(minutes=5)
        with mock.patch("django.utils.timezone.now", return_value=clock):
            try:
                act(name, args, n, buyers, seller, sku, placed, clock, staff)
            except DomainError:
                pass
    fold.fold()
    kept = snapshot()
    recompute.rebuild()
    assert snapshot() == kept


def act(name, args, n, buyers, seller, sku, placed, clock, staff):
    if name == "wait":
        return
    if name == "fold":
        fold.fold()
        return
    if name == "visit":
        buyer, signed_in, on_product = buyers[args[0]], args[1], args[2]
        binding.record_share_visit(
            distributor=seller,
            source=ShareSource.QR,
            product_id=sku.product_id if on_product else None,
            person=reach.person_of(
                customer_id=buyer.pk if signed_in else None, device_id=f"device-{buyer.pk}"
            ),
            at=clock,
        )
    elif name in ("place", "buy"):
        buyer, quantity, shared = buyers[args[0]], args[1], args[2]
        order = sales.place_order(
            customer=buyer,
            items={sku.pk: quantity},
            address=buyer.addresses.get(),
            shared_by=buyers[2] if shared and buyer != buyers[2] else None,
            clear_cart=False,
            now=clock,
        )
        placed.append(order)
        if name == "buy":
            pay(order)
    elif name == "complete":
        sales.complete_orders(now=clock + AFTER_WINDOW + timedelta(days=args[0]))
    else:
        wanted = {
            "pay": [OrderStatus.PENDING_PAYMENT],
            "cancel": [OrderStatus.PENDING_PAYMENT, OrderStatus.PAID],
            "deliver": [OrderStatus.PAID],
            "return": [OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED],
            "claim_refund": [
                OrderStatus.DELIVERED,
                OrderStatus.PARTIALLY_REFUNDED,
                OrderStatus.COMPLETED,
            ],
        }[name]
        # The step acts on the idx-th order (wrapping round) of those it can act on.
        ready = list(Order.objects.filter(status__in=wanted).order_by("pk"))
        if ready:
            on(name, args, n, ready[args[0] % len(ready)], clock, staff)


def on(name, args, n, order, clock, staff):
    if name == "pay":
        pay(order)
    elif name == "cancel":
        sales.cancel_order(order=order, by_brand=False, now=clock)
    elif name == "deliver":
        orders.ship_order(actor=None, order=order, carrier="sf", tracking_no=f"SF{n:013d}")
        orders.mark_delivered(actor=None, order=order, signed_at=clock)
    elif name == "return":
        line = order.lines.get()
        returned(order, min(args[1], line.quantity - line.returned_quantity), now=clock)
    else:
        line = order.lines.get()
        claim = claims.file_claim(
            order=order,
            customer=order.customer,
            order_line_id=line.pk,
            quantity=min(args[1], claims.claimable_quantity(line)),
            remedy="refund",
            description="发霉",
            photos=[png_upload()],
            now=clock,
        )
        sales.refund_claim(claim=claim, actor=staff, reason="确认", now=clock)


def test_a_days_figures_count_what_was_paid_less_refunds_on_the_day_it_was_paid(
    make_customer, make_product, make_distributor
):
    first, second = make_customer(), make_customer()
    seller = make_distributor()
    binding.bind_customer(customer=first, distributor=seller, source=ShareSource.STORE_LINK)
    sku = make_product(price_fen=1_000, stock=50)

    kept = bought(first, sku, 3)
    back = deliver(bought(first, sku, 2))
    cancelled = bought(second, sku, 1)
    returned(back, 1)
    sales.cancel_order(order=cancelled, by_brand=False)
    fold.fold()

    today = timezone.localdate()
    mine = BuyerDay.objects.get(day=today, customer=first.pk, distributor=seller.pk)
    # Two orders of 30.00 and 20.00 with 10.00 of the second returned: 40.00 kept.
    assert (mine.orders, mine.gmv_fen) == (2, 4_000 + kept.freight_fen + back.freight_fen)
    # The cancelled order, refunded in full, is no order and no money; its buyer was reached.
    theirs = BuyerDay.objects.get(day=today, customer=second.pk, distributor=0)
    assert (theirs.orders, theirs.gmv_fen) == (0, 0)
    assert Reach.objects.filter(day=today, person=second.pk, distributor=0).exists()
    month = today.replace(day=1)
    assert (
        sum(
            CohortMonth.objects.filter(cohort=month, month=month).values_list(
                "customers", flat=True
            )
        )
        == 2
    )
