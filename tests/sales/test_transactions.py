"""The sales acts commit on their own (``atomic(durable=True)``), so a refund they request is sent
right after their commit, never held back by a caller's open transaction; the domain steps they
call refuse to run outside an act's transaction, where each would commit half an act."""

from datetime import timedelta

import pytest
from django.db import transaction

from weishang.commissions import services as commissions
from weishang.orders import services as orders
from weishang.payments import refunds
from weishang.payments import services as payments
from weishang.sales import services as sales


def place(customer, sku):
    return sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "act",
    [
        lambda order: place(order.customer, order.lines.get().sku),
        lambda order: sales.confirm_payment(provider="sandbox", notification=None),
        lambda order: sales.cancel_order(order=order, by_brand=False),
        lambda order: sales.refund_return(return_request=None),
        lambda order: sales.expire_unpaid_orders(now=order.expires_at + timedelta(minutes=1)),
    ],
    ids=["place_order", "confirm_payment", "cancel_order", "refund_return", "expire"],
)
def test_a_sales_act_refuses_to_run_inside_a_callers_transaction(customer, sku, act):
    order = place(customer, sku)
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable atomic block"):
        act(order)


@pytest.mark.django_db
def test_a_sales_act_runs_in_a_test_transaction(customer, sku):
    """pytest-django's per-test transaction is a TestCase one, in which durable blocks may run."""
    order = place(customer, sku)
    assert sales.expire_unpaid_orders(now=order.expires_at + timedelta(minutes=1)) == 1


@pytest.mark.parametrize(
    "step",
    [
        orders.place_order,
        orders.mark_order_paid,
        orders.record_cancellation,
        orders.expire_order,
        orders.record_return_refund,
        payments.record_payment,
        payments.refund_order,
        refunds.request_refund,
        commissions.quote_commissions,
        commissions.commissions_paid,
        commissions.void_commissions,
        commissions.reverse_commissions,
    ],
)
def test_a_step_of_an_act_refuses_to_run_outside_a_transaction(step):
    with pytest.raises(RuntimeError, match="runs inside the transaction of the act"):
        step()
