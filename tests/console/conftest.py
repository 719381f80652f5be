"""Console fixtures: a signed-in operator reading English, and orders made through the services."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from weishang.orders import services as orders
from weishang.payments.providers import Notification
from weishang.payments.services import confirm_payment, start_payment


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def console(client, staff, brand):
    english(client)
    client.force_login(staff)
    return client


@pytest.fixture
def place(customer, sku):
    def make(*, who=None, item=None, quantity=1):
        who = who or customer
        return orders.place_order(
            customer=who, items={(item or sku).pk: quantity}, address=who.addresses.get()
        )

    return make


def pay(order):
    payment = start_payment(order=order)
    confirm_payment(
        provider="sandbox",
        notification=Notification(
            payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
        ),
    )
    order.refresh_from_db()
    return order


def deliver(order):
    orders.ship_order(order=order, carrier="顺丰", tracking_no=f"SF{order.pk}")
    orders.mark_delivered(order=order, signed_at=timezone.now())
    order.refresh_from_db()
    return order


@pytest.fixture
def paid_order(place):
    return pay(place())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
