"""Inside WeChat (its user agent, a phone's screen): a friend opens a distributor's product card,
the page carries the share card and configures WeChat's JS-SDK with a valid signature, and he
signs in with WeChat (the stub of WeChat's authorisation page) and lands signed in on the page
he came from, bound to the distributor who shared it."""

import hashlib
import re

import pytest
from django.core.management import call_command

from weishang.catalog.models import Product
from weishang.customers.models import Customer
from weishang.distribution import sharing
from weishang.distribution.models import Binding, Distributor, ShareSource

pytestmark = pytest.mark.django_db(transaction=True)

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220067 MMWEBSDK/20240404 "
    "MMWEBID/2307 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI "
    "Language/zh_CN ABI/arm64"
)


@pytest.fixture
def demo_brand(settings, tmp_path, live_server, wechat_stub):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url  # share links and the authorisation's way back
    settings.WECHAT_JSSDK_URL = wechat_stub.js_sdk_url  # never WeChat's own servers in a test
    call_command("load_demo", verbosity=0)


def test_share_card_and_wechat_sign_in_on_a_phone(
    demo_brand, live_server, wechat_stub, new_page, screenshot
):
    store = live_server.url
    distributor = Distributor.objects.filter(status="active").order_by("pk").first()
    product = Product.objects.filter(status="published").order_by("pk").first()
    link = sharing.share_url(distributor, source=ShareSource.PRODUCT_LINK, product=product)
    friend = new_page(phone=True, user_agent=WECHAT_UA)

    # The distributor's card opens the product page, which describes its own card.
    friend.goto(link)
    meta = {
        name: friend.locator(f'meta[property="{name}"]').get_attribute("content")
        for name in ("og:title", "og:description", "og:image", "og:url")
    }
    assert meta["og:title"] == product.name
    assert meta["og:image"].startswith(store + "/media/")
    assert meta["og:url"] == link  # passed on as it came: whoever opens it next is his too

    # WeChat's JS-SDK (the stub's stand-in) was configured for this page and given the card.
    friend.wait_for_function("window.wxCalls && window.wxCalls.appMessage")
    calls = friend.evaluate("window.wxCalls")
    config = calls["config"]
    page_url = friend.evaluate("location.href.split('#')[0]")
    plain = (
        f"jsapi_ticket={wechat_stub.ticket}&noncestr={config['nonceStr']}"
        f"&timestamp={config['timestamp']}&url={page_url}"
    )
    assert config["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    assert config["jsApiList"] == ["updateAppMessageShareData", "updateTimelineShareData"]
    assert calls["appMessage"] == {
        "title": meta["og:title"],
        "desc": meta["og:description"],
        "link": link,
        "imgUrl": meta["og:image"],
    }
    assert calls["timeline"]["link"] == link
    screenshot(friend, "wechat-product-card")

    # He signs in with WeChat and is back on the product, signed in and bound to the sharer.
    wechat_stub.next_user = wechat_stub.user(unionid="union-e2e", nickname="微信小枣")
    friend.click("[data-testid=sign-in]")
    friend.wait_for_url(re.compile(r"/login/\?next="))
    screenshot(friend, "wechat-login-page")
    friend.get_by_role("link", name="微信登录").click()
    friend.wait_for_url(re.compile(rf"/p/{re.escape(product.url_key)}/"))
    assert friend.locator("a[href='/account/']").count() == 1
    customer = Customer.objects.get(nickname="微信小枣")
    assert customer.mobile is None
    assert Binding.objects.get(customer=customer).distributor == distributor

    friend.goto(store + "/account/")
    assert "微信小枣" in friend.inner_text("[data-testid=signed-in-with-wechat]")
    assert friend.locator("[data-testid=prove-mobile]").is_visible()
    screenshot(friend, "wechat-account")
