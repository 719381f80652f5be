"""Random histories of reseller prices, band moves, orders at reseller and brand prices, payments,
refunds, reviews and settlements keep markup and commission on the one ledger balanced: every
earning is the sum of its transfers, the brand's markup account mirrors the resellers' markup, and
a line sold at a reseller's price earns exactly its markup and no commission."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weishang.commissions import ledger
from weishang.commissions import services as commissions
from weishang.commissions.models import Account, Commission, Transfer
from weishang.core_errors import DomainError
from weishang.orders.models import Order
from weishang.reseller import services
from weishang.sales import services as sales

from ..commissions.conftest import ORDER_STEPS, order_step, place
from ..commissions.test_properties import check_invariants

pytestmark = pytest.mark.django_db

idx = st.integers(0, 7)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("place"), st.integers(0, 2), st.integers(0, 3), st.integers(1, 3)),
        st.tuples(st.just("price"), st.integers(0, 1), st.integers(2500, 7000)),
        st.tuples(st.just("band"), st.integers(2000, 4000), st.integers(4000, 7000), st.booleans()),
        st.tuples(st.just("pay"), idx),
        st.tuples(st.just("cancel"), idx),
        st.tuples(st.just("deliver"), idx),
        st.tuples(st.just("return"), idx, st.integers(0, 1), st.integers(1, 3)),
        st.tuples(st.just("advance"), st.integers(1, 6)),
        st.tuples(st.just("settle")),
        st.tuples(st.sampled_from(["release", "reject"]), idx),
    ),
    min_size=1,
    max_size=25,
)


def check_markup():
    check_invariants()
    markups = list(
        Commission.objects.filter(kind=Commission.Kind.MARKUP).select_related("order_line")
    )
    for markup in markups:
        line = markup.order_line
        supply = int(markup.rule.rsplit(" ", 1)[1])
        per_unit = line.unit_price_fen - supply
        assert markup.amount_fen == min(per_unit * line.quantity, line.paid_fen)
        assert not Commission.objects.filter(
            order_line=line, kind=Commission.Kind.COMMISSION
        ).exists()
    # What the brand's markup account gave is exactly what the resellers kept of their markup.
    kept = sum(
        m.amount_fen - m.reversed_fen
        for m in markups
        if m.status not in ("awaiting_payment", "void", "rejected")
    )
    brand = ledger.all_balances().get((None, None, Account.Kind.BRAND_MARKUP), 0)
    assert brand == -kept
    # Markup transfers never touch the commission expense account, and vice versa.
    for t in Transfer.objects.filter(commission__isnull=False).select_related(
        "debit", "credit", "commission"
    ):
        brand_side = {t.debit.kind, t.credit.kind} & {"brand_expense", "brand_markup"}
        if brand_side:
            expected = "brand_markup" if t.commission.kind == "markup" else "brand_expense"
            assert brand_side == {expected}
    earned = Transfer.objects.filter(kind="earn").aggregate(s=Sum("amount_fen"))["s"] or 0
    accrued = Commission.objects.exclude(status__in=["awaiting_payment", "void"])
    assert earned == sum(c.amount_fen for c in accrued)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_markup_and_commission_stay_balanced_through_random_histories(
    steps, make_plan, make_seller, bind, make_customer, make_product, staff
):
    example = transaction.savepoint_create()
    try:
        run(steps, make_plan, make_seller, bind, make_customer, make_product, staff)
    finally:
        transaction.savepoint_rollback(example)


def run(steps, make_plan, make_seller, bind, make_customer, make_product, staff):
    from weishang.distribution.models import ProgrammeSettings

    ProgrammeSettings.objects.update_or_create(
        pk=1, defaults={"withdrawal_min_fen": 1, "review_order_amount_fen": 15_000}
    )
    make_plan(733)
    sellers = [make_seller(), make_seller()]
    services.approve_reseller(actor=staff, distributor=sellers[0])
    buyers = [bind(make_customer(), sellers[0]), bind(make_customer(), sellers[1]), make_customer()]
    skus = [make_product(price_fen=3999), make_product(price_fen=3333)]
    services.set_band(actor=staff, sku=skus[0], supply_fen=3000, ceiling_fen=6000, is_open=True)
    placed: list[Order] = []
    clock = timezone.now()
    for step in steps:
        name, *args = step
        try:
            if name == "place":
                who, qty_a, qty_b = args
                items = {skus[0]: qty_a, skus[1]: qty_b} if qty_a else {skus[1]: qty_b}
                placed.append(place(buyers[who], items))
            elif name == "price":
                services.set_price(distributor=sellers[args[0]], sku=skus[0], price_fen=args[1])
            elif name == "band":
                services.set_band(
                    actor=staff,
                    sku=skus[0],
                    supply_fen=args[0],
                    ceiling_fen=args[1],
                    is_open=args[2],
                )
            elif name in ORDER_STEPS and args[0] < len(placed):
                order_step(name, Order.objects.get(pk=placed[args[0]].pk), args[1:], clock)
            elif name == "advance":
                clock += timedelta(days=args[0])
            elif name == "settle":
                commissions.settle_commissions(now=clock)
            elif name in ("release", "reject"):
                held = list(Commission.objects.filter(status="held").order_by("pk"))
                if args[0] < len(held):
                    if name == "release":
                        commissions.release_commission(commission=held[args[0]], actor=staff)
                    else:
                        sales.reject_commission(commission=held[args[0]], actor=staff, reason="x")
        except DomainError:
            pass  # a refused act changes nothing; the invariants below say so
        check_markup()
