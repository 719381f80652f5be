"""The distribution engine in a real browser: a customer applies and the brand approves him; a
new customer opens his poster link, buys and pays; he sees the masked order and the pending
commission; the brand ships and the customer signs; once the return window has passed,
settlement makes the commission available, he withdraws and the brand pays. A second journey
refunds the order instead, and the commission is reversed."""

import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from weishang.commissions.models import Commission, Withdrawal
from weishang.commissions.payout_accounts import add_payout_account
from weishang.commissions.plans import save_plan
from weishang.commissions.rules import PlanDraft
from weishang.distribution.binding import update_programme_settings
from weishang.distribution.models import Distributor
from weishang.orders.models import Order, OrderStatus

from .test_buy_ship_return import pick_place, sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)

DISTRIBUTOR_MOBILE = "13912340101"
BUYER_MOBILE = "13912340202"
PRODUCT = "ruoqiang-grey-jujube"


@pytest.fixture
def programme(settings, tmp_path, live_server):
    from django.contrib.auth import get_user_model

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url  # the posters' QR codes lead to the site under test
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)
    admin = get_user_model().objects.get(username="admin")
    save_plan(draft=PlanDraft(default_rate_bp=600), actor=admin)
    update_programme_settings(actor=admin, withdrawal_min_fen=100)


def console_login(page, store):
    page.goto(store + "/console/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "weishang-demo")
    page.click("form button[type=submit]")


def add_address(page, store, name):
    page.goto(store + "/account/")
    page.fill("#recipient", name)
    pick_place(page, "42", "4201", "420103")
    page.fill("#detail", "江汉路 8 号")
    page.click("form#address-form button.block")


def become_distributor(new_page, store, screenshot):
    applicant = new_page(phone=True)
    applicant.goto(store + "/login/")
    sign_in_with_code(applicant, DISTRIBUTOR_MOBILE)
    applicant.goto(store + "/distributor/apply/")
    applicant.fill("#real_name", "李小枣")
    applicant.fill("#id_number", "110105198001011238")  # not the demo distributor's number
    applicant.fill("#mobile", DISTRIBUTOR_MOBILE)
    applicant.check("input[name=business_kind][value=small_trade]")
    applicant.fill("#store_name", "小枣的红枣铺")
    applicant.click("[data-testid=apply-form] button[type=submit]")
    applicant.wait_for_selector("[data-testid=application-status]")

    brand = new_page(phone=False)
    console_login(brand, store)
    brand.goto(store + "/console/applications/")
    brand.click("[data-testid=application-row] form[action$='/approve/'] button")
    distributor = Distributor.objects.get(customer__mobile=DISTRIBUTOR_MOBILE)
    return applicant, brand, distributor


def poster_link(applicant, store, distributor):
    """Reads the share poster's QR code as a phone camera would."""
    response = applicant.request.get(f"{store}/s/{distributor.slug}/p/{PRODUCT}/poster.png")
    assert response.ok and response.headers["content-type"] == "image/png"
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.body())))
    assert len(codes) == 1
    return codes[0].text


def buy_through(new_page, link, store):
    buyer = new_page(phone=True)
    buyer.goto(link)
    buyer.click("form.add-to-cart button[type=submit]")  # kept in his cart while he signs in
    buyer.goto(f"{store}/login/?next=/p/{PRODUCT}/")
    sign_in_with_code(buyer, BUYER_MOBILE)
    buyer.wait_for_url(re.compile(PRODUCT))
    add_address(buyer, store, "赵买家")
    buyer.goto(store + "/checkout/")
    buyer.click("[data-testid=place-order]")
    buyer.wait_for_url(re.compile(r"/payments/sandbox/"))
    buyer.click("form button[type=submit]")
    buyer.wait_for_url(re.compile(r"/orders/\d+"))
    order = Order.objects.get(customer__mobile=BUYER_MOBILE)
    assert order.status == OrderStatus.PAID
    return buyer, order


def test_poster_sale_settles_and_is_withdrawn(programme, live_server, new_page, screenshot):
    store = live_server.url
    applicant, brand, distributor = become_distributor(new_page, store, screenshot)
    applicant.goto(f"{store}/s/{distributor.slug}/")
    assert distributor.store_name in applicant.inner_text("main")
    screenshot(applicant, "microstore")
    # The share page's copy button runs under the Content Security Policy (its script's nonce).
    applicant.goto(store + "/d/share/")
    applicant.click("button.copy >> nth=0")
    assert applicant.inner_text("button.copy >> nth=0") == "已复制"
    link = poster_link(applicant, store, distributor)
    assert link.startswith(f"{store}/p/{PRODUCT}/?ref=")
    buyer, order = buy_through(new_page, link, store)
    assert order.distributor == distributor
    commission = Commission.objects.get(order=order)
    assert (commission.status, commission.rate_bp) == ("pending", 600)
    # The demo charges freight on a small order; commission is on the goods alone.
    assert order.freight_fen > 0
    assert commission.amount_fen == (order.total_fen - order.freight_fen) * 600 // 10000

    # The distributor sees the order, masked, and the pending commission.
    applicant.goto(store + "/d/orders/")
    row = applicant.inner_text("[data-testid=order-row]")
    assert order.number in row and "赵*" in row and "139****0202" in row
    assert "江汉路" not in applicant.content() and BUYER_MOBILE not in applicant.content()
    applicant.goto(store + "/d/")
    assert f"{commission.amount_fen // 100}." in applicant.inner_text("[data-testid=balances]")
    screenshot(applicant, "distributor-dashboard")

    # The brand ships; the customer signs for the parcel.
    brand.goto(f"{store}/console/orders/{order.number}/")
    assert distributor.store_name in brand.content()
    brand.select_option("#id_carrier", "zto")
    brand.fill("#id_tracking_no", "78310029455612")
    brand.click("form[action$='/ship/'] button[type=submit]")
    brand.click("form[action$='/deliver/'] button[type=submit]")
    brand.wait_for_load_state()

    # Ten days later the return window has closed: the scheduled commands run.
    later = (timezone.now() + timedelta(days=10)).isoformat()
    call_command("complete_orders", now=later, verbosity=0)
    call_command("settle", now=later, verbosity=0)
    commission.refresh_from_db()
    assert commission.status == "available"

    # He withdraws what is available into his Alipay account; the brand approves and pays.
    add_payout_account(
        distributor=distributor,
        kind="alipay",
        number=DISTRIBUTOR_MOBILE,
        holder_name="李小枣",
        consent=True,
    )
    applicant.goto(store + "/d/withdrawals/")
    amount = f"{commission.amount_fen // 100}.{commission.amount_fen % 100:02d}"
    applicant.fill("#id_amount", amount)
    applicant.click("[data-testid=withdraw-form] button[type=submit]")
    applicant.wait_for_selector("[data-testid=withdrawal-row]")
    withdrawal = Withdrawal.objects.get(distributor=distributor)
    assert withdrawal.amount_fen == commission.amount_fen

    brand.goto(store + "/console/withdrawals/")
    brand.click("[data-testid=withdrawal-row] form[action$='/approve/'] button")
    brand.click("[data-testid=pay-link]")
    brand.fill("#id_payout_reference", "WX-TRANSFER-0001")
    brand.click("[data-testid=pay-form] button[type=submit]")
    brand.wait_for_selector("[data-testid=paid-row]")
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_reference) == ("paid", "WX-TRANSFER-0001")
    applicant.goto(store + "/d/earnings/")
    screenshot(applicant, "distributor-earnings")
    assert "¥0.00" in applicant.inner_text("[data-testid=balances]")


def test_refunded_poster_sale_reverses_the_commission(programme, live_server, new_page, screenshot):
    store = live_server.url
    applicant, brand, distributor = become_distributor(new_page, store, screenshot)
    buyer, order = buy_through(new_page, poster_link(applicant, store, distributor), store)
    commission = Commission.objects.get(order=order)
    assert commission.status == "pending"

    # The buyer cancels before shipment: the money goes back and so does the commission.
    buyer.goto(f"{store}/orders/{order.number}/")
    buyer.click("[data-testid=cancel]")
    buyer.wait_for_load_state()
    order.refresh_from_db()
    commission.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert commission.reversed_fen == commission.amount_fen
    applicant.goto(store + "/d/earnings/")
    balances = applicant.inner_text("[data-testid=balances]")
    assert balances.count("¥0.00") == 4, balances
