"""A new customer buys through the sandbox cashier; the brand ships and delivers; the customer
asks for a no-reason return. Screenshots of the store and the console are kept for README.md."""

import re

import pytest
from django.core.management import call_command

from weishang.orders.models import Order, OrderStatus, ReturnStatus

pytestmark = pytest.mark.django_db(transaction=True)

NEW_MOBILE = "13912340001"


@pytest.fixture
def demo_brand(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)


def sign_in_with_code(page, mobile):
    page.fill("#mobile", mobile)
    page.click("button[name=action][value=send_code]")
    code = re.search(r"\d{6}", page.inner_text("[data-testid=demo-code]")).group()
    page.fill("#code", code)
    page.click("button[name=action][value=code]")


def pick_place(page, province, city, district):
    """Province, then city, then district, each list filled by the picker's script."""
    page.select_option("#province", province)
    page.wait_for_selector(f"#city option[value='{city}']", state="attached")
    page.select_option("#city", city)
    page.wait_for_selector(f"#district_code option[value='{district}']", state="attached")
    page.select_option("#district_code", district)


def test_new_customer_buys_brand_ships_and_customer_returns(
    demo_brand, live_server, new_page, screenshot
):
    store = live_server.url

    # The customer arrives on a phone, looks around and picks the grey jujubes.
    shopper = new_page(phone=True)
    shopper.goto(store + "/")
    assert shopper.locator("footer.licence").inner_text().count("91") >= 1
    screenshot(shopper, "store-products")
    shopper.goto(store + "/p/ruoqiang-grey-jujube/")
    screenshot(shopper, "store-product-detail")
    shopper.click("form.add-to-cart button[type=submit]")

    # The cart keeps it while he signs in with a one-time code; he comes back.
    shopper.goto(store + "/login/?next=/p/ruoqiang-grey-jujube/")
    sign_in_with_code(shopper, NEW_MOBILE)
    shopper.wait_for_url(re.compile(r"/p/ruoqiang-grey-jujube/"))

    # A first order needs a delivery address.
    shopper.goto(store + "/account/")
    shopper.fill("#recipient", "王小枣")
    pick_place(shopper, "33", "3301", "330106")
    shopper.fill("#detail", "文三路 90 号 3 幢 501")
    shopper.click("form#address-form button.block")
    assert "王小枣" in shopper.inner_text("[data-testid=address]")

    # Review step: change the quantity to 2 before submitting.
    shopper.goto(store + "/checkout/")
    qty = shopper.locator("input.qty").first
    qty.fill("2")
    shopper.click("[data-testid=update-review]")
    total_text = shopper.inner_text("[data-testid=review-total]")
    screenshot(shopper, "store-review")
    shopper.click("[data-testid=place-order]")

    # The sandbox cashier shows the reviewed amount and confirms the payment.
    shopper.wait_for_url(re.compile(r"/payments/sandbox/"))
    assert shopper.inner_text("[data-testid=pay-amount]") == total_text
    shopper.click("form button[type=submit]")
    shopper.wait_for_url(re.compile(r"/orders/\d+"))
    order = Order.objects.get(customer__mobile=NEW_MOBILE)
    assert order.status == OrderStatus.PAID
    assert order.lines.get().quantity == 2
    assert order.payments.get().status == "succeeded"

    # The brand operator sees it unshipped in the console, ships it and records the sign-for.
    operator = new_page(phone=False)
    operator.goto(store + "/console/")
    operator.fill("#id_username", "operator")
    operator.fill("#id_password", "weishang-demo")
    operator.click("form button[type=submit]")
    operator.goto(store + "/console/orders/?status=paid")
    assert order.number in operator.content()
    screenshot(operator, "console-orders")
    operator.goto(f"{store}/console/orders/{order.number}/")
    operator.select_option("#id_carrier", "sf")
    operator.fill("#id_tracking_no", "SF1402837465920")
    operator.click("form[action$='/ship/'] button[type=submit]")
    operator.click("form[action$='/deliver/'] button[type=submit]")
    operator.wait_for_load_state()
    screenshot(operator, "console-order-detail")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.tracking_no == "SF1402837465920"

    # Back on his phone, the customer asks for a no-reason return of one bag.
    shopper.goto(f"{store}/orders/{order.number}/")
    assert "SF1402837465920" in shopper.inner_text("[data-testid=tracking]")
    shopper.locator("[data-testid=return-form] input.qty").first.fill("1")
    shopper.fill("#reason", "买多了")
    shopper.click("[data-testid=return-form] button[type=submit]")
    shopper.wait_for_selector("[data-testid=return]")
    screenshot(shopper, "store-order-return")
    return_request = order.returns.get()
    assert return_request.status == ReturnStatus.REQUESTED
    assert return_request.refund_fen == order.lines.get().unit_price_fen

    # The brand sees it in the returns queue.
    operator.goto(store + "/console/returns/")
    assert order.number in operator.content()
    screenshot(operator, "console-returns")
