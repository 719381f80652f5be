"""The store over the API: the catalogue, addresses, reviewing and placing an order with an
Idempotency-Key, paying, cancelling and returning it; every list a keyset page with a bounded
number of queries."""

import io

import pytest
from django.core.management import call_command

from tests.helpers import bought, deliver
from weishang.api.models import IdempotentRequest
from weishang.catalog.models import Product
from weishang.inventory.models import Stock
from weishang.orders.models import Order, OrderStatus, ReturnRequest
from weishang.payments.models import Payment

from .conftest import new_key

pytestmark = pytest.mark.django_db


def test_the_catalogue_pages_by_cursor_in_few_queries(
    anonymous, brand, make_product, django_assert_max_num_queries
):
    for _n in range(5):
        make_product()
    Product.objects.create(name="草稿", slug="draft", category=Product.objects.first().category)
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(5):
            page = anonymous.get("/products", params).json()
        seen += [item["key"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [p.url_key for p in Product.objects.filter(status="published")]
    assert len(seen) == 5


def test_the_page_query_count_does_not_grow_with_the_page(
    anonymous, brand, make_product, django_assert_max_num_queries
):
    make_product()
    with django_assert_max_num_queries(5) as one:
        anonymous.get("/products")
    for _n in range(10):
        make_product()
    with django_assert_max_num_queries(len(one)):
        assert len(anonymous.get("/products").json()["items"]) == 11


def test_a_forged_cursor_is_a_clear_error(anonymous, brand):
    refused = anonymous.get("/products", {"cursor": "e30:forged"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_cursor"
    assert refused.json()["field"] == "cursor"


def test_a_product_shows_its_specifications_prices_and_stock(anonymous, sku):
    detail = anonymous.get(f"/products/{sku.product.url_key}").json()
    assert detail["name"] == sku.product.name
    assert detail["skus"] == [
        {
            "id": sku.pk,
            "name": "500g",
            "price_fen": 3990,
            "list_price_fen": 3990,
            "price_ends_at": None,
            "available": 100,
        }
    ]
    missing = anonymous.get("/products/no-such-thing")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "Not found.", "field": None}


def test_he_adds_an_address_from_the_division_code_and_makes_it_default(api, customer):
    added = api.post(
        "/addresses",
        {"recipient": "李雷", "phone": "13800138000", "district_code": "110105", "detail": "1号"},
    )
    assert added.status_code == 201
    assert (added.json()["province"], added.json()["is_default"]) == ("北京市", False)
    made = api.post(f"/addresses/{added.json()['id']}/default")
    assert made.json()["is_default"] is True
    assert [a["is_default"] for a in api.get("/addresses").json()] == [True, False]
    bad = api.post(
        "/addresses",
        {"recipient": "李雷", "phone": "13800138000", "district_code": "999999", "detail": "1号"},
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_division"


def test_someone_elses_address_cannot_be_made_default(api, make_customer):
    other = make_customer().addresses.get()
    assert api.post(f"/addresses/{other.pk}/default").json()["code"] == "no_address"


def _order(customer, sku, **extra):
    return {
        "items": [{"sku_id": sku.pk, "quantity": 2}],
        "address_id": customer.addresses.get().pk,
        **extra,
    }


def test_review_then_place_then_pay(api, customer, sku):
    review = api.post("/checkout/review", _order(customer, sku))
    assert review.status_code == 200
    total = review.json()["total_fen"]
    assert (
        total
        == review.json()["goods_fen"] + review.json()["freight_fen"]
        == 7980 + (review.json()["freight_fen"])
    )
    placed = api.post("/orders", _order(customer, sku, expected_total_fen=total), key=new_key())
    assert placed.status_code == 201
    order = Order.objects.get()
    assert placed.json()["number"] == order.number
    assert placed.json()["status"] == OrderStatus.PENDING_PAYMENT
    assert Stock.objects.get(sku=sku).reserved == 2
    paying = api.post(f"/orders/{order.number}/pay", key=new_key())
    assert paying.status_code == 200
    payment = Payment.objects.get()
    assert paying.json()["amount_fen"] == total
    assert paying.json()["pay_url"].endswith(f"/payments/sandbox/{payment.number}/")


def test_a_total_other_than_the_reviewed_one_places_nothing(api, customer, sku):
    refused = api.post("/orders", _order(customer, sku, expected_total_fen=1), key=new_key())
    assert refused.status_code == 400
    assert not Order.objects.exists()


def test_the_same_key_and_body_place_one_order_and_answer_the_same(api, customer, sku):
    body = _order(customer, sku, expected_total_fen=7980 + _freight(api, customer, sku))
    key = new_key()
    first = api.post("/orders", body, key=key)
    again = api.post("/orders", body, key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Order.objects.count() == 1
    assert Stock.objects.get(sku=sku).reserved == 2


def test_the_same_key_with_another_body_is_a_conflict(api, customer, sku):
    body = _order(customer, sku, expected_total_fen=7980 + _freight(api, customer, sku))
    key = new_key()
    api.post("/orders", body, key=key)
    other = api.post("/orders", {**body, "buyer_note": "快点"}, key=key)
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_a_refused_request_keeps_its_answer_under_its_key(api, customer, sku):
    body = _order(customer, sku, expected_total_fen=1)
    key = new_key()
    first = api.post("/orders", body, key=key)
    assert first.status_code == 400
    assert api.post("/orders", body, key=key).json() == first.json()
    assert IdempotentRequest.objects.get(key=key).status == 400


def test_keys_are_per_customer_and_expire(api, customer, sku, make_customer, as_customer):
    from django.utils import timezone

    body = _order(customer, sku, expected_total_fen=7980 + _freight(api, customer, sku))
    key = new_key()
    api.post("/orders", body, key=key)
    IdempotentRequest.objects.update(expires_at=timezone.now())
    assert api.post("/orders", body, key=key).status_code == 201
    assert Order.objects.count() == 2
    other = make_customer()
    body_other = _order(other, sku, expected_total_fen=body["expected_total_fen"])
    assert as_customer(other).post("/orders", body_other, key=key).status_code == 201
    IdempotentRequest.objects.update(expires_at=timezone.now())
    out = io.StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert out.getvalue().startswith("2 expired")
    assert not IdempotentRequest.objects.exists()


def test_a_post_that_moves_stock_needs_a_key(api, customer, sku):
    missing = api.post("/orders", _order(customer, sku, expected_total_fen=1))
    assert missing.status_code == 422
    assert missing.json()["field"] == "Idempotency-Key"


def _freight(api, customer, sku) -> int:
    return api.post("/checkout/review", _order(customer, sku)).json()["freight_fen"]


def test_his_orders_page_by_cursor_in_few_queries(
    api, customer, sku, django_assert_max_num_queries
):
    orders = [bought(customer, sku) for _n in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(6):
            page = api.get("/orders", params).json()
        seen += [item["number"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [order.number for order in reversed(orders)]


def test_someone_elses_order_looks_missing(api, make_customer, sku):
    theirs = bought(make_customer(), sku)
    for path in (f"/orders/{theirs.number}",):
        assert api.get(path).status_code == 404
    assert api.post(f"/orders/{theirs.number}/cancel", key=new_key()).status_code == 404


def test_he_cancels_a_paid_order_and_it_is_refunded(api, customer, sku):
    order = bought(customer, sku)
    cancelled = api.post(f"/orders/{order.number}/cancel", {"reason": "不要了"}, key=new_key())
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == OrderStatus.REFUNDED
    assert Stock.objects.get(sku=sku).reserved == 0


def test_he_returns_a_delivered_line(api, customer, sku):
    order = deliver(bought(customer, sku, quantity=2))
    line = order.lines.get()
    body = {"items": [{"line_id": line.pk, "quantity": 1}], "reason": "多买了"}
    returned = api.post(f"/orders/{order.number}/returns", body, key=new_key())
    assert returned.status_code == 201
    assert [r["status"] for r in returned.json()["returns"]] == ["requested"]
    assert ReturnRequest.objects.get().reason == "多买了"
    again = api.post(f"/orders/{order.number}/returns", body, key=new_key())
    assert again.status_code == 400


@pytest.mark.postgres
def test_racing_requests_with_one_key_place_one_order(postgres_only, customer, sku, as_customer):
    from tests.concurrency import run_in_parallel

    api = as_customer(customer)
    body = _order(customer, sku, expected_total_fen=7980 + _freight(api, customer, sku))
    key = new_key()
    answers = run_in_parallel(lambda _i: as_customer(customer).post("/orders", body, key=key), 4)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    assert Order.objects.count() == 1
    assert Stock.objects.get(sku=sku).reserved == 2
    replay = api.post("/orders", body, key=key)
    assert replay.status_code == 201
    assert replay.json()["number"] == Order.objects.get().number


def test_his_cart_is_filled_changed_and_emptied_by_placing_from_it(api, customer, make_product):
    first, second = make_product(), make_product(price_fen=1000)
    api.post("/cart/items", {"sku_id": first.pk, "quantity": 1})
    cart = api.post("/cart/items", {"sku_id": second.pk, "quantity": 2}).json()
    assert [(line["sku_id"], line["quantity"]) for line in cart["lines"]] == [
        (first.pk, 1),
        (second.pk, 2),
    ]
    assert cart["goods_fen"] == 3990 + 2000
    cart = api.put(f"/cart/items/{first.pk}", {"quantity": 0}).json()
    assert [line["sku_id"] for line in cart["lines"]] == [second.pk]
    body = {
        "items": [{"sku_id": second.pk, "quantity": 2}],
        "address_id": customer.addresses.get().pk,
    }
    total = api.post("/checkout/review", body).json()["total_fen"]
    placed = api.post(
        "/orders", {**body, "expected_total_fen": total, "from_cart": True}, key=new_key()
    )
    assert placed.status_code == 201
    assert api.get("/cart").json()["lines"] == []


def test_he_confirms_receipt_of_a_shipped_order(api, customer, sku):
    from weishang.orders import services as orders

    order = bought(customer, sku)
    orders.ship_order(actor=None, order=order, carrier="sf", tracking_no=f"SF{order.pk:013d}")
    confirmed = api.post(f"/orders/{order.number}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == OrderStatus.DELIVERED
    assert api.post(f"/orders/{order.number}/confirm").status_code == 400


def test_he_gives_the_parcel_of_an_approved_return(api, customer, sku, staff):
    from weishang.orders import after_sales
    from weishang.orders import services as orders

    after_sales.add_return_address(
        actor=staff, recipient="退货组", phone="0996-1234567", address="新疆若羌县枣园路1号"
    )
    order = deliver(bought(customer, sku, quantity=2))
    rr = orders.request_return(order=order, customer=customer, quantities={order.lines.get().pk: 1})
    orders.approve_return(return_request=rr, actor=staff)
    url = f"/orders/{order.number}/returns/{rr.number}/parcel"
    bad = api.post(url, {"carrier": "sf", "tracking_no": "123"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "tracking_no"
    assert "is not a SF Express waybill number" in bad.json()["message"]
    unknown = api.post(url, {"carrier": "dhl", "tracking_no": "1"}).json()
    assert (unknown["field"], unknown["message"]) == ("carrier", "Choose a carrier from the list.")
    good = api.post(url, {"carrier": "sf", "tracking_no": "SF1402837465920"})
    assert good.status_code == 200
    rr.refresh_from_db()
    assert (rr.return_carrier, rr.return_tracking_no) == ("sf", "SF1402837465920")
    missing = f"/orders/{order.number}/returns/R-nope/parcel"
    assert api.post(missing, {"carrier": "sf", "tracking_no": "SF1402837465920"}).status_code == 404
