"""Share links, QR codes and posters: a real decoder reads the codes back to the signed link."""

import io
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
import zxingcpp
from PIL import Image

from weishang.catalog.selectors import published_product
from weishang.distribution import sharing
from weishang.distribution.models import ShareSource
from weishang.distribution.tokens import read_token
from weishang.fonts import cjk_font_path

pytestmark = pytest.mark.django_db


def decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, "exactly one QR code"
    return results[0].text


def token_of(url: str):
    return read_token(parse_qs(urlsplit(url).query)["ref"][0])


def test_store_and_product_links_carry_a_token_naming_him_and_the_source(apply_and_approve, sku):
    distributor = apply_and_approve()
    link = sharing.store_link(distributor)
    assert link.startswith(f"/s/{distributor.slug}/?ref=")
    token = token_of(link)
    assert (token.distributor_id, token.source, token.product_id) == (
        distributor.pk,
        ShareSource.STORE_LINK,
        None,
    )
    product_link = sharing.product_link(distributor, sku.product)
    assert product_link.startswith(f"/p/{sku.product.slug}/?ref=")
    token = token_of(product_link)
    assert (token.distributor_id, token.source, token.product_id) == (
        distributor.pk,
        ShareSource.PRODUCT_LINK,
        sku.product_id,
    )


def test_qr_png_decodes_to_the_url_and_svg_is_xml():
    url = "https://shop.example.com/s/abc/?ref=some-token"
    assert decode(sharing.qr_png(url)) == url
    root = ElementTree.fromstring(sharing.qr_svg(url))
    assert root.tag.endswith("svg")


def test_a_cjk_font_is_found():
    assert cjk_font_path() is not None, "install fonts-wqy-microhei (Debian) for posters"


def test_product_poster_shows_its_qr_code_for_the_link(brand, apply_and_approve, make_product):
    distributor = apply_and_approve(store_name="阿三的枣铺")
    product = published_product(make_product(name="若羌灰枣 一级 500g").product.slug)
    url = "http://testserver" + sharing.share_path(
        distributor, source=ShareSource.POSTER, product=product
    )
    png = sharing.poster_png(distributor, url=url, product=product)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (sharing.POSTER_WIDTH, sharing.POSTER_HEIGHT)
    assert decode(png) == url
    assert token_of(url).source == ShareSource.POSTER


def test_a_long_name_is_cut_to_fit(apply_and_approve):
    distributor = apply_and_approve(store_name="很" * 40)
    distributor.intro = "枣" * 300
    png = sharing.poster_png(distributor, url="http://testserver/s/x/")
    assert decode(png) == "http://testserver/s/x/"


def test_the_poster_fingerprint_follows_what_is_drawn(apply_and_approve, make_product):
    distributor = apply_and_approve(store_name="甲")
    product = published_product(make_product(price_fen=3990).product.slug)
    before = sharing.poster_fingerprint(distributor, product)
    assert sharing.poster_fingerprint(distributor, product) == before
    distributor.store_name = "乙"
    assert sharing.poster_fingerprint(distributor, product) != before
