from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import pay
from weishang.inventory.models import Stock
from weishang.orders import services
from weishang.orders.errors import OrderError
from weishang.orders.models import OrderStatus
from weishang.sales import services as sales


@pytest.mark.django_db
def test_order_goes_from_placement_to_completion(customer, sku):
    order = sales.place_order(
        customer=customer, items={sku.pk: 2}, address=customer.addresses.get()
    )
    assert order.total_fen == 2 * 3990
    assert Stock.objects.get(sku=sku).reserved == 2
    pay(order)
    assert order.status == OrderStatus.PAID
    services.ship_order(actor=None, order=order, carrier="sf", tracking_no="SF1402837465920")
    stock = Stock.objects.get(sku=sku)
    assert (stock.on_hand, stock.reserved) == (98, 0)
    signed = timezone.now()
    services.mark_delivered(actor=None, order=order, signed_at=signed)
    assert services.complete_orders(now=signed + timedelta(days=7)) == []
    assert len(services.complete_orders(now=signed + timedelta(days=9))) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


@pytest.mark.django_db
def test_brand_cannot_cancel_a_paid_order(customer, sku):
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    )
    with pytest.raises(OrderError, match="49"):
        sales.cancel_order(order=order, by_brand=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
