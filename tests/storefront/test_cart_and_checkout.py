from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from weishang.catalog.services import schedule_price_period
from weishang.inventory.models import Stock
from weishang.orders.models import Order
from weishang.orders.services import add_to_cart
from weishang.payments import services as payments
from weishang.payments.models import Payment

pytestmark = pytest.mark.django_db


def place_form(customer, lines, *, total, confirm=False, address=None):
    data = {"address": (address or customer.addresses.get()).pk, "expected_total_fen": total}
    data |= {f"qty_{sku.pk}": qty for sku, qty in lines}
    if confirm:
        data["confirm_return_exclusion"] = "on"
    return data


def test_cart_shows_lines_updates_and_removes(shopper, customer, make_product):
    a, b = make_product(price_fen=1000), make_product(price_fen=2500)
    add_to_cart(customer=customer, sku_id=a.pk, quantity=2)
    add_to_cart(customer=customer, sku_id=b.pk, quantity=1)
    response = shopper.get("/cart/")
    assert response.context["total_fen"] == 4500
    assert "¥45.00" in response.content.decode()
    shopper.post("/cart/", {"sku": a.pk, "quantity": "3"})
    assert shopper.get("/cart/").context["total_fen"] == 5500
    shopper.post("/cart/", {"sku": b.pk, "quantity": "1", "remove": "1"})
    assert list(customer.cart_items.values_list("sku_id", flat=True)) == [a.pk]
    response = shopper.post("/cart/", {"sku": a.pk, "quantity": "500"})
    assert "Quantity must be a whole number from 1 to 99." in response.content.decode()
    assert customer.cart_items.get().quantity == 3


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(shopper):
    response = shopper.get("/checkout/", follow=True)
    assert response.redirect_chain[-1][0] == "/cart/"
    assert "Your cart is empty." in response.content.decode()


def test_review_shows_lines_address_and_total_and_quantities_can_be_edited(
    shopper, customer, make_product
):
    a, b = make_product(price_fen=1000), make_product(price_fen=2500)
    add_to_cart(customer=customer, sku_id=a.pk, quantity=2)
    add_to_cart(customer=customer, sku_id=b.pk, quantity=1)
    response = shopper.get("/checkout/")
    page = response.content.decode()
    assert response.context["total_fen"] == 4500
    assert 'name="expected_total_fen" value="4500"' in page
    assert f'name="qty_{a.pk}"' in page and 'action="/checkout/place/"' in page
    assert "世纪大道100号" in page
    assert "confirm_return_exclusion" not in page  # nothing excludable in this order
    address = customer.addresses.get()
    response = shopper.post(
        "/checkout/", {f"qty_{a.pk}": "5", f"qty_{b.pk}": "0", "address": address.pk}
    )
    assert response.context["total_fen"] == 5000
    assert 'name="expected_total_fen" value="5000"' in response.content.decode()
    # Editing the review writes nothing: the cart still holds what the customer put there.
    assert dict(customer.cart_items.values_list("sku_id", "quantity")) == {a.pk: 2, b.pk: 1}


def test_review_refuses_a_nonsense_quantity(shopper, customer, sku):
    response = shopper.post("/checkout/", {f"qty_{sku.pk}": "two"})
    assert "Quantity must be a whole number" in response.content.decode()
    assert response.context["total_fen"] == 0


def test_review_without_an_address_links_to_adding_one(shopper, customer, sku):
    customer.addresses.all().delete()
    add_to_cart(customer=customer, sku_id=sku.pk, quantity=1)
    page = shopper.get("/checkout/").content.decode()
    assert "You have no delivery address yet." in page
    assert "/account/?next=/checkout/" in page


def test_place_order_reserves_stock_and_redirects_to_the_sandbox_pay_page(
    shopper, customer, make_product
):
    a = make_product(price_fen=1000)
    add_to_cart(customer=customer, sku_id=a.pk, quantity=2)
    response = shopper.post("/checkout/place/", place_form(customer, [(a, "3")], total=3000))
    order = Order.objects.get(customer=customer)
    payment = Payment.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == f"/payments/sandbox/{payment.number}/"
    assert (order.total_fen, payment.amount_fen) == (3000, 3000)
    assert order.lines.get().quantity == 3
    assert Stock.objects.get(sku=a).reserved == 3
    assert not customer.cart_items.exists()
    assert shopper.get(response["Location"]).status_code == 200
    # The payment was opened with the order: paying later from the order's page reuses it.
    assert payments.start_payment(order=order) == payment


def test_excludable_goods_need_the_ticked_confirmation(shopper, customer, make_product):
    sku = make_product(
        price_fen=2000, return_class="excludable", exclusion_reason="拆封后影响二次销售"
    )
    add_to_cart(customer=customer, sku_id=sku.pk, quantity=1)
    page = shopper.get("/checkout/").content.decode()
    assert "拆封后影响二次销售" in page
    assert (
        '<input type="checkbox" name="confirm_return_exclusion" >' in page
    )  # not ticked by default

    response = shopper.post("/checkout/place/", place_form(customer, [(sku, "1")], total=2000))
    assert response.status_code == 200
    assert "Tick the box to confirm" in response.content.decode()
    assert not Order.objects.exists()
    assert Stock.objects.get(sku=sku).reserved == 0

    response = shopper.post(
        "/checkout/place/", place_form(customer, [(sku, "1")], total=2000, confirm=True)
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.return_exclusion_confirmed
    assert not order.lines.get().returnable


def test_a_price_change_after_review_is_refused_and_changes_nothing(
    shopper, customer, make_product
):
    sku = make_product(price_fen=3990)
    add_to_cart(customer=customer, sku_id=sku.pk, quantity=2)
    reviewed_total = shopper.get("/checkout/").context["total_fen"]
    now = timezone.now()
    schedule_price_period(
        actor=None,
        sku=sku,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=1),
        price_fen=4990,
    )
    response = shopper.post(
        "/checkout/place/", place_form(customer, [(sku, "2")], total=reviewed_total)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Prices or the freight have changed since you reviewed your order" in page
    assert 'name="expected_total_fen" value="9980"' in page  # the new review, ready to accept
    assert not Order.objects.exists()
    assert Stock.objects.get(sku=sku).reserved == 0
    assert customer.cart_items.get().quantity == 2


def test_out_of_stock_is_refused_with_the_review_shown_again(shopper, customer, make_product):
    sku = make_product(price_fen=1000, stock=1)
    response = shopper.post("/checkout/place/", place_form(customer, [(sku, "2")], total=2000))
    assert response.status_code == 200
    assert "Only 1 left" in response.content.decode()
    assert f'name="qty_{sku.pk}"' in response.content.decode()
    assert not Order.objects.exists()


def test_missing_total_or_someone_elses_address_is_refused(shopper, customer, make_customer, sku):
    data = place_form(customer, [(sku, "1")], total=3990)
    del data["expected_total_fen"]
    assert "Please review your order" in shopper.post("/checkout/place/", data).content.decode()
    other = make_customer()
    data = place_form(customer, [(sku, "1")], total=3990, address=other.addresses.get())
    assert "Choose a delivery address." in shopper.post("/checkout/place/", data).content.decode()
    assert not Order.objects.exists()


def test_place_order_needs_a_login(client, brand, customer, sku):
    response = client.post("/checkout/place/", place_form(customer, [(sku, "1")], total=3990))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Order.objects.exists()


def test_place_order_query_count(shopper, customer, make_product):
    """Few queries, and the same number however many lines the order has."""

    def count_queries(n_lines):
        skus = [make_product(price_fen=1000) for _ in range(n_lines)]
        data = place_form(customer, [(sku, "1") for sku in skus], total=1000 * n_lines)
        with CaptureQueriesContext(connection) as captured:
            response = shopper.post("/checkout/place/", data)
        assert response.status_code == 302
        return len(captured)

    one, three = count_queries(1), count_queries(3)
    # 23 before the freight template was read, 24 before the member tier and coupons were
    assert one <= 26
    assert three == one
