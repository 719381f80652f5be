"""A visitor fills his cart before signing in and keeps it; he picks his address province by
province, sees the freight in the cart and at review, leaves a note and pays the right total;
then he buys another product at once without touching his cart."""

import re

import pytest
from django.core.management import call_command

from weishang.orders.freight import DEFAULT
from weishang.orders.models import Order
from weishang.orders.services import set_freight_rule

from .test_buy_ship_return import pick_place, sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13912340002"


@pytest.fixture
def demo_brand(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)


def fen(text: str) -> int:
    yuan, cents = re.search(r"(\d+)\.(\d\d)", text.replace(",", "")).groups()
    return int(yuan) * 100 + int(cents)


def test_cart_kept_across_sign_in_freight_note_and_buy_now(
    demo_brand, live_server, new_page, screenshot
):
    set_freight_rule(actor=None, province_code=DEFAULT, fee_fen=800)
    set_freight_rule(actor=None, province_code="33", fee_fen=1200)
    store = live_server.url
    shopper = new_page(phone=True)

    # Signed out, he puts two bags in his cart: the standard freight is shown.
    shopper.goto(store + "/p/ruoqiang-grey-jujube/")
    shopper.fill("#quantity", "2")
    shopper.click("form.add-to-cart button[type=submit]:not([name=buy_now])")
    shopper.goto(store + "/cart/")
    assert shopper.locator("[data-testid=cart-line]").count() == 1
    assert fen(shopper.inner_text("[data-testid=cart-freight]")) == 800

    # Signing in keeps the cart.
    shopper.click("[data-testid=sign-in-to-order]")
    sign_in_with_code(shopper, MOBILE)
    shopper.wait_for_url(re.compile(r"/cart/$"))
    assert shopper.locator("[data-testid=cart-line]").count() == 1
    assert "2" == shopper.locator("input.qty").first.input_value()

    # His address, province → city → district from the division codes.
    shopper.goto(store + "/account/")
    shopper.fill("#recipient", "钱小枣")
    pick_place(shopper, "33", "3301", "330106")
    screenshot(shopper, "store-address-picker")
    shopper.fill("#detail", "文三路 90 号")
    shopper.click("form#address-form button.block")
    assert "浙江省杭州市西湖区文三路 90 号" in shopper.inner_text("[data-testid=address]")

    # The cart and the review now charge 浙江's freight.
    shopper.goto(store + "/cart/")
    assert fen(shopper.inner_text("[data-testid=cart-freight]")) == 1200
    shopper.goto(store + "/checkout/")
    assert fen(shopper.inner_text("[data-testid=review-freight]")) == 1200
    total = fen(shopper.inner_text("[data-testid=review-total]"))
    shopper.fill("[data-testid=buyer-note]", "请周末送达")
    screenshot(shopper, "store-review-freight")
    shopper.click("[data-testid=place-order]")
    shopper.wait_for_url(re.compile(r"/payments/sandbox/"))
    assert fen(shopper.inner_text("[data-testid=pay-amount]")) == total
    order = Order.objects.get(customer__mobile=MOBILE)
    goods = sum(line.line_total_fen for line in order.lines.all())
    # The demo's welcome coupon for a new member is applied by default.
    assert (order.freight_fen, order.coupon_fen, order.total_fen, order.buyer_note) == (
        1200,
        1000,
        goods - 1000 + 1200,
        "请周末送达",
    )
    assert order.total_fen == total and order.lines.get().quantity == 2

    # Something for later in the cart, then "Buy now" on another product.
    shopper.goto(store + "/p/ruoqiang-grey-jujube/")
    shopper.click("form.add-to-cart button[type=submit]:not([name=buy_now])")
    shopper.goto(store + "/p/hotan-junzao/")
    shopper.click("[data-testid=buy-now]")
    shopper.wait_for_url(re.compile(r"/checkout/\?buy="))
    assert shopper.locator("[data-testid=review-line]").count() == 1
    assert "和田" in shopper.inner_text("[data-testid=review-line]")
    shopper.click("[data-testid=place-order]")
    shopper.wait_for_url(re.compile(r"/payments/sandbox/"))
    bought = Order.objects.filter(customer__mobile=MOBILE).exclude(pk=order.pk).get()
    assert [line.product_name for line in bought.lines.all()] == ["和田骏枣"]
    shopper.goto(store + "/cart/")
    assert shopper.locator("[data-testid=cart-line]").count() == 1
    assert "若羌" in shopper.inner_text("[data-testid=cart-line]")
