"""The material library in a real browser: the brand uploads its poster artwork and publishes a
theme on it; the demo distributor makes the theme his post with one tap and downloads its
pictures; every picture's QR code reads as his own share link; a friend who scans one buys, the
order is his and, once completed, it counts on the theme's figures."""

import io
import re
import zipfile
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from weishang.content.models import Post, PostOrder, Theme
from weishang.demo import catalogue
from weishang.distribution.models import Distributor, ShareSource
from weishang.distribution.tokens import read_token
from weishang.orders.models import Order, OrderStatus

from .test_buy_ship_return import sign_in_with_code
from .test_distribution_journey import PRODUCT, add_address, console_login

pytestmark = pytest.mark.django_db(transaction=True)

BUYER_MOBILE = "13912340303"
THEME_TITLE = "新年送枣，甜甜蜜蜜"


@pytest.fixture
def demo_brand(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.SITE_URL = live_server.url  # the QR codes lead to the site under test
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)


def artwork(path, size, colour) -> str:
    Image.new("RGB", size, colour).save(path, "JPEG", quality=90)
    return str(path)


def publish_theme_with_template(brand, store, tmp_path):
    """Everything through the console's pages, as an operator would."""
    console_login(brand, store)
    brand.goto(store + "/console/content/posters/new/")
    brand.fill("#id_name", "新年红")
    brand.set_input_files(
        "#id_background", artwork(tmp_path / "bg.jpg", (750, 1200), (190, 30, 40))
    )
    brand.click("form[enctype] button[type=submit]")
    brand.wait_for_url(re.compile(r"/console/content/posters/\d+/"))
    brand.fill("#id_qr_x", "470")
    brand.fill("#id_qr_y", "900")
    brand.fill("#id_qr_size", "240")
    brand.click("form[enctype] button[type=submit]")
    brand.wait_for_load_state()
    assert brand.locator("img[src*='preview']").count() == 1

    brand.goto(store + "/console/content/themes/new/")
    brand.fill("#id_title", THEME_TITLE)
    brand.fill("#id_copy", "过年走亲戚，带一袋若羌灰枣。\n扫码下单，品牌仓直发。")
    brand.select_option("select[name=products] >> nth=0", label="若羌灰枣")
    brand.select_option("#id_poster_template", label="新年红")
    brand.click("form[action$='/themes/new/'] button[type=submit]")
    brand.wait_for_url(re.compile(r"/console/content/themes/\d+/"))
    brand.set_input_files(
        "#picture-file", artwork(tmp_path / "p1.jpg", (1080, 1080), (230, 200, 160))
    )
    brand.click("form[action$='/images/'] button[type=submit]")
    brand.wait_for_load_state()
    brand.click("form[action$='/publish/'] button[type=submit]")
    brand.wait_for_load_state()
    theme = Theme.objects.get(title=THEME_TITLE)
    assert theme.status == Theme.Status.PUBLISHED and theme.poster_template.name == "新年红"
    return theme


def links_in_pictures(zipped: bytes) -> list[str]:
    links = []
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        names = archive.namelist()
        for name in names:
            codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(archive.read(name))))
            assert len(codes) == 1, name
            links.append(codes[0].text)
    return links


def test_a_theme_becomes_his_post_and_a_sale_through_it_counts(
    demo_brand, live_server, new_page, screenshot, tmp_path
):
    store = live_server.url
    brand = new_page(phone=False)
    theme = publish_theme_with_template(brand, store, tmp_path)
    distributor = Distributor.objects.get(customer__mobile=catalogue.DISTRIBUTOR["mobile"])

    # One tap in his library makes the theme his post.
    phone = new_page(phone=True)
    phone.goto(store + "/login/")
    sign_in_with_code(phone, catalogue.DISTRIBUTOR["mobile"])
    phone.goto(store + "/d/library/")
    phone.click(f"[data-testid=theme]:has-text('{THEME_TITLE}') button[type=submit]")
    phone.wait_for_selector("[data-testid=post-pictures]")
    # Its pictures load before this thread reads the database: on SQLite the live server's
    # requests share the test's one in-memory connection.
    phone.wait_for_load_state("networkidle")
    post = Post.objects.get(distributor=distributor, theme=theme)
    assert "若羌灰枣" in phone.input_value("#post-copy-text")
    screenshot(phone, "distributor-post")

    # He downloads every picture at once: the theme's picture and the poster on the template.
    with phone.expect_download() as download:
        phone.click("[data-testid=download-all]")
    links = links_in_pictures(open(download.value.path(), "rb").read())
    assert len(links) == 2
    for link in links:
        token = read_token(parse_qs(urlsplit(link).query)["ref"][0])
        assert (token.distributor_id, token.source) == (distributor.pk, ShareSource.POST)
        assert parse_qs(urlsplit(link).query)["post"] == [post.key]
        assert link.startswith(f"{store}/p/{PRODUCT}/")

    # A friend scans it, signs in and buys.
    buyer = new_page(phone=True)
    buyer.goto(links[0])
    buyer.goto(f"{store}/login/?next=/p/{PRODUCT}/")
    sign_in_with_code(buyer, BUYER_MOBILE)
    buyer.wait_for_url(re.compile(PRODUCT))
    buyer.click("form.add-to-cart button[type=submit]")
    add_address(buyer, store, "钱买家")
    buyer.goto(store + "/checkout/")
    buyer.click("[data-testid=place-order]")
    buyer.wait_for_url(re.compile(r"/payments/sandbox/"))
    buyer.click("form button[type=submit]")
    buyer.wait_for_url(re.compile(r"/orders/\d+"))
    order = Order.objects.get(customer__mobile=BUYER_MOBILE)
    assert order.distributor == distributor
    assert PostOrder.objects.get(order=order).post == post

    # The brand ships, the buyer signs, the order completes: the theme shows the sale.
    brand.goto(f"{store}/console/orders/{order.number}/")
    brand.select_option("#id_carrier", "zto")
    brand.fill("#id_tracking_no", "78310029455613")
    brand.click("form[action$='/ship/'] button[type=submit]")
    brand.click("form[action$='/deliver/'] button[type=submit]")
    brand.wait_for_load_state()
    later = (timezone.now() + timedelta(days=10)).isoformat()
    call_command("complete_orders", now=later, verbosity=0)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED

    brand.goto(store + "/console/content/themes/stats/")
    cells = brand.locator(f"[data-testid=theme-row]:has-text('{THEME_TITLE}') td")
    title, _status, *counts, sales = [cell.strip() for cell in cells.all_inner_texts()]
    # Posts made, distributors, visits, orders, completed orders: one each.
    assert counts == ["1", "1", "1", "1", "1"]
    goods = order.total_fen - order.freight_fen
    assert f"{goods // 100}.{goods % 100:02d}" in sales
    screenshot(brand, "console-theme-stats")
