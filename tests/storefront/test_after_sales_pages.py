"""The customer's side of after-sales: confirming receipt on his order page, the return freight
rule before he asks, the return address and his parcel once approved, the dated after-sales
timeline, and the distributor approval on his account page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import pay
from weishang.compliance import complaints
from weishang.compliance.models import AuditEntry
from weishang.orders import after_sales
from weishang.orders import services as orders
from weishang.orders.models import OrderStatus, ReceiptConfirmedBy
from weishang.sales import services as sales

from .conftest import delivered, place

pytestmark = pytest.mark.django_db


def shipped(order):
    pay(order)
    return orders.ship_order(actor=None, order=order, carrier="sf", tracking_no="SF1402837465920")


def test_the_customer_confirms_receipt_on_his_order_page(shopper, customer, sku):
    order = shipped(place(customer, {sku.pk: 1}))
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="confirm-receipt"' in page
    assert "receipt is confirmed automatically on" in page
    response = shopper.post(f"/orders/{order.number}/confirm/", follow=True)
    html = response.content.decode()
    assert "receipt is confirmed" in html and "You confirmed receipt" in html
    assert 'data-testid="return-form"' in html
    order.refresh_from_db()
    assert (order.status, order.receipt_confirmed_by) == (
        OrderStatus.DELIVERED,
        ReceiptConfirmedBy.CUSTOMER,
    )
    again = shopper.post(f"/orders/{order.number}/confirm/", follow=True)
    assert "Only a shipped order can be confirmed as received." in again.content.decode()
    assert AuditEntry.objects.filter(action="order.confirm_receipt").count() == 1


def test_nobody_confirms_someone_elses_order(shopper, make_customer, sku):
    theirs = shipped(place(make_customer(), {sku.pk: 1}))
    assert shopper.post(f"/orders/{theirs.number}/confirm/").status_code == 404
    assert shopper.post(f"/orders/{theirs.number}/return/ship/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.SHIPPED


def test_the_return_form_says_who_pays_the_shipping_back(shopper, customer, brand, sku):
    order = delivered(place(customer, {sku.pk: 1}), signed_at=timezone.now())
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert "You pay the shipping back." in page
    brand.return_shipping_paid_by_brand = True
    brand.save()
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert "The brand pays the shipping back." in page


def test_an_approved_return_shows_the_address_and_takes_the_parcel(shopper, customer, staff, sku):
    after_sales.add_return_address(
        actor=staff, recipient="退货组", phone="0996-1234567", address="新疆若羌县枣园路1号"
    )
    order = delivered(place(customer, {sku.pk: 2}), signed_at=timezone.now())
    rr = orders.request_return(order=order, customer=customer, quantities={order.lines.get().pk: 1})
    orders.approve_return(return_request=rr, actor=staff)
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert "新疆若羌县枣园路1号" in page and "You pay the shipping back." in page
    assert 'data-testid="return-shipment-form"' in page

    url = f"/orders/{order.number}/return/ship/"
    bad = shopper.post(url, {"return_number": rr.number, "carrier": "sf", "tracking_no": "123"})
    assert bad.status_code == 200
    assert "is not a SF Express waybill number" in bad.content.decode()
    unknown = shopper.post(url, {"return_number": rr.number, "carrier": "dhl", "tracking_no": "1"})
    assert "Choose a carrier from the list." in unknown.content.decode()
    rr.refresh_from_db()
    assert rr.return_tracking_no == ""

    good = {"return_number": rr.number, "carrier": "sf", "tracking_no": "SF1402837465920"}
    response = shopper.post(url, good, follow=True)
    html = response.content.decode()
    assert "the brand can now follow your parcel" in html
    assert "SF Express · tracking no. SF1402837465920" in html
    rr.refresh_from_db()
    assert (rr.return_carrier, rr.return_tracking_no) == ("sf", "SF1402837465920")
    assert shopper.post(url, good | {"return_number": "R-nope"}).status_code == 404


def test_without_a_return_address_the_customer_is_sent_to_customer_service(shopper, customer, sku):
    order = delivered(place(customer, {sku.pk: 1}), signed_at=timezone.now())
    rr = orders.request_return(order=order, customer=customer, quantities={order.lines.get().pk: 1})
    orders.approve_return(return_request=rr, actor=None)
    page = shopper.get(f"/orders/{order.number}/").content.decode()
    assert "Ask customer service for the return address: 400-820-0000" in page


def test_the_order_page_dates_returns_refunds_and_complaint_answers(
    shopper, customer, staff, sku, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    order = delivered(place(customer, {sku.pk: 2}), signed_at=timezone.now() - timedelta(days=1))
    rr = orders.request_return(order=order, customer=customer, quantities={order.lines.get().pk: 1})
    rr = orders.approve_return(return_request=rr, actor=staff)
    rr = orders.receive_return(return_request=rr, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):  # the sandbox confirms the refund
        sales.refund_return(return_request=rr, actor=staff)
    complaint = complaints.file_complaint(
        customer=customer, order=order, category="quality", text="有一颗坏了"
    )
    complaints.answer_complaint(complaint=complaint, staff=staff, text="已为您补发")
    with django_assert_max_num_queries(16):
        response = shopper.get(f"/orders/{order.number}/")
    html = response.content.decode()
    events = [
        f"Return {rr.number} requested",
        f"Return {rr.number} approved",
        f"The brand received return {rr.number}",
        "Refund of ¥39.90 requested",
        "Refund of ¥39.90 paid back to your account",
        f"Complaint {complaint.number} filed",
        f"The brand answered complaint {complaint.number}",
    ]
    positions = [html.index(event) for event in events]
    assert positions == sorted(positions)
    assert "已为您补发" in html
    assert html.count('data-testid="after-sales-') == len(events)


def test_the_account_page_tells_an_approved_applicant_and_links_his_console(
    shopper, customer, make_distributor
):
    page = shopper.get("/account/").content.decode()
    assert 'data-testid="become-distributor"' in page
    make_distributor(customer)
    page = shopper.get("/account/").content.decode()
    assert 'data-testid="distributor-notice"' in page
    assert 'href="/d/"' in page and "The brand approved you as a distributor on" in page
    assert 'data-testid="become-distributor"' not in page
