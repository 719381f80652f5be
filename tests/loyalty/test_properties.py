"""Random histories of grants, spending, returns, expiry, red packets and wallet payments keep
points and the wallet balanced per asset and never negative, and each customer's points equal
what is left in his lots."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weishang.commissions import ledger
from weishang.core_errors import DomainError
from weishang.loyalty import expiry, points, redpackets, wallet
from weishang.loyalty.models import PointsLot, PointsUse, RedPacketOffer

pytestmark = pytest.mark.django_db

who = st.integers(0, 1)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), who, st.integers(1, 500), st.integers(0, 400)),
        st.tuples(st.just("spend"), who, st.integers(1, 600)),
        st.tuples(st.just("return"), st.integers(0, 5), st.integers(1, 600)),
        st.tuples(st.just("advance"), st.integers(1, 200)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("red_packet"), who, st.integers(0, 1), st.integers(0, 2)),
        st.tuples(st.just("pay_wallet"), who, st.integers(1, 900)),
        st.tuples(st.just("refund_wallet"), st.integers(0, 5), st.integers(1, 900)),
    ),
    min_size=1,
    max_size=30,
)


def check_invariants(customers):
    assert ledger.asset_totals() == {"fen": 0, "points": 0}
    for customer in customers:
        held = points.points_balance(customer.pk)
        assert held >= 0
        assert wallet.wallet_balance(customer.pk) >= 0
        in_lots = PointsLot.objects.filter(customer=customer).aggregate(s=Sum("remaining"))["s"]
        assert held == (in_lots or 0)
    used = defaultdict(int)
    for use in PointsUse.objects.all():
        used[use.lot_id] += use.points - use.returned
    for lot in PointsLot.objects.all():
        assert lot.remaining + lot.expired + used[lot.pk] == lot.points


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_random_histories_keep_points_and_wallets_balanced(steps, make_customer):
    # A savepoint undoes each example: the red packet and expiry acts are durable.
    example = transaction.savepoint_create()
    try:
        run(steps, make_customer)
    finally:
        transaction.savepoint_rollback(example)


def run(steps, make_customer):
    customers = [make_customer(), make_customer()]
    now = timezone.now()
    offers = [
        RedPacketOffer.objects.create(name="小", points_cost=100, amount_fen=100, created_at=now),
        RedPacketOffer.objects.create(name="大", points_cost=450, amount_fen=500, created_at=now),
    ]
    spends: list[tuple[int, str]] = []
    wallet_spends: list[tuple[int, str, int]] = []
    wallet_refunded: dict[str, int] = defaultdict(int)
    for n, (name, *args) in enumerate(steps):
        try:
            if name == "red_packet":
                customer, offer, key = args
                redpackets.redeem_red_packet(
                    customer_id=customers[customer].pk,
                    offer_id=offers[offer].pk,
                    request_key=f"rp{key}",
                    now=now,
                )
            elif name == "advance":
                now += timedelta(days=args[0])
            elif name == "expire":
                expiry.expire_points(now=now)
            else:
                with transaction.atomic():
                    act(name, args, n, customers, now, spends, wallet_spends, wallet_refunded)
        except DomainError:
            pass  # a refused act changes nothing; the invariants below say so
        check_invariants(customers)


def act(name, args, n, customers, now, spends, wallet_spends, wallet_refunded):
    if name == "grant":
        customer, amount, days_ago = args
        points.grant_points(
            customer_id=customers[customer].pk,
            points=amount,
            key=f"g{n}",
            reason="r",
            now=now - timedelta(days=days_ago),
        )
    elif name == "spend":
        customer, amount = args
        points.spend_points(
            customer_id=customers[customer].pk, points=amount, key=f"s{n}", reason="r", now=now
        )
        spends.append((customers[customer].pk, f"s{n}"))
    elif name == "return" and args[0] < len(spends):
        customer_id, key = spends[args[0]]
        points.return_points(
            customer_id=customer_id,
            spent_key=key,
            points=args[1],
            key=f"r{n}",
            reason="r",
            now=now,
        )
    elif name == "pay_wallet":
        customer, amount = args
        wallet.spend_wallet(
            customer_id=customers[customer].pk, amount_fen=amount, key=f"w{n}", reason="r", now=now
        )
        wallet_spends.append((customers[customer].pk, f"w{n}", amount))
    elif name == "refund_wallet" and args[0] < len(wallet_spends):
        customer_id, key, paid = wallet_spends[args[0]]
        amount = min(args[1], paid - wallet_refunded[key])
        if amount > 0:
            wallet.refund_to_wallet(
                customer_id=customer_id, amount_fen=amount, key=f"r{n}", reason="r", now=now
            )
            wallet_refunded[key] += amount
