from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from weishang.inventory.models import Stock
from weishang.orders import services
from weishang.orders.models import OrderStatus
from weishang.payments.providers import Notification
from weishang.payments.services import start_payment
from weishang.sales import services as sales
from weishang.sales.services import confirm_payment


def run(name, *args):
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def delivered_order(customer, sku):
    order = sales.place_order(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
    )
    payment = start_payment(order=order)
    confirm_payment(
        provider="sandbox",
        notification=Notification(
            payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
        ),
    )
    services.ship_order(actor=None, order=order, carrier="sf", tracking_no="SF1402837465920")
    return services.mark_delivered(actor=None, order=order, signed_at=timezone.now())


@pytest.mark.django_db
def test_expire_orders_cancels_only_overdue_orders_and_frees_their_stock(customer, sku):
    order = sales.place_order(
        customer=customer, items={sku.pk: 3}, address=customer.addresses.get()
    )
    assert "Expired 0 unpaid orders" in run("expire_orders")

    later = timezone.localtime(order.expires_at + timedelta(seconds=1))
    assert "Expired 1 unpaid order " in run("expire_orders", "--now", later.isoformat())

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancelled_at == later
    assert Stock.objects.get(sku=sku).reserved == 0
    assert "Expired 0" in run("expire_orders", "--now", later.isoformat())


@pytest.mark.django_db
def test_naive_now_is_read_as_local_time(customer, sku):
    order = sales.place_order(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
    )
    naive = timezone.localtime(order.expires_at).replace(tzinfo=None)
    assert "Expired 0" in run("expire_orders", "--now", (naive - timedelta(seconds=1)).isoformat())
    assert "Expired 1" in run("expire_orders", "--now", naive.isoformat())


@pytest.mark.django_db
def test_complete_orders_waits_for_the_return_window(customer, sku):
    order = delivered_order(customer, sku)
    signed = order.delivered_at

    assert "Completed 0 orders" in run("complete_orders")
    assert "Completed 0" in run(
        "complete_orders", "--now", (signed + timedelta(days=7)).isoformat()
    )
    assert "Completed 1 order " in run(
        "complete_orders", "--now", (signed + timedelta(days=9)).isoformat()
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


@pytest.mark.django_db
def test_bad_now_is_refused():
    with pytest.raises(CommandError, match="ISO 8601"):
        run("complete_orders", "--now", "next tuesday")
