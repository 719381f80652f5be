"""After-sales in a real browser: the customer confirms receipt on his order page; a 7-day return
goes from his request through the brand's approval (its return address and who pays the
shipping back shown to him), his carrier and tracking number, the goods received and the refund
at the sandbox provider, to the dated timeline on his order page."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.catalog.models import Sku
from weishang.customers.models import Customer
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus, ReceiptConfirmedBy, ReturnStatus
from weishang.payments.models import Refund
from weishang.sales import services as sales

from .test_complaint_and_audit import console_as

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13800138000"
RETURN_ADDRESS = "新疆巴音郭楞州若羌县枣园路 1 号 售后仓"


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)


def customer_page(new_page, store):
    page = new_page(phone=True)
    page.goto(store + "/login/")
    page.click("details summary")
    page.fill("#pw-mobile", MOBILE)
    page.fill("#password", "weishang-demo")
    page.click("button[name=action][value=password]")
    page.wait_for_url(re.compile(r"/$|/account/"))
    return page


def test_the_customer_confirms_receipt_and_the_window_runs_from_the_next_day(
    demo, live_server, new_page, screenshot
):
    store = live_server.url
    order = Order.objects.filter(customer__mobile=MOBILE, status=OrderStatus.SHIPPED).first()
    shopper = customer_page(new_page, store)
    shopper.goto(f"{store}/orders/{order.number}/")
    assert shopper.is_visible("[data-testid=confirm-receipt]")
    screenshot(shopper, "store-confirm-receipt")
    shopper.click("[data-testid=confirm-receipt-button]")
    shopper.wait_for_selector("[data-testid=received]")

    order.refresh_from_db()
    assert (order.status, order.receipt_confirmed_by) == (
        OrderStatus.DELIVERED,
        ReceiptConfirmedBy.CUSTOMER,
    )
    closes = timezone.localtime(orders.return_window_end(order))
    confirmed_day = timezone.localtime(order.delivered_at).date()
    assert (closes.date() - confirmed_day).days == 8 and (closes.hour, closes.minute) == (0, 0)
    assert f"{closes:%Y-%m-%d %H:%M}" in shopper.inner_text("[data-testid=window]")
    assert f"{timezone.localtime(order.delivered_at):%Y-%m-%d %H:%M}" in shopper.inner_text(
        "[data-testid=received]"
    )
    assert shopper.is_visible("[data-testid=return-form]")
    assert not shopper.is_visible("[data-testid=confirm-receipt]")


def test_a_return_travels_back_with_its_tracking_number_and_is_refunded(
    demo, live_server, new_page, screenshot
):
    store = live_server.url
    customer = Customer.objects.get(mobile=MOBILE)
    sku = Sku.objects.filter(product__slug="ruoqiang-grey-jujube", is_active=True).first()
    order = sales.place_order(
        customer=customer, items={sku.pk: 2}, address=customer.addresses.first()
    )
    order = deliver(pay(order))

    # The operator adds a second return address in the console (the demo brand has one).
    operator = console_as(new_page, store, "operator")
    operator.goto(store + "/console/after-sales/")
    operator.fill("[data-testid=return-address-form] #id_recipient", "枣知道售后")
    operator.fill("[data-testid=return-address-form] #id_phone", "0996-7100000")
    operator.fill("[data-testid=return-address-form] #id_address", RETURN_ADDRESS)
    operator.click("[data-testid=return-address-form] button[type=submit]")
    rows = operator.locator("[data-testid=return-address-row] input[name=address]")
    assert rows.count() == 2 and rows.nth(1).input_value() == RETURN_ADDRESS
    screenshot(operator, "console-after-sales")

    # The customer asks for a return and reads who pays the shipping back before sending it.
    shopper = customer_page(new_page, store)
    shopper.goto(f"{store}/orders/{order.number}/")
    assert "退货运费由您承担" in shopper.inner_text("[data-testid=return-freight]")
    shopper.locator("[data-testid=return-form] input.qty").first.fill("1")
    shopper.click("[data-testid=return-form] button[type=submit]")
    shopper.wait_for_selector("[data-testid=return]")
    rr = order.returns.get()

    # The operator approves it, to the new address.
    operator.goto(store + "/console/returns/")
    operator.select_option(
        f"#return-{rr.number} select[name=return_address]", label=f"枣知道售后 {RETURN_ADDRESS}"
    )
    operator.click(f"#return-{rr.number} form[action$='/approve/'] button[type=submit]")
    operator.wait_for_selector(f"#return-{rr.number} form[action$='/receive/']")

    # The customer sees where to send the goods and who pays, and enters his parcel.
    shopper.goto(f"{store}/orders/{order.number}/")
    assert RETURN_ADDRESS in shopper.inner_text("[data-testid=return-address]")
    assert "退货运费由您承担" in shopper.inner_text("[data-testid=return-freight-payer]")
    shopper.select_option("[data-testid=return-shipment-form] select[name=carrier]", "sf")
    shopper.fill("[data-testid=return-shipment-form] input[name=tracking_no]", "SF14028374")
    shopper.click("[data-testid=return-shipment-form] button[type=submit]")
    assert "不是顺丰速运的运单号" in shopper.inner_text(".messages")  # its shape is refused
    rr.refresh_from_db()
    assert rr.return_tracking_no == ""
    shopper.fill("[data-testid=return-shipment-form] input[name=tracking_no]", "SF1402837465920")
    shopper.click("[data-testid=return-shipment-form] button[type=submit]")
    shopper.wait_for_selector("[data-testid=return-parcel]")
    screenshot(shopper, "store-return-parcel")

    # The operator sees the parcel and marks the goods received; finance refunds.
    operator.goto(store + "/console/returns/")
    parcel = operator.inner_text(f"#return-{rr.number} [data-testid=return-parcel]")
    assert "SF1402837465920" in parcel and "顺丰" in parcel
    screenshot(operator, "console-return-parcel")
    operator.click(f"#return-{rr.number} form[action$='/receive/'] button[type=submit]")
    operator.wait_for_load_state()
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.RECEIVED
    finance = console_as(new_page, store, "finance")
    finance.goto(store + "/console/returns/")
    finance.click(f"#return-{rr.number} form[action$='/refund/'] button[type=submit]")
    finance.wait_for_load_state()
    refund = Refund.objects.get(return_number=rr.number)
    assert (refund.status, refund.amount_fen) == (Refund.Status.SUCCEEDED, rr.refund_fen)

    # The customer sees the return, the refund and their dates on his order page.
    shopper.goto(f"{store}/orders/{order.number}/")
    timeline = shopper.inner_text("[data-testid=after-sales]")
    rr.refresh_from_db()
    for moment in (rr.requested_at, rr.approved_at, rr.received_at, refund.confirmed_at):
        assert f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" in timeline
    assert f"退货 {rr.number} 已寄回" in timeline and "SF1402837465920" in timeline
    assert "已退回您的账户" in timeline
    screenshot(shopper, "store-after-sales-timeline")
