"""The brand's fulfilment over a staff API key: an order's detail, shipping it alone or in a
batch of waybills, delivering and cancelling it, and the stock of every SKU; each act is the
console's, audited with the key's maker as the actor."""

import pytest

from tests.helpers import bought
from weishang.compliance.models import AuditEntry
from weishang.inventory.models import Stock
from weishang.orders.models import Order, OrderStatus
from weishang.sales import services as sales

from .conftest import new_key

pytestmark = pytest.mark.django_db

WAYBILL = "SF1402837465920"


def _audit(action):
    """The entries of ``action`` written by a staff member (making products audits stock)."""
    return list(AuditEntry.objects.filter(action=action, actor__isnull=False))


# Order detail ------------------------------------------------------------------------------------


def test_an_order_detail_shows_the_delivery_in_full_only_to_roles_that_ship(
    operator, as_role, customer, sku, django_assert_max_num_queries
):
    order = bought(customer, sku, quantity=2)
    with django_assert_max_num_queries(12):
        full = operator.get(f"/brand/orders/{order.number}")
    assert full.status_code == 200
    body = full.json()
    assert (body["status"], body["can_ship"], body["can_cancel"]) == ("paid", True, False)
    assert body["status_label"] == "paid, awaiting shipment"
    assert body["delivery"]["recipient"] == order.recipient
    assert body["delivery"]["address"] == order.address
    assert [line["quantity"] for line in body["lines"]] == [2]
    masked = as_role("finance").get(f"/brand/orders/{order.number}").json()["delivery"]
    assert masked["address"] == order.city and masked["recipient"] == order.recipient[0] + "*"
    assert masked["mobile"] == customer.mobile[:3] + "****" + customer.mobile[-4:]


def test_an_unknown_order_is_not_found(operator):
    response = operator.get("/brand/orders/WS404")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


# Shipping ----------------------------------------------------------------------------------------


def test_shipping_an_order_is_audited_once_with_the_keys_maker_even_when_sent_twice(
    operator, staff, customer, sku
):
    order = bought(customer, sku)
    key = new_key()
    body = {"carrier": "sf", "tracking_no": WAYBILL}
    first = operator.post(f"/brand/orders/{order.number}/ship", body, key=key)
    assert first.status_code == 200, first.json()
    assert (first.json()["status"], first.json()["tracking_no"]) == ("shipped", WAYBILL)
    assert first.json()["carrier_name"]
    again = operator.post(f"/brand/orders/{order.number}/ship", body, key=key)
    assert again.json() == first.json()
    [entry] = _audit("order.ship")
    assert entry.actor == staff
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED


def test_a_waybill_of_the_wrong_shape_is_refused_as_the_console_refuses_it(operator, customer, sku):
    order = bought(customer, sku)
    response = operator.post(
        f"/brand/orders/{order.number}/ship", {"carrier": "sf", "tracking_no": "SF9"}, key=new_key()
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_input", "tracking_no")
    unknown = operator.post(
        f"/brand/orders/{order.number}/ship",
        {"carrier": "pigeon", "tracking_no": WAYBILL},
        key=new_key(),
    )
    assert (unknown.status_code, unknown.json()["field"]) == (422, "carrier")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID and not _audit("order.ship")


def test_shipping_needs_an_idempotency_key_and_a_role_that_ships(as_role, customer, sku):
    order = bought(customer, sku)
    body = {"carrier": "sf", "tracking_no": WAYBILL}
    missing = as_role("operator").post(f"/brand/orders/{order.number}/ship", body)
    assert (missing.status_code, missing.json()["field"]) == (422, "Idempotency-Key")
    refused = as_role("finance", "zh-hans").post(
        f"/brand/orders/{order.number}/ship", body, key=new_key()
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert "订单" in refused.json()["message"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID and not _audit("order.ship")


def test_an_order_not_paid_is_not_shipped(operator, customer, sku):
    order = bought(customer, sku)
    sales.cancel_order(order=order, by_brand=False)
    response = operator.post(
        f"/brand/orders/{order.number}/ship",
        {"carrier": "sf", "tracking_no": WAYBILL},
        key=new_key(),
    )
    assert response.status_code == 400 and response.json()["message"]


def test_delivering_and_cancelling_are_the_consoles_acts(operator, staff, customer, sku):
    order = bought(customer, sku)
    operator.post(
        f"/brand/orders/{order.number}/ship",
        {"carrier": "sf", "tracking_no": WAYBILL},
        key=new_key(),
    )
    future = operator.post(
        f"/brand/orders/{order.number}/deliver", {"signed_at": "2999-01-01T10:00:00+08:00"}
    )
    assert (future.status_code, future.json()["field"]) == (422, "signed_at")
    delivered = operator.post(f"/brand/orders/{order.number}/deliver", {})
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    assert delivered.json()["return_window_end"]
    assert [entry.actor for entry in _audit("order.deliver")] == [staff]
    unpaid = sales.place_order(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
    )
    cancelled = operator.post(
        f"/brand/orders/{unpaid.number}/cancel", {"reason": "客户要求"}, key=new_key()
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "客户要求"


# Batch shipping ----------------------------------------------------------------------------------


def test_a_batch_ships_each_good_row_and_reports_each_bad_one(operator, staff, customer, sku):
    first, second, third = (bought(customer, sku) for _n in range(3))
    rows = [
        {"order_number": first.number, "carrier": "sf", "waybill": WAYBILL},
        {"order_number": second.number, "carrier": "sf", "waybill": "SF9"},
        {"order_number": "WS-NONE", "carrier": "sf", "waybill": "SF1402837465921"},
        {"order_number": third.number, "carrier": "顺丰速运", "waybill": "SF1402837465922"},
    ]
    response = operator.post("/brand/shipments", {"rows": rows}, key=new_key())
    assert response.status_code == 200, response.json()
    report = response.json()
    assert (report["shipped"], report["already_shipped"], report["refused"]) == (2, 0, 2)
    assert [row["outcome"] for row in report["rows"]] == [
        "shipped",
        "refused",
        "refused",
        "shipped",
    ]
    assert [row["line"] for row in report["rows"]] == [1, 2, 3, 4]
    assert "WS-NONE" in report["rows"][2]["message"]
    assert Order.objects.get(pk=second.pk).status == OrderStatus.PAID
    assert len(_audit("order.ship")) == 2
    [batch] = _audit("order.ship_import")
    assert batch.actor == staff
    again = operator.post("/brand/shipments", {"rows": rows[:1]}, key=new_key())
    assert again.json()["already_shipped"] == 1 and again.json()["shipped"] == 0
    assert len(_audit("order.ship")) == 2


def test_a_batch_must_hold_rows_and_a_role_that_ships(operator, as_role, customer, sku):
    empty = operator.post("/brand/shipments", {"rows": []}, key=new_key())
    assert (empty.status_code, empty.json()["field"]) == (422, "rows")
    order = bought(customer, sku)
    rows = [{"order_number": order.number, "carrier": "sf", "waybill": WAYBILL}]
    refused = as_role("customer_service").post("/brand/shipments", {"rows": rows}, key=new_key())
    assert refused.status_code == 403
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID


# Stock -------------------------------------------------------------------------------------------


def test_the_stock_list_pages_every_sku_in_few_queries(
    as_role, make_product, django_assert_max_num_queries
):
    skus = [make_product(stock=10 + n) for n in range(5)]
    auditor = as_role("auditor")
    with django_assert_max_num_queries(6):
        first = auditor.get("/brand/skus", {"limit": 3}).json()
    rest = auditor.get("/brand/skus", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert rest["next_cursor"] is None
    rows = first["items"] + rest["items"]
    assert [row["id"] for row in rows] == [sku.pk for sku in skus]
    assert [row["on_hand"] for row in rows] == [10, 11, 12, 13, 14]
    assert rows[0]["available"] == 10 and rows[0]["product_name"] == skus[0].product.name


def test_setting_stock_is_audited_and_never_below_what_orders_reserve(
    operator, staff, customer, sku
):
    key = new_key()
    response = operator.post(f"/brand/skus/{sku.pk}/stock", {"on_hand": 7}, key=key)
    assert response.status_code == 200 and response.json()["on_hand"] == 7
    assert operator.post(f"/brand/skus/{sku.pk}/stock", {"on_hand": 7}, key=key).json() == (
        response.json()
    )
    [entry] = _audit("stock.set")
    assert (entry.actor, entry.after) == (staff, {"sku": sku.pk, "on_hand": 7})
    sales.place_order(customer=customer, items={sku.pk: 3}, address=customer.addresses.get())
    below = operator.post(f"/brand/skus/{sku.pk}/stock", {"on_hand": 2}, key=new_key())
    assert below.status_code == 400 and "3" in below.json()["message"]
    negative = operator.post(f"/brand/skus/{sku.pk}/stock", {"on_hand": -1}, key=new_key())
    assert (negative.status_code, negative.json()["field"]) == (422, "on_hand")
    missing = operator.post("/brand/skus/999999/stock", {"on_hand": 1}, key=new_key())
    assert missing.status_code == 404
    assert Stock.objects.get(sku=sku).on_hand == 7 and len(_audit("stock.set")) == 1


def test_a_role_that_may_not_change_stock_is_refused(as_role, sku):
    response = as_role("finance").post(f"/brand/skus/{sku.pk}/stock", {"on_hand": 1}, key=new_key())
    assert response.status_code == 403
    assert Stock.objects.get(sku=sku).on_hand == 100 and not _audit("stock.set")


# Packing list ------------------------------------------------------------------------------------


def test_the_packing_list_picks_the_asked_orders_in_few_queries(
    operator, as_role, customer, sku, make_product, django_assert_max_num_queries
):
    other = make_product(name="骏枣")
    first = bought(customer, sku, quantity=2)
    second = bought(customer, sku)
    third = bought(customer, other)
    with django_assert_max_num_queries(6):
        response = operator.get("/brand/packing", {"order": [first.number, second.number, "WS0"]})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [order["number"] for order in body["orders"]] == [first.number, second.number]
    assert body["picks"] == [
        {
            "sku_code": sku.code,
            "product_name": sku.product.name,
            "sku_name": sku.name,
            "quantity": 3,
        }
    ]
    assert body["left_out"] == 1
    assert body["orders"][0]["delivery"]["address"] == first.address
    every = operator.get("/brand/packing", {"unshipped": "true"}).json()
    assert [order["number"] for order in every["orders"]] == [
        first.number,
        second.number,
        third.number,
    ]
    # Finance ships nothing, so it opens no list of delivery addresses (PIPL Art. 6).
    assert as_role("finance").get("/brand/packing", {"unshipped": "true"}).status_code == 403
    assert operator.get("/brand/packing").json()["orders"] == []


def test_too_many_orders_on_one_packing_list_are_refused(operator):
    response = operator.get("/brand/packing", {"order": [f"WS{n}" for n in range(201)]})
    assert (response.status_code, response.json()["field"]) == (422, "order")


def test_the_order_list_searches_and_counts_orders_by_status(operator, customer, sku):
    paid = bought(customer, sku)
    unpaid = sales.place_order(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
    )
    found = operator.get("/brand/orders", {"q": paid.number[-6:]}).json()["items"]
    assert [order["number"] for order in found] == [paid.number]
    by_mobile = operator.get("/brand/orders", {"q": customer.mobile}).json()["items"]
    assert {order["number"] for order in by_mobile} == {paid.number, unpaid.number}
    counts = {row["status"]: row["count"] for row in operator.get("/brand/order-counts").json()}
    assert (counts["paid"], counts["pending_payment"], counts["shipped"]) == (1, 1, 0)
    bad = operator.get("/brand/orders", {"q": "x" * 41})
    assert (bad.status_code, bad.json()["field"]) == (422, "q")
