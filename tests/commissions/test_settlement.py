"""Settlement: once per commission, only after the return window, also with two processes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import deliver
from weishang.commissions import services
from weishang.commissions.models import Commission, Transfer
from weishang.orders import services as orders

from .conftest import after_window, assert_ledger_balanced, balances, pay, place

pytestmark = pytest.mark.django_db
S = Commission.Status


def test_window_closes_at_local_midnight_after_seven_full_days():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2025, 6, 10, 0, 0, tzinfo=tz)
    # Signed on 2 June: window runs 3–9 June and closes at 10 June 00:00.
    assert services.settlement_cutoff(now) == datetime(2025, 6, 3, 0, 0, tzinfo=tz)


def test_only_after_the_window_and_not_while_a_return_is_open(plan, seller, buyer, sku):
    a = deliver(pay(place(buyer, {sku: 1})))
    b = deliver(pay(place(buyer, {sku: 1})))
    unpaid_or_undelivered = pay(place(buyer, {sku: 1}))
    orders.request_return(order=b, customer=buyer, quantities={b.lines.get().pk: 1})
    signed = timezone.localtime(a.delivered_at)
    last_open_moment = signed.replace(hour=23, minute=59) + timedelta(days=7)
    assert services.settle_commissions(now=last_open_moment) == 0
    assert services.settle_commissions(now=after_window()) == 1
    assert Commission.objects.get(order=a).status == S.AVAILABLE
    assert Commission.objects.get(order=b).status == S.PENDING
    assert Commission.objects.get(order=unpaid_or_undelivered).status == S.PENDING


def test_completed_orders_settle(plan, seller, buyer, sku):
    deliver(pay(place(buyer, {sku: 1})))
    assert len(orders.complete_orders(now=after_window())) == 1
    assert services.settle_commissions(now=timezone.now()) == 1


def test_settling_twice_moves_each_commission_once(plan, seller, buyer, sku):
    for _ in range(5):
        deliver(pay(place(buyer, {sku: 1})))
    assert services.settle_commissions(now=after_window(), chunk=2) == 5
    assert services.settle_commissions(now=after_window(), chunk=2) == 0
    assert Transfer.objects.filter(kind="settle").count() == 5
    assert balances(seller)["available"] == 5 * 199
    assert_ledger_balanced()


@pytest.mark.postgres
def test_two_processes_at_once_move_each_commission_once(
    postgres_only, plan, make_seller, bind, make_customer, sku
):
    sellers = [make_seller() for _ in range(3)]
    for i in range(30):
        deliver(pay(place(bind(make_customer(), sellers[i % 3]), {sku: 1})))
    moved = run_in_parallel(lambda i: services.settle_commissions(now=after_window(), chunk=4), 2)
    assert sum(moved) == 30, moved
    assert Transfer.objects.filter(kind="settle").count() == 30
    assert Commission.objects.filter(status=S.AVAILABLE).count() == 30
    for seller in sellers:
        assert balances(seller)["available"] == 10 * 199
    assert_ledger_balanced()


@pytest.mark.postgres
def test_the_command_settles_with_parallel_workers(
    postgres_only, plan, make_seller, bind, make_customer, sku
):
    from io import StringIO

    from django.core.management import call_command

    seller = make_seller()
    for _ in range(12):
        deliver(pay(place(bind(make_customer(), seller), {sku: 1})))
    out = StringIO()
    call_command("settle", now=after_window().isoformat(), workers=3, stdout=out)
    assert out.getvalue().startswith("Settled 12 commissions")
    assert Transfer.objects.filter(kind="settle").count() == 12
    assert balances(seller)["available"] == 12 * 199
    assert_ledger_balanced()
