"""The ledger itself: immutable, idempotent transfers, balances derived from them, and the
console's reads in a fixed number of queries."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.helpers import deliver
from weishang.commissions import ledger, selectors, services
from weishang.commissions.models import Account, Transfer

from .conftest import after_window, pay, place

pytestmark = pytest.mark.django_db
K = Account.Kind


def test_same_key_records_once_and_a_different_movement_under_it_is_refused(seller):
    expense = ledger.brand_account(K.BRAND_EXPENSE)
    pending = ledger.distributor_account(seller.pk, K.PENDING)
    now = timezone.now()
    first = ledger.transfer(
        debit=expense, credit=pending, amount_fen=100, key="x", kind="earn", now=now
    )
    again = ledger.transfer(
        debit=expense, credit=pending, amount_fen=100, key="x", kind="earn", now=now
    )
    assert first.pk == again.pk and Transfer.objects.count() == 1
    with pytest.raises(ledger.LedgerConflict):
        ledger.transfer(
            debit=expense, credit=pending, amount_fen=101, key="x", kind="earn", now=now
        )
    assert ledger.balance_of(pending) == 100 and ledger.balance_of(expense) == -100


@pytest.mark.parametrize("amount", [0, -5])
def test_database_refuses_non_positive_and_self_transfers(seller, amount):
    pending = ledger.distributor_account(seller.pk, K.PENDING)
    other = ledger.distributor_account(seller.pk, K.AVAILABLE)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            idempotency_key="a",
            debit=pending,
            credit=other,
            amount_fen=amount,
            kind="x",
            created_at=now,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            idempotency_key="b",
            debit=pending,
            credit=pending,
            amount_fen=5,
            kind="x",
            created_at=now,
        )


def test_ledger_events_and_dashboard(plan, seller, buyer, sku, django_assert_max_num_queries):
    deliver(pay(place(buyer, {sku: 1})))
    pay(place(buyer, {sku: 2}))
    services.settle_commissions(now=after_window())
    with django_assert_max_num_queries(1):
        rows = selectors.ledger_events(seller)
    # One row per event: the settlement is one "settled" row, not a pending/available pair.
    assert sorted((e.kind, e.sign, e.amount_fen) for e in rows) == [
        ("earn", "+", 199),
        ("earn", "+", 399),
        ("settle", "", 199),
    ]
    assert all(e.event and e.state for e in rows)
    with django_assert_max_num_queries(3):
        figures = selectors.dashboard(seller, now=after_window())
    assert figures["pending"] == 399 and figures["available"] == 199
    assert figures["available_today_fen"] == 199


def test_queues_and_kpis_are_n_plus_one_free(
    plan, make_seller, bind, make_customer, sku, staff, django_assert_max_num_queries
):
    sellers = [make_seller() for _ in range(4)]
    for s in sellers:
        for _ in range(2):
            customer = bind(make_customer(), s)
            customer.addresses.update(phone=s.customer.mobile)  # held for review
            pay(place(customer, {sku: 1}))
    with django_assert_max_num_queries(1):
        held = [
            (c.order.number, c.distributor.store_name, c.hold_reason)
            for c in selectors.held_commissions()
        ]
    assert len(held) == 8
    with django_assert_max_num_queries(1):
        kpis = [
            (d.pk, d.kpi_orders, d.kpi_sales_fen, d.kpi_commission_fen, d.kpi_customers)
            for d in selectors.distributors_with_kpis()
        ]
    assert {k[1:] for k in kpis} == {(2, 7980, 398, 2)}
    with django_assert_max_num_queries(1):
        balances = selectors.balances_for([s.pk for s in sellers])
    assert all(b["held"] == 398 for b in balances.values())
    with django_assert_max_num_queries(1):
        assert list(selectors.withdrawal_queue()) == []
