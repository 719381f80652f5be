"""The data migration turns the carrier names stored before the list into codes, keeps a name it
does not know as typed, and goes back to the names when reversed."""

import importlib

import pytest
from django.apps import apps

from tests.helpers import deliver, pay
from weishang.orders.models import Order
from weishang.sales import services as sales

migration = importlib.import_module("weishang.orders.migrations.0003_carrier_codes")


@pytest.mark.django_db
def test_stored_names_become_codes_and_unknown_names_are_kept(customer, sku):
    address = customer.addresses.get()
    orders = [
        deliver(pay(sales.place_order(customer=customer, items={sku.pk: 1}, address=address)))
        for _ in range(6)
    ]
    typed = ["顺丰速运", "中通快递", "圆通速递", "京东物流", "EMS", "某某物流"]
    for order, name in zip(orders, typed, strict=True):
        Order.objects.filter(pk=order.pk).update(carrier=name)

    migration.names_to_codes(apps, None)
    stored = [Order.objects.get(pk=o.pk).carrier for o in orders]
    assert stored == ["sf", "zto", "yto", "jd", "ems", "某某物流"]
    assert Order.objects.get(pk=orders[-1].pk).carrier_name == "某某物流"

    migration.codes_to_names(apps, None)
    assert [Order.objects.get(pk=o.pk).carrier for o in orders] == typed
