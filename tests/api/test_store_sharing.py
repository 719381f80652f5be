"""Sharing over the API: a customer's own share link (the page's signed link) with its QR code
and "my shares"; a distributor's public micro-store and post feed, where opening a post link
counts a visit as the store's pages count it."""

import html
import io
import re
import time
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
import zxingcpp
from django.conf import settings
from django.core import signing
from django.utils import timezone
from PIL import Image

from tests.api.conftest import ApiClient
from tests.content.themes import make_theme
from weishang.content import post_material, posts
from weishang.content import selectors as content
from weishang.content.models import PostVisit
from weishang.customers.models import Customer
from weishang.distribution import binding, tokens
from weishang.distribution import services as distribution
from weishang.distribution import sharing as dist_sharing
from weishang.distribution.models import ShareSource, ShareVisit
from weishang.loyalty import reward_rules, share_links
from weishang.loyalty.models import CustomerShare
from weishang.loyalty.reward_rules import RewardRuleDraft
from weishang.loyalty.share_rewards import save_share_rule
from weishang.orders.models import Order
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def query_of(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


# His own share links -----------------------------------------------------------------------------


def test_sharing_a_product_gives_the_pages_signed_link_and_a_qr_code(api, client, customer, sku):
    key = sku.product.url_key
    assert api.get(f"/shares/products/{key}").status_code == 404  # not shared yet
    shared = api.post(f"/products/{key}/share")
    assert shared.status_code == 201
    got = shared.json()
    assert CustomerShare.objects.get(customer=customer).product_id == sku.product_id
    assert got["url"].startswith(f"{settings.SITE_URL}/p/{key}/?share=")
    token = share_links.read_token(query_of(got["url"])["share"])
    assert (token.customer_id, token.product_id) == (customer.pk, sku.product_id)
    client.force_login(customer.user)  # the share page shows the same link, signed the same way
    page = client.get(f"/account/shares/p/{key}/").content.decode()
    on_page = re.search(r'value="(http[^"]+)" data-testid="share-link"', page).group(1)
    assert on_page.split("?share=")[0] == got["url"].split("?share=")[0]
    assert share_links.read_token(query_of(html.unescape(on_page))["share"]) == token
    assert ElementTree.fromstring(got["qr_svg"].encode()).tag.endswith("svg")
    again = api.post(f"/products/{key}/share")
    assert again.status_code == 201 and CustomerShare.objects.count() == 1
    assert api.get(f"/shares/products/{key}").json()["product_name"] == sku.product.name


def test_another_customers_share_is_not_his_and_a_missing_product_is_not_found(
    api, make_customer, as_customer, sku
):
    other = make_customer()
    as_customer(other).post(f"/products/{sku.product.url_key}/share")
    assert api.get(f"/shares/products/{sku.product.url_key}").status_code == 404
    assert api.post("/products/no-such-thing/share").status_code == 404
    assert api.post("/products/a.b/share").status_code == 422


def test_my_shares_show_friends_orders_and_what_they_may_earn_never_who(
    api, staff, customer, make_customer, sku, make_product, django_assert_max_num_queries
):
    save_share_rule(draft=RewardRuleDraft(reward=reward_rules.POINTS_FIXED, amount=30), actor=staff)
    api.post(f"/products/{sku.product.url_key}/share")
    friend = make_customer()
    sales.place_order(
        customer=friend, items={sku.pk: 1}, address=friend.addresses.get(), shared_by=customer
    )
    sales.place_order(
        customer=friend,
        items={make_product().pk: 1},
        address=friend.addresses.get(),
        shared_by=customer,
    )
    with django_assert_max_num_queries(9):
        got = api.get("/shares").json()
    assert [row["product_key"] for row in got["shares"]] == [sku.product.url_key]
    [order] = got["shares"][0]["orders"]
    assert order["may_still_earn"] and not order["rewarded"]
    assert order["status_label"] == "awaiting payment"
    assert len(got["other_orders"]) == 1
    assert got["reward"] == "30 points"
    assert friend.mobile not in str(got)


def test_shares_need_a_signed_in_customer(anonymous, sku):
    assert anonymous.get("/shares").status_code == 401
    assert anonymous.post(f"/products/{sku.product.url_key}/share").status_code == 401


# Micro-stores and their posts --------------------------------------------------------------------


def post_for(distributor, theme):
    return posts.make_post(
        distributor=distributor,
        theme_id=theme.pk,
        planned_on=timezone.localdate(),
        now=timezone.now(),
    )


def link_of(post, product=None):
    return post_material.link(content.post_of(post.distributor_id, post.key), product)


def test_a_micro_store_shows_his_name_featured_products_first_and_his_posts(
    anonymous, brand, make_distributor, make_product, django_assert_max_num_queries, monkeypatch
):
    # Share links are signed with the second they were made: one second for the whole test.
    now = int(time.time())
    monkeypatch.setattr(signing.time, "time", lambda: now)
    store = make_distributor()
    first, chosen = make_product(), make_product()
    distribution.set_featured_products(distributor=store, product_ids=[chosen.product_id])
    post = post_for(store, make_theme(products=[first.product], copy="今天的枣"))
    with django_assert_max_num_queries(16):
        got = anonymous.get(f"/stores/{store.slug}").json()
    assert (got["store_name"], got["is_open"]) == (store.store_name, True)
    assert [p["key"] for p in got["featured"]] == [chosen.product.url_key]
    assert [p["key"] for p in got["others"]] == [first.product.url_key]
    link_token = tokens.read_token(query_of(got["featured"][0]["link"])["ref"])
    assert link_token.distributor_id == store.pk
    assert [p["key"] for p in got["posts"]] == [post.key] and "今天的枣" in got["posts"][0]["text"]
    assert got["posts"][0]["products"][0]["link"].endswith(link_of(post, first.product))
    assert not PostVisit.objects.exists()  # no post link: no visit


def test_a_closed_store_shows_only_its_name_and_no_posts(anonymous, brand, make_distributor):
    frozen = make_distributor(status="frozen")
    got = anonymous.get(f"/stores/{frozen.slug}").json()
    assert (got["is_open"], got["featured"], got["others"], got["posts"]) == (False, [], [], [])
    assert anonymous.get(f"/stores/{frozen.slug}/posts").status_code == 404
    assert anonymous.get("/stores/nobody").status_code == 404


def test_the_post_feed_pages_by_cursor_and_one_post_opens_by_key(
    anonymous, brand, make_distributor, django_assert_max_num_queries
):
    store = make_distributor()
    made = [post_for(store, make_theme(copy=f"第{n}条", images=1)) for n in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(8):
            got = anonymous.get(f"/stores/{store.slug}/posts", params).json()
        seen += [item["key"] for item in got["items"]]
        if not (cursor := got["next_cursor"]):
            break
    assert seen == [post.key for post in reversed(made)]
    one = anonymous.get(f"/stores/{store.slug}/posts/{made[0].key}").json()
    assert one["key"] == made[0].key and len(one["images"]) == 1
    other = make_distributor()
    assert anonymous.get(f"/stores/{other.slug}/posts/{made[0].key}").status_code == 404


def test_opening_a_post_link_counts_a_visit_as_the_page_does(
    anonymous, api, brand, customer, make_distributor, make_product
):
    store = make_distributor()
    product = make_product().product
    post = post_for(store, make_theme(products=[product]))
    link = query_of(link_of(post))
    assert anonymous.get(f"/stores/{store.slug}", link).status_code == 200
    assert api.get(f"/stores/{store.slug}/posts/{post.key}", link).status_code == 200
    assert PostVisit.objects.filter(post=post).count() == 2
    forged = link | {"ref": "x" + link["ref"]}
    anonymous.get(f"/stores/{store.slug}", forged)
    assert PostVisit.objects.count() == 2


def test_the_distributor_opening_his_own_post_link_counts_no_visit(
    as_customer, brand, make_distributor
):
    store = make_distributor()
    post = post_for(store, make_theme())
    as_customer(store.customer).get(f"/stores/{store.slug}", query_of(link_of(post)))
    assert not PostVisit.objects.exists()


# Pictures for sharing ----------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n"


def test_a_micro_stores_qr_codes_and_posters_are_the_store_pages_own(
    anonymous, client, brand, make_distributor, sku
):
    store = make_distributor()
    key = sku.product.url_key
    for path in (
        f"/stores/{store.slug}/qr.png",
        f"/stores/{store.slug}/poster.png",
        f"/stores/{store.slug}/products/{key}/qr.png",
        f"/stores/{store.slug}/products/{key}/poster.png",
    ):
        got = anonymous.get(path)
        assert got.status_code == 200, path
        assert got["Content-Type"] == "image/png" and got.content.startswith(PNG), path
    svg = anonymous.get(f"/stores/{store.slug}/qr.svg")
    assert ElementTree.fromstring(svg.content).tag.endswith("svg")
    page = client.get(f"/s/{store.slug}/qr.svg")
    assert svg.content == page.content  # the same link in the same code as the store page's
    poster = anonymous.get(f"/stores/{store.slug}/poster.png")
    etag = {"If-None-Match": poster["ETag"]}
    again = anonymous.get(f"/stores/{store.slug}/poster.png", headers=etag)
    assert again.status_code == 304


def test_a_closed_or_unknown_store_and_an_unknown_product_have_no_pictures(
    anonymous, brand, make_distributor, sku
):
    frozen = make_distributor(status="frozen")
    open_store = make_distributor()
    assert anonymous.get(f"/stores/{frozen.slug}/qr.png").status_code == 404
    assert anonymous.get("/stores/nobody/poster.png").status_code == 404
    missing = anonymous.get(f"/stores/{open_store.slug}/products/no-such-thing/poster.png")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_his_qr_code_and_poster_for_a_product_he_shared(
    api, anonymous, make_customer, as_customer, sku
):
    key = sku.product.url_key
    assert api.get(f"/shares/products/{key}/poster.png").status_code == 404  # not shared yet
    url = api.post(f"/products/{key}/share").json()["url"]
    qr = api.get(f"/shares/products/{key}/qr.png")
    assert qr.status_code == 200 and qr.content.startswith(PNG)
    assert "private" in qr["Cache-Control"]
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))
    assert decoded and decoded[0].text == url
    poster = api.get(f"/shares/products/{key}/poster.png")
    assert poster.status_code == 200 and poster.content.startswith(PNG)
    assert "private" in poster["Cache-Control"]
    assert as_customer(make_customer()).get(f"/shares/products/{key}/qr.png").status_code == 404
    assert anonymous.get(f"/shares/products/{key}/poster.png").status_code == 401


# Opening a distributor's share link in the mini-program ----------------------------------


def ref_of(distributor) -> str:
    link = dist_sharing.share_url(distributor, source=ShareSource.STORE_LINK)
    return query_of(link)[tokens.PARAM]


def test_a_visitor_who_opened_a_link_is_bound_when_he_signs_in_and_his_order_counts_for_him(
    anonymous, settings, brand, make_distributor, sku
):
    settings.OTP_SHOW_ON_PAGE = True
    seller = make_distributor()
    opened = anonymous.post(
        "/share-links/open", {"ref": ref_of(seller), "device_id": "phone-of-a-friend-0001"}
    )
    assert opened.status_code == 200
    got = opened.json()
    assert (got["store_slug"], got["bound"]) == (seller.slug, False) and got["share"]
    assert ShareVisit.objects.filter(distributor=seller).count() == 1

    code = anonymous.post("/auth/code", {"mobile": "13655550001"}).json()["demo_code"]
    tokens_ = anonymous.post(
        "/auth/token", {"mobile": "13655550001", "code": code, "share": got["share"]}
    ).json()
    buyer = Customer.objects.get(mobile="13655550001")
    assert binding.current_binding(buyer).distributor == seller
    client = ApiClient(tokens_["access"])
    address = client.post(
        "/addresses",
        {"recipient": "朋友", "phone": "13655550001", "district_code": "110101", "detail": "1 号"},
    ).json()
    items = [{"sku_id": sku.pk, "quantity": 1}]
    total = client.post("/checkout/review", {"items": items, "address_id": address["id"]}).json()
    placed = client.post(
        "/orders",
        {"items": items, "address_id": address["id"], "expected_total_fen": total["total_fen"]},
        key="friend-order-1",
    )
    assert placed.status_code == 201
    assert Order.objects.get(number=placed.json()["number"]).distributor == seller


def test_a_signed_in_customer_opening_a_link_is_bound_at_once(
    api, customer, brand, make_distributor
):
    seller = make_distributor()
    got = api.post("/share-links/open", {"ref": ref_of(seller)}).json()
    assert (got["bound"], got["share"]) == (True, None)
    assert binding.current_binding(customer).distributor == seller


def test_a_bad_link_or_device_id_is_refused_and_counts_nothing(anonymous, brand, make_distributor):
    frozen = make_distributor(status="frozen")
    for ref in ("nonsense", ref_of(frozen)):
        refused = anonymous.post("/share-links/open", {"ref": ref})
        assert refused.status_code == 404
        assert (refused.json()["code"], refused.json()["field"]) == ("bad_share_link", "ref")
    seller = make_distributor()
    bad = anonymous.post("/share-links/open", {"ref": ref_of(seller), "device_id": "short"})
    assert bad.status_code == 422
    assert ShareVisit.objects.count() == 0


def test_a_ref_on_an_api_address_is_not_a_visit(anonymous, brand, make_distributor):
    seller = make_distributor()
    assert anonymous.get(f"/stores/{seller.slug}", {"ref": ref_of(seller)}).status_code == 200
    assert ShareVisit.objects.count() == 0
