"""examples/python/shop.py works: a client generated from the checked-in schema signs in with a
mini-program's WeChat code (WeChat played by its stub), orders, gets wx.requestPayment's
parameters from WeChat Pay (its stub), and sees the order paid once WeChat Pay's signed
notification has arrived; the same with a mobile number and the sandbox cashier."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.wechat_stub import MP_APPID
from tests.wechatpay_stub import post as post_notification
from weishang.orders.models import Order, OrderStatus
from weishang.payments.models import Payment

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The example script, importing the client generated from docs/openapi.json."""
    folder = tmp_path_factory.mktemp("example-client")
    subprocess.run(
        [str(GENERATOR), "generate", "--path", str(ROOT / "docs" / "openapi.json"),
         "--meta", "none", "--output-path", str(folder / "weishang_client")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    sys.path.insert(0, str(folder))
    sys.path.insert(0, str(ROOT / "examples" / "python"))
    try:
        yield importlib.import_module("shop")
    finally:
        sys.path.remove(str(folder))
        sys.path.remove(str(ROOT / "examples" / "python"))
        for name in [m for m in sys.modules if m == "shop" or m.startswith("weishang_client")]:
            del sys.modules[name]


@pytest.fixture
def demo_brand(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    call_command("load_demo", verbosity=0)


def test_mini_program_round_signs_in_with_wechat_orders_and_pays(
    shop, demo_brand, live_server, client, wechat_stub, wechatpay, settings
):
    # WeChat Pay's mini-program payments are the mini-program's: one appid for both.
    settings.WECHATPAY = {**settings.WECHATPAY, "MINIPROGRAM_APPID": MP_APPID}
    code = wechat_stub.code_for(wechat_stub.user(nickname="小程序买家"))
    buyer = shop.sign_in_with_wechat(live_server.url, code)

    product, sku = shop.first_available_sku(buyer)
    address = shop.an_address(buyer, recipient="小程序买家", phone="13912345678", district="110101")
    placed = shop.place_order(buyer, sku.id, address.id, quantity=2)
    order = Order.objects.get(number=placed.number)
    assert order.lines.get().sku_id == sku.id and order.lines.get().quantity == 2

    params = shop.pay_with_wechat(buyer, placed.number)
    payment = Payment.objects.get(order=order, provider="wechatpay")
    prepay = wechatpay.orders[payment.number]
    assert params["package"] == f"prepay_id={prepay['prepay_id']}"
    assert prepay["request"]["payer"]["openid"] == order.customer.wechat_identities.get().openid
    assert shop.wait_until_paid(buyer, placed.number, timeout=0) == OrderStatus.PENDING_PAYMENT

    answer = post_notification(client, "/payments/notify/wechatpay/", wechatpay.paid(payment))
    assert answer.status_code == 200
    assert shop.wait_until_paid(buyer, placed.number, timeout=5) == OrderStatus.PAID


def test_mobile_round_orders_and_gets_the_cashier(shop, demo_brand, live_server, settings):
    settings.OTP_SHOW_ON_PAGE = True  # the demo hands the code back, as the script expects
    buyer = shop.sign_in_with_mobile(live_server.url, "13700001111")

    product, sku = shop.first_available_sku(buyer)
    address = shop.an_address(buyer, recipient="手机买家", phone="13700001111", district="110101")
    placed = shop.place_order(buyer, sku.id, address.id)

    assert shop.pay_at_the_cashier(buyer, placed.number).startswith(live_server.url)
    assert Order.objects.get(number=placed.number).status == OrderStatus.PENDING_PAYMENT


def test_a_refusal_arrives_as_the_apis_error(shop, demo_brand, live_server):
    with pytest.raises(shop.ApiRefused) as refused:
        shop.sign_in_with_mobile(live_server.url, "13700001111", code="000000")
    assert refused.value.error.code
    assert refused.value.error.message
