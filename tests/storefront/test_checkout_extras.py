"""The store's side of issue 8's checkout items: a visitor's cart kept across sign-in, freight in
the cart and at review, the buyer's note, "Buy now", and the address picker."""

import pytest
from django.urls import reverse

from weishang.customers.services import set_password
from weishang.orders.freight import DEFAULT
from weishang.orders.models import Order
from weishang.orders.services import add_to_cart, set_freight_rule

from .conftest import place
from .test_cart_and_checkout import place_form
from .test_hostile_forms import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db):
    set_freight_rule(actor=None, province_code=DEFAULT, fee_fen=800, free_from_fen=9900)
    set_freight_rule(actor=None, province_code="31", fee_fen=500)


def test_a_visitor_s_cart_is_kept_and_joins_his_cart_at_sign_in(
    client, brand, customer, make_product, template
):
    kept, also = make_product(price_fen=1000), make_product(price_fen=2000)
    add_to_cart(customer=customer, sku_id=kept.pk, quantity=1)
    for sku, quantity in ((kept, "2"), (also, "1")):
        url = reverse("storefront:product_detail", args=[sku.product.slug])
        response = client.post(url, {"sku": sku.pk, "quantity": quantity}, follow=True)
        assert "Added to your cart." in response.content.decode()
    page = client.get("/cart/")
    assert page.context["goods_fen"] == 4000 and page.context["freight_fen"] == 800
    assert "Sign in to order" in page.content.decode()
    client.post("/cart/", {"sku": also.pk, "quantity": "3"})
    set_password(customer=customer, password="a-long-secret-9")
    response = client.post(
        "/login/",
        {"action": "password", "mobile": customer.mobile, "password": "a-long-secret-9"},
    )
    assert response.status_code == 302
    assert dict(customer.cart_items.values_list("sku_id", "quantity")) == {kept.pk: 3, also.pk: 3}
    assert "cart" not in client.session
    page = client.get("/cart/")  # to his address in 上海: that province's own rule
    assert (page.context["goods_fen"], page.context["freight_fen"]) == (9000, 500)


def test_a_visitor_changes_only_what_is_in_his_cart_and_a_bad_quantity_is_a_message(
    client, brand, sku
):
    for stranger in ({"sku": sku.pk, "quantity": "2"}, {"quantity": "2"}, {"sku": "x"}):
        assert client.post("/cart/", stranger).status_code == 302
    assert not client.session.get("cart")
    client.post(f"/p/{sku.product.slug}/", {"sku": sku.pk, "quantity": "1"})
    response = client.post("/cart/", {"sku": sku.pk, "quantity": "x"})
    assert "Quantity must be a whole number" in " ".join(messages_of(response))
    assert client.session["cart"] == {str(sku.pk): 1}
    client.post("/cart/", {"sku": sku.pk, "remove": "1"})
    assert client.get("/cart/").context["lines"] == []


def test_the_cart_page_reads_a_fixed_number_of_queries(
    shopper, customer, make_product, template, django_assert_max_num_queries
):
    for _ in range(5):
        add_to_cart(customer=customer, sku_id=make_product().pk, quantity=1)
    with django_assert_max_num_queries(12):
        assert len(shopper.get("/cart/").context["lines"]) == 5


def test_review_shows_the_freight_and_the_order_keeps_the_note(shopper, customer, sku, template):
    add_to_cart(customer=customer, sku_id=sku.pk, quantity=1)
    review = shopper.get("/checkout/")
    assert (review.context["freight_fen"], review.context["total_fen"]) == (500, 4490)
    data = place_form(customer, [(sku, "1")], total=4490) | {"buyer_note": "请放门卫"}
    assert shopper.post("/checkout/place/", data).status_code == 302
    order = Order.objects.get()
    assert (order.freight_fen, order.total_fen, order.buyer_note) == (500, 4490, "请放门卫")
    assert "请放门卫" in shopper.get(f"/orders/{order.number}/").content.decode()


def test_the_console_shows_the_note_and_the_freight(client, customer, sku, staff, template):
    order = place(customer, {sku.pk: 1}, buyer_note="周末送")
    client.force_login(staff)
    page = client.get(f"/console/orders/{order.number}/").content.decode()
    assert "周末送" in page and "¥5.00" in page


def test_buy_now_orders_one_item_and_leaves_the_cart_alone(shopper, customer, make_product):
    in_cart, bought = make_product(price_fen=1000), make_product(price_fen=2500)
    add_to_cart(customer=customer, sku_id=in_cart.pk, quantity=2)
    url = reverse("storefront:product_detail", args=[bought.product.slug])
    response = shopper.post(url, {"sku": bought.pk, "quantity": "2", "buy_now": "1"})
    assert response["Location"] == f"/checkout/?buy={bought.pk}&qty=2"
    review = shopper.get(response["Location"])
    assert [line.sku.pk for line in review.context["lines"]] == [bought.pk]
    assert review.context["buy_now"] and 'name="buy_now" value="1"' in review.content.decode()
    # Adding an address on the way comes back to this review.
    assert f"next=/checkout/%3Fbuy%3D{bought.pk}%26qty%3D2" in review.content.decode()
    data = place_form(customer, [(bought, "2")], total=5000) | {"buy_now": "1"}
    assert shopper.post("/checkout/place/", data).status_code == 302
    assert Order.objects.get().lines.get().sku_id == bought.pk
    assert dict(customer.cart_items.values_list("sku_id", "quantity")) == {in_cart.pk: 2}


def test_buy_now_signed_out_comes_back_to_the_review_after_sign_in(client, brand, sku):
    url = reverse("storefront:product_detail", args=[sku.product.slug])
    response = client.post(url, {"sku": sku.pk, "quantity": "1", "buy_now": "1"})
    review = client.get(response["Location"])
    assert review.status_code == 302 and review["Location"].startswith("/login/?next=")
    assert "buy%3D" in review["Location"]


def test_the_picker_lists_cities_and_districts_with_or_without_script(shopper, customer):
    assert shopper.get("/account/divisions/?parent=33").json()["children"][0] == ["3301", "杭州市"]
    assert shopper.get("/account/divisions/?parent=abc").json() == {"children": []}
    form = {"action": "address", "recipient": "李四", "phone": "13912345678", "detail": "文三路1号"}
    page = shopper.post("/account/", form | {"province": "33", "pick": "1"})
    assert ("3301", "杭州市") in page.context["picker"]["cities"]
    assert customer.addresses.count() == 1  # only shown, not saved
    page = shopper.post("/account/", form | {"province": "33", "city": "3301", "pick": "1"})
    assert ("330106", "西湖区") in page.context["picker"]["districts"]
    # A district left from another city is not saved as a place the customer no longer sees.
    stale = form | {"province": "33", "city": "3302", "district_code": "330106"}
    assert shopper.post("/account/", stale).status_code == 200
    assert customer.addresses.count() == 1
    chosen = form | {"province": "33", "city": "3301", "district_code": "330106"}
    assert shopper.post("/account/", chosen).status_code == 302
    assert (
        customer.addresses.get(district_code="330106").one_line() == "浙江省杭州市西湖区文三路1号"
    )


def test_a_forged_division_code_is_refused(shopper, customer):
    forged = {
        "action": "address",
        "recipient": "李四",
        "phone": "13912345678",
        "detail": "x",
        "province": "33",
        "city": "3301",
        "district_code": "330199",
    }
    response = shopper.post("/account/", forged)
    assert "Choose the province, city and district from the lists." in messages_of(response)
    assert customer.addresses.count() == 1


def test_the_default_address_is_chosen_on_the_account_page(shopper, customer):
    chosen = {
        "action": "address",
        "recipient": "李四",
        "phone": "13912345678",
        "detail": "文三路1号",
        "province": "33",
        "city": "3301",
        "district_code": "330106",
    }
    shopper.post("/account/", chosen)  # the box "use as my default address" left unticked
    second = customer.addresses.get(district_code="330106")
    assert not second.is_default
    page = shopper.get("/account/").content.decode()
    assert 'data-testid="make-default"' in page
    shopper.post("/account/", {"action": "default_address", "address": second.pk})
    assert customer.addresses.get(is_default=True) == second
