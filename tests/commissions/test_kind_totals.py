"""The ledger's totals per account kind (what the brand owes its distributors pending, available,
in withdrawal) always equal the sum of the balances of that kind, through accrual, settlement in
bulk, a withdrawal and a reversal, before and after the changes are folded in, and when counted
again from the transfers."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import bought, deliver, returned
from weishang.commissions import ledger
from weishang.commissions import services as commissions
from weishang.commissions.models import Account, CommissionPlan, KindTotalChange
from weishang.distribution.models import Binding, ProgrammeSettings
from weishang.orders import services as orders

KINDS = list(Account.Kind.values)


def by_kind() -> dict[str, int]:
    totals = defaultdict(int)
    for (_distributor, _customer, kind), balance in ledger.all_balances().items():
        totals[kind] += balance
    return {kind: totals[kind] for kind in KINDS}


def same_as_balances():
    assert ledger.kind_totals(KINDS) == by_kind()


@pytest.fixture
def sold(make_customer, make_product, make_distributor):
    """Three orders a distributor brought at 5 %, paid and delivered; one returned in part."""
    CommissionPlan.objects.create(
        version=1, default_rate_bp=500, created_at=timezone.now() - timedelta(days=1)
    )
    ProgrammeSettings.objects.create(withdrawal_min_fen=100)
    seller = make_distributor()
    seller.customer.addresses.update(detail=f"人民路{seller.pk}号")  # not the buyer's: no review
    buyer = make_customer()
    Binding.objects.create(
        customer=buyer, distributor=seller, source="qr", bound_at=timezone.now() - timedelta(1)
    )
    sku = make_product(price_fen=10_000, stock=50)
    delivered = [deliver(bought(buyer, sku, 2)) for _n in range(3)]
    returned(delivered[0], 1)
    return seller


def check_through_settlement_and_a_withdrawal(seller):
    same_as_balances()
    assert ledger.kind_totals(["pending"])["pending"] > 0
    later = timezone.now() + timedelta(days=30)
    orders.complete_orders(now=later)
    assert commissions.settle_commissions(now=later) == 3
    same_as_balances()
    assert ledger.fold_kind_totals() > 0
    assert not KindTotalChange.objects.exists()
    same_as_balances()
    available = ledger.kind_totals(["available"])["available"]
    commissions.request_withdrawal(distributor=seller, amount_fen=available // 2, request_key="w1")
    same_as_balances()
    assert ledger.kind_totals(["withdrawing"])["withdrawing"] == available // 2
    ledger.rebuild_kind_totals()
    same_as_balances()


@pytest.mark.django_db
def test_kind_totals_follow_every_transfer_on_sqlite_or_postgresql(sold):
    check_through_settlement_and_a_withdrawal(sold)


@pytest.mark.django_db(transaction=True)
def test_bulk_settlement_on_postgresql_counts_its_change_too(postgres_only, sold):
    check_through_settlement_and_a_withdrawal(sold)
