"""Members and sharing in a real browser (issue 9): a customer shares a product; a friend opens
his link, signs in and buys; the brand ships, the parcel is signed for and the order completes;
the sharer's points show the reward. He redeems points for a product, then pays part of an order
from his wallet. A second order of the friend's, partly returned before it completes, earns
nothing. Screenshots of the store's and the console's loyalty pages are kept for README.md."""

import io
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from PIL import Image

from weishang.catalog.models import Product, Sku
from weishang.customers.models import Customer
from weishang.loyalty import selectors, share_links
from weishang.loyalty.models import ShareReward
from weishang.loyalty.wallet import credit_wallet
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus
from weishang.sales import services as sales

from .conftest import SCREENSHOTS
from .test_buy_ship_return import pick_place, sign_in_with_code
from .test_distribution_journey import add_address, console_login

pytestmark = pytest.mark.django_db(transaction=True)

SHARER_MOBILE = "13912340301"
FRIEND_MOBILE = "13912340302"
PRODUCT = "ruoqiang-grey-jujube"


@pytest.fixture
def demo_brand(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url  # share links and their QR codes lead to this server
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)


def fen(text: str) -> int:
    """¥59.90 → 5990, as the page shows an amount."""
    yuan, cents = re.search(r"(\d+)\.(\d{2})", text.replace(",", "")).groups()
    return int(yuan) * 100 + int(cents)


def names(link: str) -> tuple[int, int]:
    """The sharer and the product a share link names."""
    token = share_links.read_token(parse_qs(urlsplit(link).query)[share_links.PARAM][0])
    return token.customer_id, token.product_id


def pay_at_the_sandbox(page) -> str:
    page.wait_for_url(re.compile(r"/payments/sandbox/"))
    amount = page.inner_text("[data-testid=pay-amount]")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/orders/\d+"))
    return amount


def ship_and_deliver(order: Order, tracking_no: str) -> None:
    """The brand's side, through its services."""
    admin = get_user_model().objects.get(username="admin")
    orders.ship_order(order=order, actor=admin, carrier="sf", tracking_no=tracking_no)
    orders.mark_delivered(order=order, actor=admin)


def complete_after_the_return_window() -> None:
    later = timezone.now() + timedelta(days=10)
    call_command("complete_orders", now=later.isoformat(), verbosity=0)


def test_share_reward_redeem_and_wallet(demo_brand, live_server, new_page, screenshot):
    store = live_server.url

    # A signs in, adds his address in Xinjiang (free delivery) and shares the grey jujubes.
    sharer_page = new_page(phone=True)
    sharer_page.goto(f"{store}/login/?next=/p/{PRODUCT}/")
    sign_in_with_code(sharer_page, SHARER_MOBILE)
    sharer_page.wait_for_url(re.compile(PRODUCT))
    sharer_page.goto(store + "/account/")
    sharer_page.fill("#recipient", "钱分享")
    pick_place(sharer_page, "65", "6501", "650103")
    sharer_page.fill("#detail", "友好南路 12 号")
    sharer_page.click("form#address-form button.block")
    sharer = Customer.objects.get(mobile=SHARER_MOBILE)

    sharer_page.goto(f"{store}/p/{PRODUCT}/")
    sharer_page.click("form.share [data-testid=share]")
    sharer_page.wait_for_url(re.compile(rf"/account/shares/p/{PRODUCT}/$"))
    link = sharer_page.input_value("[data-testid=share-link]")
    assert link.startswith(f"{store}/p/{PRODUCT}/?share=")
    assert "200 积分" in sharer_page.inner_text("[data-testid=reward-rule]")
    screenshot(sharer_page, "store-share-page")
    # The poster's QR code is his link too (signed afresh, so compared by whom and what it names).
    poster_url = f"{store}/account/shares/p/{PRODUCT}/poster.png"
    poster = sharer_page.request.get(poster_url)
    assert poster.ok and poster.headers["content-type"] == "image/png"
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(poster.body())))
    assert len(codes) == 1 and codes[0].text.startswith(f"{store}/p/{PRODUCT}/?share=")
    assert names(codes[0].text) == names(link) == (sharer.pk, Product.objects.get(slug=PRODUCT).pk)
    # Kept as the picture itself: chromium's own viewer for an image styles its page inline.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "store-share-poster.png").write_bytes(poster.body())

    # B, in his own browser, opens the link, signs in and buys.
    friend_page = new_page(phone=True)
    friend_page.goto(link)
    friend_page.click("form.add-to-cart button[type=submit]")
    friend_page.goto(f"{store}/login/?next=/p/{PRODUCT}/")
    sign_in_with_code(friend_page, FRIEND_MOBILE)
    friend_page.wait_for_url(re.compile(PRODUCT))
    add_address(friend_page, store, "赵朋友")
    friend_page.goto(store + "/checkout/")
    friend_page.click("[data-testid=place-order]")
    pay_at_the_sandbox(friend_page)
    first = Order.objects.get(customer__mobile=FRIEND_MOBILE)
    assert (first.status, first.shared_by) == (OrderStatus.PAID, sharer)

    # Before it completes, A sees the order as one that may still earn.
    sharer_page.goto(store + "/account/shares/")
    assert "订单完成且无退货后获得奖励" in sharer_page.inner_text("[data-testid=friend-order]")

    # The brand ships, the friend signs for it, and after the return window the order completes.
    ship_and_deliver(first, "SF1402837465921")
    complete_after_the_return_window()
    first.refresh_from_db()
    assert first.status == OrderStatus.COMPLETED
    assert ShareReward.objects.get(order=first).points == 200

    # A's pages show the reward: on "my shares", in his points, and his membership.
    sharer_page.goto(store + "/account/shares/")
    assert "获得 200 积分" in sharer_page.inner_text("[data-testid=friend-order]")
    assert "200 积分" in sharer_page.inner_text("[data-testid=share-totals]")
    assert FRIEND_MOBILE not in sharer_page.content() and "赵朋友" not in sharer_page.content()
    screenshot(sharer_page, "store-my-shares")
    sharer_page.goto(store + "/account/points/")
    assert sharer_page.inner_text("[data-testid=points-balance]") == "200"
    assert "+200" in sharer_page.inner_text("[data-testid=points-row]")
    screenshot(sharer_page, "store-points")
    sharer_page.goto(store + "/account/membership/")
    assert sharer_page.inner_text("[data-testid=tier]") == "普通"
    assert "银卡" in sharer_page.inner_text("[data-testid=to-next]")
    assert sharer_page.locator("[data-testid=tier-row]").count() == 4
    screenshot(sharer_page, "store-membership")

    # He redeems 100 points for a bag of jujube crisps; 200 points are not enough for the tea.
    sharer_page.goto(store + "/account/redeem/")
    assert sharer_page.inner_text("[data-testid=points-spendable]") == "200"
    crisps = sharer_page.locator("[data-testid=redeem-product]").filter(has_text="红枣脆片")
    tea = sharer_page.locator("[data-testid=redeem-product]").filter(has_text="红枣枸杞茶")
    assert "300 积分 + ¥19.90" in tea.inner_text()
    assert tea.locator("[data-testid=redeem-product-submit]").is_disabled()
    screenshot(sharer_page, "store-redeem-centre")
    crisps.locator("[data-testid=redeem-product-submit]").click()
    sharer_page.wait_for_url(re.compile(r"/orders/\d+"))
    assert "已用积分兑换" in sharer_page.inner_text("body")
    redeemed = Order.objects.get(customer=sharer)
    assert (redeemed.status, redeemed.points, redeemed.total_fen) == (OrderStatus.PAID, 100, 0)
    assert redeemed.lines.get().sku.code == "ZZD-CP-60"
    assert selectors.balances(sharer.pk)["points"] == 100

    # A red packet's cash-back reaches his wallet; he pays part of an order with it.
    with transaction.atomic():
        credit_wallet(
            customer_id=sharer.pk,
            amount_fen=500,
            key="e2e-red-packet",
            reason="红包返现",
            now=timezone.now(),
        )
    jujubes = Sku.objects.get(code="ZZD-HZ-1000")
    sharer_page.goto(f"{store}/checkout/?buy={jujubes.pk}&qty=1")
    # The new-member coupon (满59减10) is chosen for him; points and wallet wait for his tick.
    assert sharer_page.inner_text("[data-testid=review-coupons]") == "−¥10.00"
    assert fen(sharer_page.inner_text("[data-testid=review-total]")) == 6990 - 1000
    sharer_page.click("[data-testid=use-points]")
    sharer_page.wait_for_selector("[data-testid=review-points]")
    assert sharer_page.inner_text("[data-testid=review-points]") == "−¥1.00"
    before_wallet = fen(sharer_page.inner_text("[data-testid=review-total]"))
    assert before_wallet == 6990 - 1000 - 100
    sharer_page.click("[data-testid=use-wallet]")
    sharer_page.wait_for_selector("[data-testid=review-wallet]")
    assert sharer_page.inner_text("[data-testid=review-wallet]") == "−¥5.00"
    total_text = sharer_page.inner_text("[data-testid=review-total]")
    assert fen(total_text) == before_wallet - 500
    assert sharer_page.is_checked("[data-testid=use-points]")
    screenshot(sharer_page, "store-review-benefits")
    sharer_page.click("[data-testid=place-order]")
    assert pay_at_the_sandbox(sharer_page) == total_text
    bought = Order.objects.filter(customer=sharer).latest("pk")
    assert (bought.status, bought.coupon_fen, bought.points, bought.wallet_fen) == (
        OrderStatus.PAID,
        1000,
        100,
        500,
    )
    assert bought.total_fen == fen(total_text)
    assert selectors.balances(sharer.pk) == {"points": 0, "wallet_fen": 0}

    # B orders two bags through the link again and sends one back before the order completes.
    friend_page.goto(link)
    friend_page.click("form.add-to-cart button[type=submit]")
    friend_page.goto(store + "/checkout/")
    friend_page.locator("input.qty").first.fill("2")
    friend_page.click("[data-testid=update-review]")
    friend_page.click("[data-testid=place-order]")
    pay_at_the_sandbox(friend_page)
    second = Order.objects.filter(customer__mobile=FRIEND_MOBILE).latest("pk")
    assert second.shared_by == sharer and second.lines.get().quantity == 2
    ship_and_deliver(second, "SF1402837465922")
    friend_page.goto(f"{store}/orders/{second.number}/")
    friend_page.locator("[data-testid=return-form] input.qty").first.fill("1")
    friend_page.fill("#reason", "买多了")
    friend_page.click("[data-testid=return-form] button[type=submit]")
    friend_page.wait_for_selector("[data-testid=return]")
    admin = get_user_model().objects.get(username="admin")
    return_request = second.returns.get()
    orders.approve_return(return_request=return_request, actor=admin)
    orders.receive_return(return_request=return_request, actor=admin)
    sales.refund_return(return_request=return_request, actor=admin)

    complete_after_the_return_window()
    second.refresh_from_db()
    assert second.status == OrderStatus.COMPLETED and second.refunded_fen > 0
    assert not ShareReward.objects.filter(order=second).exists()
    sharer_page.goto(store + "/account/shares/")
    earned = sharer_page.locator("[data-testid=friend-order] [data-testid=earned]")
    assert sorted(earned.all_inner_texts()) == ["未获得奖励", "获得 200 积分"]
    assert selectors.balances(sharer.pk)["points"] == 0

    # The brand's console: the members and points settings, the share reward and the coupons.
    brand = new_page(phone=False)
    console_login(brand, store)
    brand.goto(store + "/console/members/")
    screenshot(brand, "console-members-points")
    brand.goto(store + "/console/share-rewards/")
    assert "200" in brand.inner_text("main")
    screenshot(brand, "console-share-rewards")
    brand.goto(store + "/console/coupons/")
    assert "新人券 满59减10" in brand.inner_text("main")
    screenshot(brand, "console-coupon-templates")
