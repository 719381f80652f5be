"""Random sequences of granting points, crediting cash-back, orders paid partly with points and
the wallet, payments, cancellations, expiry, deliveries, returns and refunds keep points and the
wallet balanced in the one ledger, never negative, and each customer's points equal to his lots."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import pay
from weishang.commissions import ledger
from weishang.commissions.models import Transfer
from weishang.core_errors import DomainError
from weishang.loyalty import points, wallet
from weishang.loyalty.models import PointsLot
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus
from weishang.payments.models import Refund
from weishang.sales import services as sales
from weishang.sales.checkout import Choice

pytestmark = pytest.mark.django_db

who = st.integers(0, 1)
idx = st.integers(0, 5)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), who, st.integers(1, 8_000)),
        st.tuples(st.just("credit"), who, st.integers(1, 5_000)),
        st.tuples(
            st.just("place"),
            who,
            st.integers(0, 3),
            st.integers(1, 3),
            st.booleans(),
            st.booleans(),
        ),
        st.tuples(st.just("pay"), idx),
        st.tuples(st.just("cancel"), idx),
        st.tuples(st.just("expire_unpaid"), idx),
        st.tuples(st.just("deliver"), idx),
        st.tuples(st.just("return"), idx, st.integers(0, 1), st.integers(1, 3)),
    ),
    min_size=1,
    max_size=20,
)


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_points_and_wallet_stay_balanced_and_never_negative(steps, make_customer, make_product):
    # A savepoint undoes each example: the sales acts are durable and refuse an outer atomic block.
    example = transaction.savepoint_create()
    try:
        run(steps, make_customer, make_product)
    finally:
        transaction.savepoint_rollback(example)


def run(steps, make_customer, make_product):
    buyers = [make_customer(), make_customer()]
    skus = [make_product(price_fen=1_999, stock=500), make_product(price_fen=3_333, stock=500)]
    placed: list[Order] = []
    now = timezone.now()
    for n, (name, *args) in enumerate(steps):
        try:
            act(name, args, n, buyers, skus, placed, now)
        except DomainError:
            pass
        check(buyers)


def act(name, args, n, buyers, skus, placed, now):
    if name == "grant":
        with transaction.atomic():
            points.grant_points(
                customer_id=buyers[args[0]].pk, points=args[1], key=f"g{n}", reason="r", now=now
            )
    elif name == "credit":
        with transaction.atomic():
            wallet.credit_wallet(
                customer_id=buyers[args[0]].pk,
                amount_fen=args[1],
                key=f"c{n}",
                reason="r",
                now=now,
            )
    elif name == "place":
        buyer, qty_a, qty_b, use_points, use_wallet = args
        items = {skus[0].pk: qty_a, skus[1].pk: qty_b} if qty_a else {skus[1].pk: qty_b}
        placed.append(
            sales.place_order(
                customer=buyers[buyer],
                items=items,
                address=buyers[buyer].addresses.get(),
                choice=Choice(use_points=use_points, use_wallet=use_wallet),
                clear_cart=False,
            )
        )
    elif args[0] < len(placed):
        order = Order.objects.get(pk=placed[args[0]].pk)
        if name == "pay" and order.status == OrderStatus.PENDING_PAYMENT:
            pay(order)
        elif name == "cancel":
            sales.cancel_order(order=order, by_brand=False)
        elif name == "expire_unpaid":
            sales.expire_unpaid_orders(now=order.expires_at + timedelta(seconds=1))
        elif name == "deliver" and order.status == OrderStatus.PAID:
            orders.ship_order(
                actor=None, order=order, carrier="sf", tracking_no=f"SF{order.pk:013d}"
            )
            orders.mark_delivered(actor=None, order=order)
        elif name == "return":
            lines = list(order.lines.all())
            line = lines[min(args[1], len(lines) - 1)]
            rr = orders.request_return(
                order=order,
                customer=order.customer,
                quantities={line.pk: min(args[2], line.quantity - line.returned_quantity)},
            )
            orders.approve_return(actor=None, return_request=rr)
            orders.receive_return(actor=None, return_request=rr)
            sales.refund_return(return_request=rr)


def check(buyers):
    assert ledger.asset_totals() == {"fen": 0, "points": 0}
    granted, credited = defaultdict(int), defaultdict(int)
    for lot in PointsLot.objects.all():
        granted[lot.customer_id] += lot.points
    for customer_id, amount in Transfer.objects.filter(kind="wallet_credit").values_list(
        "credit__customer_id", "amount_fen"
    ):
        credited[customer_id] += amount
    for buyer in buyers:
        held = points.points_balance(buyer.pk)
        lots = PointsLot.objects.filter(customer=buyer).aggregate(s=Sum("remaining"))["s"] or 0
        assert held == lots >= 0
        in_wallet = wallet.wallet_balance(buyer.pk)
        assert in_wallet >= 0
        used = Order.objects.filter(customer=buyer).aggregate(
            points=Sum("points"),
            points_back=Sum("points_returned"),
            wallet=Sum("wallet_fen"),
            wallet_back=Sum("wallet_returned_fen"),
        )
        assert held == granted[buyer.pk] - (used["points"] or 0) + (used["points_back"] or 0)
        assert in_wallet == credited[buyer.pk] - (used["wallet"] or 0) + (used["wallet_back"] or 0)
    for order in Order.objects.all():
        assert order.points_returned <= order.points
        assert order.wallet_returned_fen <= order.wallet_fen
        refunded = Refund.objects.filter(payment__order=order).aggregate(s=Sum("amount_fen"))["s"]
        assert (refunded or 0) == order.refunded_fen <= order.total_fen
