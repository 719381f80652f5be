"""Store tests read the pages in English, the source language, whatever the translations say."""

import pytest
from django.conf import settings

from tests.helpers import pay
from weishang.orders import services as orders
from weishang.sales import services as sales


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def shopper(client, brand, customer):
    """A signed-in customer's browser."""
    client.force_login(customer.user)
    return client


def place(customer, items, **kwargs):
    return sales.place_order(
        customer=customer, items=items, address=customer.addresses.get(), **kwargs
    )


def delivered(order, *, signed_at):
    """Pays, ships and signs for an order at ``signed_at``."""
    pay(order)
    orders.ship_order(
        actor=None, order=order, carrier="sf", tracking_no="SF1402837465920", now=signed_at
    )
    return orders.mark_delivered(actor=None, order=order, signed_at=signed_at)
