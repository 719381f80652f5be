"""The WeChat channel end to end, in a phone's screen with WeChat's user agent: a friend opens a
product from a distributor's card (share card tags present), signs in with WeChat (the stub of
WeChat's authorisation page), orders, pays with WeChat Pay (the stubbed gateway's prepay, WeChat's
browser's payment bridge stood in for, then WeChat Pay's signed notification), and the order is
paid and the customer reads the notification in his inbox."""

import json
import re
import urllib.request

import pytest
from django.core.management import call_command

from tests.wechat_stub import OA_APPID
from weishang.catalog.models import Product
from weishang.customers.models import Customer
from weishang.distribution import sharing
from weishang.distribution.models import Distributor, ShareSource
from weishang.orders.models import Order, OrderStatus
from weishang.payments.models import Payment

from .test_distribution_journey import pick_place
from .test_wechat_sign_in import WECHAT_UA

pytestmark = pytest.mark.django_db(transaction=True)

# WeChat's browser gives pages WeixinJSBridge; this stand-in keeps what the page asked (in the
# tab's sessionStorage, which outlives the navigation that follows) and answers
# as WeChat does when the payer confirms.
PAYMENT_BRIDGE = """
window.WeixinJSBridge = {
  invoke: function (name, params, callback) {
    sessionStorage.setItem("bridgeCall", JSON.stringify({name: name, params: params}));
    setTimeout(function () { callback({err_msg: "get_brand_wcpay_request:ok"}); }, 0);
  }
};
"""


@pytest.fixture
def demo_brand(settings, tmp_path, live_server, wechat_stub, wechatpay):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    settings.WECHAT_JSSDK_URL = wechat_stub.js_sdk_url
    # WeChat Pay's JSAPI payments are the official account's: one appid for both.
    settings.WECHATPAY = {**settings.WECHATPAY, "APPID": OA_APPID}
    call_command("load_demo", verbosity=0)


def notify(url: str, notification: tuple[bytes, dict]) -> int:
    body, headers = notification
    request = urllib.request.Request(
        url, data=body, headers=headers | {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_sign_in_order_and_pay_inside_wechat(
    demo_brand, live_server, wechat_stub, wechatpay, new_page, screenshot
):
    store = live_server.url
    distributor = Distributor.objects.filter(status="active").order_by("pk").first()
    product = Product.objects.filter(status="published").order_by("pk").first()
    link = sharing.share_url(distributor, source=ShareSource.PRODUCT_LINK, product=product)
    friend = new_page(phone=True, user_agent=WECHAT_UA)
    friend.add_init_script(PAYMENT_BRIDGE)

    friend.goto(link)
    assert friend.locator('meta[property="og:title"]').get_attribute("content") == product.name
    assert friend.locator('meta[property="og:url"]').get_attribute("content") == link

    wechat_stub.next_user = wechat_stub.user(nickname="微信买家")
    friend.click("[data-testid=sign-in]")
    friend.get_by_role("link", name="微信登录").click()
    friend.wait_for_url(re.compile(rf"/p/{re.escape(product.url_key)}/"))
    customer = Customer.objects.get(nickname="微信买家")

    friend.click("form.add-to-cart button[type=submit]")
    friend.goto(store + "/account/")
    friend.fill("#recipient", "微信买家")
    friend.fill("#phone", "13912345678")
    pick_place(friend, "42", "4201", "420103")
    friend.fill("#detail", "江汉路 8 号")
    friend.click("form#address-form button.block")
    friend.goto(store + "/checkout/")
    friend.click("[data-testid=place-order]")
    # Inside WeChat the order's page offers WeChat Pay.
    friend.wait_for_url(re.compile(r"/orders/[^/]+/$"))
    order = Order.objects.get(customer=customer)
    assert order.distributor == distributor
    friend.click("[data-testid=wechat-pay]")
    friend.wait_for_url(re.compile(r"wechat_pay=done"))
    assert friend.locator("[data-testid=wechat-pay-confirming]").is_visible()
    call = json.loads(friend.evaluate("sessionStorage.getItem('bridgeCall')"))
    payment = Payment.objects.get(order=order, provider="wechatpay")
    prepay = wechatpay.orders[payment.number]
    assert call["name"] == "getBrandWCPayRequest"
    assert call["params"]["package"] == f"prepay_id={prepay['prepay_id']}"
    assert prepay["request"]["payer"]["openid"] == customer.wechat_identities.get().openid
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT  # not on the page's word

    assert notify(store + "/payments/notify/wechatpay/", wechatpay.paid(payment)) == 200
    friend.reload()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert friend.locator("[data-testid=wechat-pay]").count() == 0

    friend.goto(store + "/account/")
    assert friend.inner_text("[data-testid=unread-count]") == "1"
    friend.click("[data-testid=inbox-link]")
    message = friend.locator("[data-testid=message]").first
    assert "付款成功" in message.inner_text() and order.number in message.inner_text()
    screenshot(friend, "wechat-inbox")
    message.click()
    friend.wait_for_url(re.compile(rf"/orders/{order.number}/"))
