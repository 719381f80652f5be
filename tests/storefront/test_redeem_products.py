"""The redeem centre's products for points: points alone are paid at once, points and cash go on
to the payment, bad input is a message that changes nothing."""

import pytest
from django.db import transaction
from django.utils import timezone

from weishang.loyalty import points, redemptions
from weishang.orders.models import Order, OrderStatus

from .test_member_pages import messages_of

pytestmark = pytest.mark.django_db
REDEEM = "/account/redeem/product/"


def give(customer, n):
    with transaction.atomic():
        points.grant_points(
            customer_id=customer.pk, points=n, key="g", reason="r", now=timezone.now()
        )


def test_the_redeem_centre_lists_products_in_a_fixed_number_of_queries(
    shopper, customer, staff, make_product, django_assert_max_num_queries
):
    redemptions.offer_redemption(actor=staff, sku_id=make_product().pk, points=100, cash_fen=0)
    shopper.get("/account/redeem/")
    with django_assert_max_num_queries(20) as one:
        shopper.get("/account/redeem/")
    for _ in range(3):
        redemptions.offer_redemption(actor=staff, sku_id=make_product().pk, points=100, cash_fen=0)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = shopper.get("/account/redeem/").content.decode()
    assert page.count('data-testid="redeem-product"') == 4


def test_points_alone_redeem_a_product_at_once(shopper, customer, staff, sku):
    offer = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=4_000, cash_fen=0)
    give(customer, 5_000)
    address = customer.addresses.get()
    response = shopper.post(
        REDEEM, {"redemption": offer.pk, "quantity": "1", "address": address.pk}
    )
    order = Order.objects.get()
    assert response.url == f"/orders/{order.number}/"
    assert (order.status, order.total_fen, order.points) == (OrderStatus.PAID, 0, 4_000)


def test_points_and_cash_go_on_to_the_payment(shopper, customer, staff, sku):
    offer = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=1_000, cash_fen=990)
    give(customer, 5_000)
    address = customer.addresses.get()
    response = shopper.post(
        REDEEM, {"redemption": offer.pk, "quantity": "2", "address": address.pk}
    )
    order = Order.objects.get()
    assert response.url.startswith("/payments/sandbox/")
    assert (order.status, order.total_fen, order.points) == (
        OrderStatus.PENDING_PAYMENT,
        1_980,
        2_000,
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"quantity": "０"}, "whole number from 1 to 99"),
        ({"quantity": "100"}, "whole number from 1 to 99"),
        ({"address": "999999"}, "your own delivery addresses"),
        ({"redemption": "999999"}, "no longer offered"),
        ({"redemption": "x"}, "Choose one of the products offered for points."),
    ],
)
def test_bad_input_is_a_message_and_places_nothing(shopper, customer, staff, sku, data, message):
    offer = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=100, cash_fen=0)
    give(customer, 5_000)
    form = {"redemption": offer.pk, "quantity": "1", "address": customer.addresses.get().pk}
    response = shopper.post(REDEEM, form | data, follow=True)
    assert any(message in text for text in messages_of(response)), messages_of(response)
    assert not Order.objects.exists()
    assert points.points_balance(customer.pk) == 5_000
