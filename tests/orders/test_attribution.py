"""The order records, when placed, which distributor it is attributed to and the buyer's device."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weishang.distribution.binding import bind_customer, reassign_customer
from weishang.distribution.models import ProgrammeSettings
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


def place(customer, sku, **kwargs):
    return sales.place_order(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get(), **kwargs
    )


def test_an_unbound_customers_order_is_nobodys(customer, sku):
    order = place(customer, sku)
    assert order.distributor is None
    assert order.device_id == ""


def test_order_is_attributed_to_the_bound_distributor_and_keeps_the_device(
    customer, sku, make_distributor
):
    alice = make_distributor()
    bind_customer(customer=customer, distributor=alice, source="qr")
    order = place(customer, sku, device_id="dev-abc123")
    order.refresh_from_db()
    assert (order.distributor, order.device_id) == (alice, "dev-abc123")


def test_attribution_is_fixed_at_placement(customer, sku, make_distributor, staff):
    alice, bob = make_distributor(), make_distributor()
    bind_customer(customer=customer, distributor=alice, source="qr")
    first = place(customer, sku)
    reassign_customer(customer=customer, distributor=bob, actor=staff, reason="客户投诉")
    second = place(customer, sku)
    first.refresh_from_db()
    assert (first.distributor, second.distributor) == (alice, bob)


def test_an_expired_window_attributes_nothing(customer, sku, make_distributor):
    alice = make_distributor()
    now = timezone.now()
    bind_customer(customer=customer, distributor=alice, source="qr", at=now - timedelta(days=31))
    assert place(customer, sku, now=now).distributor is None


@pytest.mark.parametrize("earns", [False, True])
def test_a_distributors_own_purchase(make_distributor, sku, earns):
    ProgrammeSettings.objects.create(self_purchase_earns=earns)
    me = make_distributor()
    assert place(me.customer, sku).distributor == (me if earns else None)


def _queries(customer, sku):
    with CaptureQueriesContext(connection) as ctx:
        place(customer, sku)
    return len(ctx.captured_queries)


def test_attribution_adds_one_query_to_placing_an_order(
    make_customer, make_distributor, make_product, monkeypatch
):
    """place_order is benchmarked: attribution costs one query for a customer, two for a
    distributor buying; an attributed order costs one more to read the plan in force, and one
    more for the prices he sets as a reseller (reseller.pricing)."""
    ProgrammeSettings.objects.create(self_purchase_earns=True)
    sku = make_product(stock=1000)
    unbound, bound = make_customer(), make_customer()
    buyer = make_distributor()
    bind_customer(customer=bound, distributor=make_distributor(), source="qr")
    place(unbound, sku)  # warm up caches (content types, savepoint support) before counting
    with_attribution = (_queries(bound, sku), _queries(unbound, sku), _queries(buyer.customer, sku))
    monkeypatch.setattr(sales, "attributed_distributor", lambda customer, at: None)
    without = _queries(unbound, sku)
    assert with_attribution == (without + 3, without + 1, without + 4)
