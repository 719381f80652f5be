"""Share cards: what WeChat shows when the store home, a micro-store or a product page is shared
(Open Graph tags), the JS-SDK's wx.config inside WeChat (signed with the ticket from the stub of
WeChat's servers), and the card's link, which attributes whoever opens it to the distributor."""

import hashlib
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client

from tests.storefront.test_wechat_login import WECHAT_UA
from weishang.catalog.models import ProductImage
from weishang.distribution.binding import REF_COOKIE
from weishang.distribution.models import ShareSource, ShareVisit
from weishang.distribution.tokens import make_token, read_token
from weishang.storefront import share_cards

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.scripts: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "property" in attrs:
            self.meta[attrs["property"]] = attrs.get("content", "")
        if tag == "script":
            self.scripts.append(attrs)


def card(response) -> dict[str, str]:
    assert response.status_code == 200
    return Head(response.content.decode()).meta


def js_sdk_config(response) -> dict | None:
    found = re.search(
        r'<script id="wechat-js-sdk" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    return json.loads(found.group(1)) if found else None


@pytest.fixture
def product(make_product):
    sku = make_product(
        price_fen=3990, name="和田骏枣 500g", description="新疆和田的骏枣，个大肉厚。"
    )
    ProductImage.objects.create(product=sku.product, image="products/jujube.png")
    return sku.product


def test_product_page_card_has_its_name_price_picture_and_address(client, brand, product):
    tags = card(client.get(f"/p/{product.slug}/"))
    assert tags["og:title"] == "和田骏枣 500g"
    assert tags["og:description"].startswith("¥39.90 · 新疆和田的骏枣")
    assert tags["og:image"] == "https://weishang.test/media/products/jujube.png"
    assert tags["og:url"] == f"https://weishang.test/p/{product.slug}/"
    assert tags["og:type"] == "product"


def test_store_home_card_is_the_brands(client, brand, product):
    tags = card(client.get("/"))
    assert tags["og:title"] == "枣知道"
    assert "枣知道" in tags["og:description"]
    assert tags["og:image"] == "https://weishang.test/media/products/jujube.png"
    assert tags["og:url"] == "https://weishang.test/"


def test_a_store_home_without_pictures_shows_the_sites_own(client, brand):
    image = card(client.get("/"))["og:image"]
    assert image == "https://weishang.test/static/storefront/share.png"
    assert finders.find("storefront/share.png")


def test_micro_store_card_is_his_store_and_its_link_brings_visitors_to_him(
    client, brand, customer, make_distributor, product
):
    alice = make_distributor(store_name="阿丽的枣铺", intro="自家果园直供")
    tags = card(client.get(f"/s/{alice.slug}/"))
    assert (tags["og:title"], tags["og:description"]) == ("阿丽的枣铺", "自家果园直供")
    link = urlsplit(tags["og:url"])
    assert (link.scheme, link.netloc, link.path) == ("https", "weishang.test", f"/s/{alice.slug}/")
    token = read_token(parse_qs(link.query)["ref"][0])
    assert (token.distributor_id, token.source) == (alice.pk, ShareSource.STORE_LINK)

    # A friend opens the card in WeChat: the visit is Alice's, and he is hers when he signs in.
    friend = Client(HTTP_USER_AGENT=WECHAT_UA)
    assert friend.get(f"{link.path}?{link.query}").status_code == 200
    assert ShareVisit.objects.filter(distributor=alice, source="store_link").count() == 1
    assert REF_COOKIE in friend.cookies


def test_a_distributor_shares_a_product_with_his_own_link(client, brand, make_distributor, product):
    alice = make_distributor()
    client.force_login(alice.customer.user)
    url = card(client.get(f"/p/{product.slug}/"))["og:url"]
    token = read_token(parse_qs(urlsplit(url).query)["ref"][0])
    assert (token.distributor_id, token.product_id) == (alice.pk, product.pk)
    assert token.source == ShareSource.PRODUCT_LINK
    Client().get(url.removeprefix("https://weishang.test"))
    visit = ShareVisit.objects.get()
    assert (visit.distributor, visit.product_id) == (alice, product.pk)


def test_a_visitor_who_came_by_a_share_link_passes_it_on(client, brand, make_distributor, product):
    alice = make_distributor()
    token = make_token(distributor_id=alice.pk, source=ShareSource.QR, product_id=product.pk)
    url = card(client.get(f"/p/{product.slug}/", {"ref": token}))["og:url"]
    assert url == f"https://weishang.test/p/{product.slug}/?{urlencode({'ref': token})}"
    forged = card(client.get(f"/p/{product.slug}/", {"ref": token[:-2] + "xx"}))["og:url"]
    assert forged == f"https://weishang.test/p/{product.slug}/"


def test_outside_wechat_no_js_sdk_is_loaded(client, brand, product, wechat_stub):
    response = client.get(f"/p/{product.slug}/")
    assert js_sdk_config(response) is None
    assert "res.wx.qq.com" not in response.content.decode()
    assert "res.wx.qq.com" not in response["Content-Security-Policy"]
    assert wechat_stub.calls["/cgi-bin/ticket/getticket"] == 0


def test_inside_wechat_the_page_is_signed_for_wx_config(client, brand, product, wechat_stub):
    client.defaults["HTTP_USER_AGENT"] = WECHAT_UA
    path = f"/p/{product.slug}/?from=singlemessage"
    response = client.get(path)
    config = js_sdk_config(response)
    plain = (
        f"jsapi_ticket={wechat_stub.ticket}&noncestr={config['nonceStr']}"
        f"&timestamp={config['timestamp']}&url=http://testserver{path}"
    )
    assert config["appId"] == "wx1111111111111111"
    assert config["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    sources = [s.get("src") for s in Head(response.content.decode()).scripts]
    assert "https://res.wx.qq.com/open/js/jweixin-1.6.0.js" in sources
    assert "/static/storefront/wechat-share.js" in sources
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if "script-src" in part)
    assert "https://res.wx.qq.com" in script_src and "'nonce-" in script_src
    assert "https://open.weixin.qq.com" in policy  # the JS-SDK's own report
    # The ticket is cached: another page signs without asking WeChat again.
    assert js_sdk_config(client.get("/"))["signature"]
    assert wechat_stub.calls["/cgi-bin/ticket/getticket"] == 1
    assert wechat_stub.calls["/cgi-bin/stable_token"] == 1


def test_wechat_not_answering_still_shows_the_card(client, brand, product, wechat_stub, settings):
    settings.WECHAT_TIMEOUT_SECONDS = 0.3
    wechat_stub.hang("/cgi-bin/stable_token", 1.0)
    client.defaults["HTTP_USER_AGENT"] = WECHAT_UA
    response = client.get(f"/p/{product.slug}/")
    assert card(response)["og:title"] == "和田骏枣 500g"
    assert js_sdk_config(response) is None
    assert "res.wx.qq.com" not in response["Content-Security-Policy"]
    # The next page does not wait for WeChat again; a minute later WeChat is asked again.
    assert js_sdk_config(client.get("/")) is None
    assert wechat_stub.calls["/cgi-bin/stable_token"] == 1
    cache.delete(share_cards.JSSDK_DOWN_KEY)
    settings.WECHAT_TIMEOUT_SECONDS = 2  # the stub answers again once done with the slow one
    assert js_sdk_config(client.get("/"))["signature"]


def test_the_cards_cost_no_query_per_product(
    client, brand, make_product, django_assert_max_num_queries
):
    for _ in range(2):
        make_product()
    with django_assert_max_num_queries(20) as few:
        client.get("/")
    for _ in range(5):
        ProductImage.objects.create(product=make_product().product, image="products/x.png")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert card(client.get("/"))["og:image"].endswith("/media/products/x.png")
