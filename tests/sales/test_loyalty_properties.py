"""Random sequences of granting points, crediting cash-back, red packets, orders paid partly with
points and the wallet, products redeemed for points, payments, cancellations, unpaid orders
expiring, deliveries, returns and refunds, completion (earning points) and points expiring keep
points and the wallet balanced in the one ledger, never negative, and each customer's points equal
to his lots."""

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
from weishang.commissions.models import Account, Transfer
from weishang.core_errors import DomainError
from weishang.loyalty import points, redemptions, redpackets, wallet
from weishang.loyalty.expiry import expire_points
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
        st.tuples(st.just("red_packet"), who),
        st.tuples(st.just("redeem_product"), who, st.integers(1, 2)),
        st.tuples(st.just("complete"), st.integers(8, 40)),
        st.tuples(st.just("expire_points"), st.integers(300, 800)),
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
    now = timezone.now()
    offers = {
        "packet": redpackets.save_red_packet_offer(
            actor=None, name="5元红包", points_cost=500, amount_fen=500, active=True, now=now
        ),
        "product": redemptions.offer_redemption(
            actor=None, sku_id=skus[0].pk, points=1_000, cash_fen=999
        ),
    }
    placed: list[Order] = []
    for n, (name, *args) in enumerate(steps):
        try:
            act(name, args, n, buyers, skus, placed, now, offers)
        except DomainError:
            pass
        check(buyers)


def act(name, args, n, buyers, skus, placed, now, offers):
    if name == "red_packet":
        redpackets.redeem_red_packet(
            customer_id=buyers[args[0]].pk,
            offer_id=offers["packet"].pk,
            request_key=f"{n:032x}",
            now=now,
        )
    elif name == "redeem_product":
        buyer = buyers[args[0]]
        placed.append(
            sales.redeem_product(
                customer=buyer,
                redemption_id=offers["product"].pk,
                quantity=args[1],
                address=buyer.addresses.get(),
            )
        )
    elif name == "complete":
        sales.complete_orders(now=now + timedelta(days=args[0]))
    elif name == "expire_points":
        expire_points(now=now + timedelta(days=args[0]))
    elif name == "grant":
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
    by_kind = defaultdict(int)
    for (_distributor, _customer, kind), balance in ledger.all_balances().items():
        by_kind[kind] += balance
    kinds = list(Account.Kind.values)
    assert ledger.kind_totals(kinds) == {kind: by_kind[kind] for kind in kinds}
    credited = defaultdict(int)
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
            wallet=Sum("wallet_fen"), wallet_back=Sum("wallet_returned_fen")
        )
        assert in_wallet == credited[buyer.pk] - (used["wallet"] or 0) + (used["wallet_back"] or 0)
    taken_by_key = defaultdict(int)
    for lot in PointsLot.objects.prefetch_related("uses"):
        taken = sum(use.points - use.returned for use in lot.uses.all())
        assert lot.remaining + lot.expired + taken == lot.points, lot.key
        for use in lot.uses.all():
            taken_by_key[use.key] += use.points - use.returned
    for order in Order.objects.all():
        assert order.points_returned <= order.points
        assert order.wallet_returned_fen <= order.wallet_fen
        # What an order's points took from the lots is what it still holds of them.
        assert taken_by_key[f"order:{order.number}"] == order.points - order.points_returned
        refunded = Refund.objects.filter(payment__order=order).aggregate(s=Sum("amount_fen"))["s"]
        assert (refunded or 0) == order.refunded_fen <= order.total_fen
