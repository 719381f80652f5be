"""Console fixtures: a signed-in operator reading English, and orders made through the services."""

import pytest
from django.conf import settings
from django.test import Client

from tests.helpers import pay
from weishang.sales import services as sales


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
        return sales.place_order(
            customer=who, items={(item or sku).pk: quantity}, address=who.addresses.get()
        )

    return make


@pytest.fixture
def paid_order(place):
    return pay(place())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
