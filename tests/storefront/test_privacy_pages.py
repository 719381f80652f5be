"""The privacy page: a copy of my data (JSON and HTML), corrections, closing the account."""

import json

import pytest
from django.utils import timezone

from weishang.customers.models import Customer
from weishang.orders.models import Order

from .conftest import delivered, place

pytestmark = pytest.mark.django_db


def test_account_page_links_to_the_privacy_page(shopper):
    page = shopper.get("/account/").content.decode()
    assert 'href="/account/privacy/"' in page


def test_privacy_page_says_what_is_deleted_and_what_is_kept(shopper):
    page = shopper.get("/account/privacy/").content.decode()
    assert "Deleted at once" in page and "E-commerce Law Art. 31" in page
    assert "what you wrote in complaints" in page
    assert 'data-testid="closure-blockers"' not in page


def test_json_copy_is_an_attachment_with_my_data_only(shopper, customer, make_customer, sku):
    mine = delivered(place(customer, {sku.pk: 2}), signed_at=timezone.now())
    theirs = place(make_customer("13700000009"), {sku.pk: 1})
    response = shopper.get("/account/privacy/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content.decode())
    assert data["profile"]["mobile"] == customer.mobile
    assert [o["number"] for o in data["orders"]] == [mine.number]
    assert data["orders"][0]["lines"][0]["quantity"] == 2
    assert theirs.number not in response.content.decode()


def test_html_copy_renders_with_a_bounded_number_of_queries(
    shopper, customer, sku, django_assert_max_num_queries
):
    delivered(place(customer, {sku.pk: 1}), signed_at=timezone.now())
    # 32, and one for his team and its history (teams).
    with django_assert_max_num_queries(33) as first:
        response = shopper.get("/account/privacy/export/")
    page = response.content.decode()
    assert customer.mobile in page and "世纪大道100号" in page
    for _ in range(4):
        delivered(place(customer, {sku.pk: 2}), signed_at=timezone.now())
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = shopper.get("/account/privacy/export/").content.decode()
    assert page.count('data-testid="order"') == 5


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/account/privacy/", "/account/privacy/export/", "/account/privacy/export.json"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_nickname_correction_from_the_page(shopper, customer):
    response = shopper.post("/account/privacy/", {"action": "nickname", "nickname": "枣迷"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.nickname == "枣迷"


def test_mobile_change_from_the_page_needs_the_code(shopper, customer, settings):
    settings.OTP_SHOW_ON_PAGE = True
    page = shopper.post(
        "/account/privacy/", {"action": "send_mobile_code", "mobile": "13600001111"}
    ).content.decode()
    assert 'data-testid="demo-code"' in page
    wrong = shopper.post(
        "/account/privacy/", {"action": "change_mobile", "mobile": "13600001111", "code": "x"}
    )
    assert "The code is not correct." in wrong.content.decode()
    customer.refresh_from_db()
    assert customer.mobile != "13600001111"


def test_closing_is_refused_on_the_page_while_an_order_is_unfinished(shopper, customer, sku):
    order = place(customer, {sku.pk: 1})
    page = shopper.get("/account/privacy/").content.decode()
    assert 'data-testid="closure-blockers"' in page and order.number in page
    page = shopper.post(
        "/account/privacy/", {"action": "close", "confirmation": "CLOSE"}
    ).content.decode()
    assert 'data-testid="closure-error"' in page
    assert Customer.objects.get(pk=customer.pk).user.is_active


def test_closing_from_the_page_signs_out_and_keeps_orders(shopper, customer, sku):
    order = delivered(place(customer, {sku.pk: 2}), signed_at=timezone.now())
    response = shopper.post("/account/privacy/", {"action": "close", "confirmation": "CLOSE"})
    assert 'data-testid="closed"' in response.content.decode()
    assert shopper.get("/account/").status_code == 302  # signed out, cannot come back
    kept = Order.objects.get(pk=order.pk)
    assert (kept.total_fen, kept.lines.count(), kept.recipient) == (2 * 3990, 1, "张*")
