"""Random sequences of orders, payments, refunds, deliveries, settlements and withdrawals keep the
ledger balanced and every balance equal to the sum of its postings."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weishang.commissions import ledger, services
from weishang.commissions.models import Account, Commission, Transfer, Withdrawal
from weishang.core_errors import DomainError
from weishang.orders.models import Order

from .conftest import ORDER_STEPS, order_step, place

pytestmark = pytest.mark.django_db

idx = st.integers(0, 7)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("place"), st.integers(0, 2), st.integers(0, 3), st.integers(1, 3)),
        st.tuples(st.just("pay"), idx),
        st.tuples(st.just("cancel"), idx),
        st.tuples(st.just("deliver"), idx),
        st.tuples(st.just("return"), idx, st.integers(0, 1), st.integers(1, 3)),
        st.tuples(st.just("advance"), st.integers(1, 6)),
        st.tuples(st.just("settle")),
        st.tuples(st.just("withdraw"), st.integers(0, 1), st.integers(-5, 3000)),
        st.tuples(st.sampled_from(["approve", "reject", "pay_out"]), idx),
    ),
    min_size=1,
    max_size=25,
)


def check_invariants():
    balances = ledger.all_balances()
    assert sum(balances.values()) == 0
    transfers = list(Transfer.objects.select_related("debit", "credit"))
    expected = defaultdict(int)
    debt_allowance = defaultdict(int)
    for t in transfers:
        assert t.amount_fen > 0
        expected[(t.debit.distributor_id, t.debit.customer_id, t.debit.kind)] -= t.amount_fen
        expected[(t.credit.distributor_id, t.credit.customer_id, t.credit.kind)] += t.amount_fen
        if t.kind == "reverse" and t.debit.kind == Account.Kind.AVAILABLE:
            debt_allowance[t.debit.distributor_id] += t.amount_fen
    for key, fen in balances.items():
        assert fen == expected[key], key
        distributor_id, _customer_id, kind = key
        if distributor_id is not None and kind in ("available", "pending", "held", "withdrawing"):
            floor = -debt_allowance[distributor_id] if kind == "available" else 0
            assert fen >= floor, (key, fen)
    by_commission = defaultdict(lambda: defaultdict(int))
    for t in transfers:
        if t.commission_id:
            by_commission[t.commission_id][t.kind] += 1 if t.kind == "settle" else t.amount_fen
    for c in Commission.objects.all():
        moved = by_commission[c.pk]
        assert moved.get("settle", 0) <= 1
        assert c.reversed_fen <= c.amount_fen
        assert moved.get("reverse", 0) == c.reversed_fen
        if c.status == Commission.Status.AVAILABLE and c.amount_fen > c.reversed_fen:
            assert moved.get("settle") == 1
        if c.status == Commission.Status.REJECTED:
            assert moved.get("settle", 0) == 0
    open_withdrawals = defaultdict(int)
    for w in Withdrawal.objects.filter(status__in=["requested", "approved"]):
        open_withdrawals[w.distributor_id] += w.amount_fen
    for (distributor_id, _customer_id, kind), fen in balances.items():
        if kind == "withdrawing":
            assert fen == open_withdrawals[distributor_id]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_random_histories_keep_the_ledger_balanced(
    steps, make_plan, make_seller, bind, make_customer, make_product, staff
):
    # A savepoint, not an atomic block, undoes each example: the sales acts it runs are durable
    # and refuse to run inside a caller's atomic block.
    example = transaction.savepoint_create()
    try:
        run(steps, make_plan, make_seller, bind, make_customer, make_product, staff)
    finally:
        transaction.savepoint_rollback(example)


def run(steps, make_plan, make_seller, bind, make_customer, make_product, staff):
    from weishang.distribution.models import ProgrammeSettings

    ProgrammeSettings.objects.update_or_create(
        pk=1, defaults={"withdrawal_min_fen": 1, "review_order_amount_fen": 20_000}
    )
    make_plan(733)
    sellers = [make_seller(), make_seller()]
    buyers = [bind(make_customer(), sellers[0]), bind(make_customer(), sellers[1]), make_customer()]
    skus = [make_product(price_fen=1999), make_product(price_fen=3333)]
    placed: list[Order] = []
    clock = timezone.now()
    for n, step in enumerate(steps):
        name, *args = step
        try:
            if name == "place":
                who, qty_a, qty_b = args
                items = {skus[0]: qty_a, skus[1]: qty_b} if qty_a else {skus[1]: qty_b}
                placed.append(place(buyers[who], items))
            elif name in ORDER_STEPS and args[0] < len(placed):
                order_step(name, Order.objects.get(pk=placed[args[0]].pk), args[1:], clock)
            elif name == "advance":
                clock += timedelta(days=args[0])
            elif name == "settle":
                services.settle_commissions(now=clock)
                services.settle_commissions(now=clock)
            elif name == "withdraw":
                services.request_withdrawal(
                    distributor=sellers[args[0]], amount_fen=args[1], request_key=f"k{n}"
                )
            elif name in ("approve", "reject", "pay_out"):
                queue = list(Withdrawal.objects.order_by("pk"))
                if args[0] < len(queue):
                    w = queue[args[0]]
                    if name == "approve":
                        services.approve_withdrawal(withdrawal=w, actor=staff)
                    elif name == "reject":
                        services.reject_withdrawal(withdrawal=w, actor=staff, reason="no")
                    else:
                        services.mark_withdrawal_paid(
                            withdrawal=w, actor=staff, payout_reference="R"
                        )
        except DomainError:
            pass  # a refused act changes nothing; the invariants below say so
        check_invariants()
