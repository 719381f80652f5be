"""A distributor's micro-store and its share material, as a visitor's phone sees them."""

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
import zxingcpp
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image

from weishang.catalog.models import Product
from weishang.catalog.services import schedule_price_period
from weishang.distribution import services, sharing
from weishang.distribution.models import ShareSource
from weishang.distribution.tokens import read_token

pytestmark = pytest.mark.django_db


def open_store(make_customer, staff, *, store_name="三哥的枣铺", intro=""):
    """A distributor approved through the services, as the brand would."""
    customer = make_customer()
    application = services.apply_to_distribute(
        customer=customer,
        real_name="张三",
        id_number="11010519491231002X",
        mobile=customer.mobile,
        business_kind="small_trade",
        store_name=store_name,
    )
    distributor = services.approve_application(application=application, reviewer=staff)
    if intro:
        services.update_store(distributor=distributor, store_name=store_name, intro=intro)
        distributor.refresh_from_db()
    return distributor


def decode(png: bytes) -> str:
    """The one QR code's text (zxing may find the same code twice, at two scales)."""
    results = zxingcpp.read_barcodes(
        Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode
    )
    (text,) = {result.text for result in results}
    return text


def token_of(url: str):
    return read_token(parse_qs(urlsplit(url).query)["ref"][0])


@pytest.fixture
def store(make_customer, staff):
    return open_store(make_customer, staff, store_name="阿三的枣铺", intro="只卖自己吃过的枣")


def test_the_store_shows_his_name_brand_prices_featured_first_and_the_licence(
    client, brand, store, make_product
):
    plain = make_product(name="若羌灰枣", price_fen=3990)
    chosen = make_product(name="和田大枣", price_fen=5990)
    now = timezone.now()
    schedule_price_period(
        actor=None,
        sku=plain,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        price_fen=2990,
    )
    services.set_featured_products(distributor=store, product_ids=[chosen.product_id])
    response = client.get(f"/s/{store.slug}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "阿三的枣铺" in page and "只卖自己吃过的枣" in page
    assert "¥29.90" in page and "¥59.90" in page  # the brand's current prices
    assert page.index("和田大枣") < page.index("若羌灰枣")  # his featured product first
    assert brand.business_licence_no in page and brand.company_name in page
    # product links keep the visitor his
    link = f"/p/{chosen.product.slug}/?ref="
    assert link in page
    start = page.index(link)
    href = page[start : page.index('"', start)].replace("&amp;", "&")
    token = token_of(href)
    assert (token.distributor_id, token.source) == (store.pk, ShareSource.STORE_LINK)


def test_query_count_does_not_grow_with_products(
    client, brand, store, make_product, django_assert_max_num_queries
):
    make_product()
    # distributor, featured ids, products, images, SKUs (+stock), price periods, brand footer,
    # his posts (none here: content.selectors.feed) and his reseller prices (storefront.resale)
    with django_assert_max_num_queries(9) as first:
        assert client.get(f"/s/{store.slug}/").status_code == 200
    for _ in range(6):
        make_product()
    services.set_featured_products(
        distributor=store, product_ids=list(Product.objects.values_list("pk", flat=True)[:3])
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(f"/s/{store.slug}/")


@pytest.mark.parametrize("status", ["frozen", "blacklisted"])
def test_a_closed_store_shows_a_notice_and_no_products(
    client, brand, make_customer, staff, sku, status
):
    closed = open_store(make_customer, staff, store_name="关门的店")
    close = services.freeze_distributor if status == "frozen" else services.blacklist_distributor
    close(distributor=closed, actor=staff, reason="核查中")
    response = client.get(f"/s/{closed.slug}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "This store is closed." in page
    assert sku.product.name not in page
    assert brand.business_licence_no in page
    for path in ["qr.png", "qr.svg", "poster.png", f"p/{sku.product.slug}/poster.png"]:
        assert client.get(f"/s/{closed.slug}/{path}").status_code == 404


def test_unknown_store_is_404(client, brand):
    assert client.get("/s/nobody/").status_code == 404


def test_store_qr_png_decodes_to_his_share_link_with_source_qr(client, brand, store):
    response = client.get(f"/s/{store.slug}/qr.png")
    assert response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"]
    url = decode(response.content)
    assert url.startswith(f"{settings.SITE_URL}/s/{store.slug}/?ref=")
    token = token_of(url)
    assert (token.distributor_id, token.source, token.product_id) == (
        store.pk,
        ShareSource.QR,
        None,
    )
    # the link it encodes opens his store
    assert Client().get(url.removeprefix(settings.SITE_URL)).status_code == 200


def test_store_qr_svg_is_valid_xml(client, brand, store):
    response = client.get(f"/s/{store.slug}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert ElementTree.fromstring(response.content).tag.endswith("svg")


def test_product_qr_png_names_the_product(client, brand, store, sku):
    url = decode(client.get(f"/s/{store.slug}/p/{sku.product.slug}/qr.png").content)
    assert url.startswith(f"{settings.SITE_URL}/p/{sku.product.slug}/?ref=")
    token = token_of(url)
    assert (token.distributor_id, token.source, token.product_id) == (
        store.pk,
        ShareSource.QR,
        sku.product_id,
    )


def test_posters_decode_to_the_poster_link_and_answer_repeats_with_304(client, brand, store, sku):
    for path, product_id in [
        (f"/s/{store.slug}/poster.png", None),
        (f"/s/{store.slug}/p/{sku.product.slug}/poster.png", sku.product_id),
    ]:
        response = client.get(path)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "PNG" and 600 <= image.width <= 1200 and image.height > image.width
        token = token_of(decode(response.content))
        assert (token.distributor_id, token.source, token.product_id) == (
            store.pk,
            ShareSource.POSTER,
            product_id,
        )
        etag = response["ETag"]
        again = client.get(path, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304


def test_a_new_store_name_makes_a_new_poster(client, brand, store):
    first = client.get(f"/s/{store.slug}/poster.png")["ETag"]
    services.update_store(distributor=store, store_name="阿三好物", intro="")
    assert client.get(f"/s/{store.slug}/poster.png")["ETag"] != first


def test_unpublished_product_has_no_share_material(client, brand, store):
    assert client.get(f"/s/{store.slug}/p/nothing/qr.png").status_code == 404


def test_posters_ignore_the_host_header_and_carry_the_canonical_address(
    client, brand, store, settings, monkeypatch
):
    """Each new Host port used to draw a new poster (0.4 s) and cache another 200 KB copy whose QR
    code led to whatever host the request named."""
    settings.SITE_URL = "https://shop.example.com"
    cache.clear()
    drawn = []
    draw = sharing.poster_png
    monkeypatch.setattr(sharing, "poster_png", lambda *a, **kw: drawn.append(1) or draw(*a, **kw))
    path = f"/s/{store.slug}/poster.png"
    responses = [
        client.get(path, HTTP_HOST=f"127.0.0.1:{port}") for port in (8000, 8001, 9999, 12345)
    ]
    assert {response.status_code for response in responses} == {200}
    assert len({response["ETag"] for response in responses}) == 1
    assert len(drawn) == 1
    assert len([key for key in cache._cache if "weishang:poster:" in key]) == 1
    url = decode(responses[-1].content)
    assert url.startswith(f"https://shop.example.com/s/{store.slug}/?ref=")
    qr = client.get(f"/s/{store.slug}/qr.png", HTTP_HOST="localhost:666")
    assert decode(qr.content).startswith("https://shop.example.com/")
