"""An order paid twice (two payers, or two payment methods, each completed at the provider) is
paid once: the second payment is recorded as paid twice and refunded in full, never a server
error; reconcile finds nothing amiss, and would say so if that refund were missing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from weishang.orders.models import OrderStatus
from weishang.payments.models import Payment, Refund
from weishang.payments.providers import Notification
from weishang.payments.services import start_payment
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


def notify(payment):
    return sales.confirm_payment(
        provider="sandbox",
        notification=Notification(
            payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
        ),
    )


def reconcile() -> str:
    out = StringIO()
    call_command("reconcile", "--minutes", "0", stdout=out)
    return out.getvalue()


def test_a_second_payment_of_a_paid_order_is_refunded_in_full(
    customer, sku, django_capture_on_commit_callbacks
):
    order = sales.place_order(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
    )
    first = start_payment(order=order, payer_account="wx-open-a")
    second = start_payment(order=order, payer_account="wx-open-b")
    notify(first)
    with django_capture_on_commit_callbacks(execute=True):
        notify(second)
    second.refresh_from_db()
    order.refresh_from_db()
    assert second.status == Payment.Status.DUPLICATE
    assert (order.status, order.refunded_fen) == (OrderStatus.PAID, 0)
    refund = Refund.objects.get(payment=second)
    assert (refund.amount_fen, refund.reason, refund.status) == (
        second.amount_fen,
        "paid twice",
        Refund.Status.SUCCEEDED,
    )
    assert notify(second).duplicate  # the provider repeating itself changes nothing
    assert Refund.objects.filter(payment=second).count() == 1
    assert "0 mismatch(es)" in reconcile()
    Refund.objects.filter(payment=second).delete()
    assert f"payment {second.number}: paid twice {second.amount_fen} fen, refunds 0 fen" in (
        reconcile()
    )
