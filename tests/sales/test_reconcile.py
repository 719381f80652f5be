"""`weishang reconcile` lists money moves left unconfirmed and records that disagree."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.helpers import pay
from weishang.commissions.models import Withdrawal
from weishang.orders.models import Order
from weishang.payments.models import Refund
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


def reconcile(*args) -> str:
    out = StringIO()
    call_command("reconcile", *args, stdout=out)
    return out.getvalue()


def test_only_refunds_older_than_the_threshold_are_listed(customer, sku, bank):
    bank.outcomes = ["timeout"]
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    )
    sales.cancel_order(order=order, by_brand=False)  # the task never ran: no commit in this test
    refund = Refund.objects.get(payment__order=order)
    assert "0 refund(s)" in reconcile()
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(hours=1))
    listed = reconcile()
    assert (
        f"refund {refund.number} of order {order.number}: {refund.amount_fen} fen, requested"
        in (listed)
    )
    assert "1 refund(s) and 0 payout(s) unconfirmed, 0 mismatch(es)." in listed


def test_a_refund_that_disagrees_with_the_order_is_a_mismatch(customer, sku):
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())
    )
    sales.cancel_order(order=order, by_brand=False)
    assert "0 mismatch(es)" in reconcile()
    Order.objects.filter(pk=order.pk).update(refunded_fen=order.total_fen // 2)
    assert (
        f"MISMATCH order {order.number}: refunded {order.total_fen // 2} fen, "
        f"refunds {order.total_fen} fen" in reconcile()
    )


def test_a_payout_without_its_ledger_transfer_is_a_mismatch(make_distributor):
    w = Withdrawal.objects.create(
        distributor=make_distributor(),
        request_key="k",
        amount_fen=1000,
        requested_at=timezone.now(),
        status=Withdrawal.Status.PAID,
    )
    assert f"MISMATCH withdrawal {w.pk}: paid without its payout transfer" in reconcile()
