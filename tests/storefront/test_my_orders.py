from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import pay
from weishang.inventory.models import Stock
from weishang.orders import services as orders
from weishang.orders.models import OrderStatus, ReturnRequest
from weishang.payments.models import Payment

from .conftest import delivered, place

pytestmark = pytest.mark.django_db


def test_order_list_query_count_does_not_grow_with_orders(
    shopper, customer, sku, django_assert_num_queries
):
    place(customer, {sku.pk: 1})
    # session, user, customer, brand footer, page count, orders, their lines
    with django_assert_num_queries(6):
        shopper.get("/orders/")
    for _ in range(4):
        place(customer, {sku.pk: 2})
    with django_assert_num_queries(6):
        response = shopper.get("/orders/")
    assert response.content.decode().count('data-testid="order-card"') == 5


def test_order_list_shows_only_my_orders(shopper, customer, make_customer, sku):
    mine = place(customer, {sku.pk: 1})
    theirs = place(make_customer(), {sku.pk: 1})
    page = shopper.get("/orders/").content.decode()
    assert mine.number in page and theirs.number not in page


def test_someone_elses_order_is_not_found(shopper, make_customer, sku):
    theirs = place(make_customer(), {sku.pk: 1})
    for suffix in ("", "pay/", "cancel/", "return/"):
        method = shopper.get if not suffix else shopper.post
        assert method(f"/orders/{theirs.number}/{suffix}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PENDING_PAYMENT


def test_pending_order_can_be_paid_from_its_page(shopper, customer, sku):
    order = place(customer, {sku.pk: 2})
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert "Awaiting payment" in page and 'data-testid="pay"' in page
    response = shopper.post(f"/orders/{order.number}/pay/")
    payment = Payment.objects.get(order=order)
    assert response["Location"] == f"/payments/sandbox/{payment.number}/"
    # Coming back to pay again reuses the same payment.
    assert shopper.post(f"/orders/{order.number}/pay/")["Location"] == response["Location"]


def test_paid_order_cannot_be_paid_again(shopper, customer, sku):
    order = pay(place(customer, {sku.pk: 1}))
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="pay"' not in page
    response = shopper.post(f"/orders/{order.number}/pay/", follow=True)
    assert "This order is not awaiting payment." in response.content.decode()


def test_cancel_an_unpaid_order_frees_the_stock(shopper, customer, sku):
    order = place(customer, {sku.pk: 2})
    response = shopper.post(f"/orders/{order.number}/cancel/", follow=True)
    assert "Your order is cancelled." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Stock.objects.get(sku=sku).reserved == 0


def test_cancel_a_paid_unshipped_order_refunds_it(shopper, customer, sku):
    order = pay(place(customer, {sku.pk: 1}))
    response = shopper.post(f"/orders/{order.number}/cancel/", follow=True)
    page = response.content.decode()
    assert "payment is being refunded" in page
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.REFUNDED, order.total_fen)
    assert 'data-testid="refunded"' in page


def test_shipped_order_cannot_be_cancelled(shopper, customer, sku):
    order = pay(place(customer, {sku.pk: 1}))
    orders.ship_order(actor=None, order=order, carrier="sf", tracking_no="SF1402837465920")
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="cancel"' not in page
    shopper.post(f"/orders/{order.number}/cancel/")
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


def test_order_page_shows_timeline_lines_and_totals(shopper, customer, make_product):
    sku = make_product(name="若羌灰枣", price_fen=3990)
    order = delivered(place(customer, {sku.pk: 2}), signed_at=timezone.now() - timedelta(days=1))
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    for text in (
        "Placed",
        "Paid",
        "Shipped",
        "Signed for",
        "SF Express",
        "SF1402837465920",
        "若羌灰枣",
        "500g",
    ):
        assert text in page, text
    assert "¥39.90 × 2" in page and "¥79.80" in page
    assert "No-reason returns are open until" in page
    assert 'data-testid="return-form"' in page


def test_return_request_inside_the_window(shopper, customer, make_product):
    a, b = make_product(price_fen=1000), make_product(price_fen=2000)
    order = delivered(
        place(customer, {a.pk: 2, b.pk: 1}), signed_at=timezone.now() - timedelta(days=2)
    )
    line_a = order.lines.get(sku=a)
    response = shopper.post(
        f"/orders/{order.number}/return/",
        {
            f"return_{line_a.pk}": "1",
            f"return_{order.lines.get(sku=b).pk}": "",
            "reason": "不想要了",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Your return request is sent." in page
    rr = ReturnRequest.objects.get(order=order)
    assert (rr.refund_fen, rr.reason) == (1000, "不想要了")
    assert 'data-testid="return"' in page and "¥10.00" in page
    assert 'data-testid="return-form"' not in page  # one return at a time


def test_return_request_shows_rejection_and_refund_due_date(shopper, customer, sku):
    order = delivered(place(customer, {sku.pk: 2}), signed_at=timezone.now() - timedelta(days=1))
    line = order.lines.get()
    first = orders.request_return(order=order, customer=customer, quantities={line.pk: 1})
    orders.reject_return(actor=None, return_request=first, reason="商品已拆封")
    second = orders.request_return(order=order, customer=customer, quantities={line.pk: 1})
    orders.approve_return(actor=None, return_request=second)
    received = orders.receive_return(actor=None, return_request=second)
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert "商品已拆封" in page
    assert f"Refund due by {timezone.localtime(received.refund_due_at):%Y-%m-%d}" in page


def test_return_request_outside_the_window_is_refused(shopper, customer, sku):
    order = delivered(place(customer, {sku.pk: 1}), signed_at=timezone.now() - timedelta(days=10))
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="return-form"' not in page
    response = shopper.post(
        f"/orders/{order.number}/return/", {f"return_{order.lines.get().pk}": "1"}
    )
    assert response.status_code == 200
    assert "return window closed" in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_return_of_more_than_bought_is_refused(shopper, customer, sku):
    order = delivered(place(customer, {sku.pk: 1}), signed_at=timezone.now())
    line = order.lines.get()
    response = shopper.post(f"/orders/{order.number}/return/", {f"return_{line.pk}": "3"})
    assert "You can return at most 1" in response.content.decode()
    assert f'name="return_{line.pk}"' in response.content.decode()
    assert 'value="3"' in response.content.decode()  # what the customer typed is kept
    assert not ReturnRequest.objects.exists()


def test_goods_excluded_from_returns_are_not_offered(shopper, customer, make_product):
    sku = make_product(return_class="perishable")
    order = delivered(place(customer, {sku.pk: 1}), signed_at=timezone.now())
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="return-form"' not in page
    assert "no no-reason return" in page
