"""Reseller mode in a real browser: a distributor applies to resell, the brand opens a band on a
product and approves him; he sets his own price (one above the ceiling is refused with the
numbers), a customer who came through his store link sees and pays that price, and once the
return window has closed the markup settles to him — shown on his reseller page and ledger."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from weishang.catalog.models import Product
from weishang.commissions.models import Commission
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus
from weishang.reseller.models import Listing, Reseller

from .test_buy_ship_return import sign_in_with_code
from .test_distribution_journey import (  # noqa: F401 - the programme fixture
    BUYER_MOBILE,
    PRODUCT,
    add_address,
    become_distributor,
    poster_link,
    programme,
)

pytestmark = pytest.mark.django_db(transaction=True)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def test_reseller_sells_at_his_price_and_the_markup_settles(
    programme,  # noqa: F811
    live_server,
    new_page,
    screenshot,
):
    store = live_server.url
    applicant, brand, distributor = become_distributor(new_page, store, screenshot)
    product = Product.objects.get(slug=PRODUCT)
    sku = product.skus.order_by("position", "pk").first()
    supply, ceiling, price = 3000, sku.list_price_fen + 2000, sku.list_price_fen + 1000

    # He asks to resell: nothing to pay, nothing to buy.
    applicant.goto(store + "/d/reseller/")
    applicant.click("[data-testid=reseller-apply]")
    applicant.wait_for_selector("[data-testid=reseller-applied]")

    # The brand opens a band on the product's first SKU and approves him.
    brand.goto(f"{store}/console/products/{product.pk}/reseller-pricing/")
    row = f"[data-testid=reseller-bands] tr[data-sku='{sku.code}']"
    brand.fill(f"{row} input[name=supply]", yuan(supply))
    brand.fill(f"{row} input[name=ceiling]", yuan(ceiling))
    brand.click(f"{row} button[type=submit]")
    brand.wait_for_load_state()
    assert sku.reseller_pricing.ceiling_fen == ceiling
    brand.goto(store + "/console/resellers/")
    brand.click(f"tr[data-store='{distributor.slug}'] [data-testid=approve]")
    brand.wait_for_load_state()
    assert Reseller.objects.get(distributor=distributor).status == Reseller.Status.APPROVED
    screenshot(brand, "console-resellers")

    # Above the ceiling is refused with the numbers; inside the band it is his price.
    applicant.goto(store + "/d/reseller/")
    offer = f"[data-testid=offer-row][data-sku='{sku.code}']"
    applicant.fill(f"{offer} [data-testid=price-input]", yuan(ceiling + 1))
    applicant.click(f"{offer} [data-testid=set-price]")
    refusal = applicant.inner_text(".messages")
    assert f"¥{yuan(ceiling + 1)}" in refusal and f"¥{yuan(ceiling)}" in refusal
    assert not Listing.objects.exists()
    applicant.fill(f"{offer} [data-testid=price-input]", yuan(price))
    applicant.click(f"{offer} [data-testid=set-price]")
    applicant.wait_for_selector(f"{offer} [data-testid=listing-status]")
    assert Listing.objects.get().price_fen == price
    screenshot(applicant, "distributor-reseller")

    # A customer opens his link: the product page shows his price, and the order charges it.
    link = poster_link(applicant, store, distributor)
    buyer = new_page(phone=True)
    buyer.goto(link)
    assert f"¥{yuan(price)}" in buyer.inner_text("main")
    buyer.goto(f"{store}/login/?next=/p/{PRODUCT}/")
    sign_in_with_code(buyer, BUYER_MOBILE)
    buyer.wait_for_url(re.compile(PRODUCT))
    add_address(buyer, store, "赵买家")
    buyer.goto(f"{store}/checkout/?buy={sku.pk}&qty=2")
    assert f"¥{yuan(price)}" in buyer.inner_text("main")
    screenshot(buyer, "store-reseller-review")
    buyer.click("[data-testid=place-order]")
    buyer.wait_for_url(re.compile(r"/payments/sandbox/"))
    buyer.click("form button[type=submit]")
    buyer.wait_for_url(re.compile(r"/orders/\d+"))
    order = Order.objects.get(customer__mobile=BUYER_MOBILE)
    assert order.status == OrderStatus.PAID and order.distributor == distributor
    line = order.lines.get()
    assert (line.unit_price_fen, line.quantity) == (price, 2)
    assert line.line_total_fen == 2 * price  # the demo's new-customer coupon may take some off
    assert order.total_fen == line.paid_fen + order.freight_fen
    markup = Commission.objects.get(order=order)
    assert (markup.kind, markup.status) == ("markup", "pending")
    assert markup.amount_fen == 2 * (price - supply)

    # Delivered; once the return window has closed, the markup settles and he sees it.
    orders.ship_order(actor=None, order=order, carrier="zto", tracking_no="78310029455613")
    orders.mark_delivered(actor=None, order=order, signed_at=timezone.now())
    later = (timezone.now() + timedelta(days=10)).isoformat()
    call_command("complete_orders", now=later, verbosity=0)
    call_command("settle", now=later, verbosity=0)
    markup.refresh_from_db()
    assert markup.status == "available"
    applicant.goto(store + "/d/reseller/")
    figures = applicant.inner_text("[data-testid=markup]")
    assert f"¥{yuan(markup.amount_fen)}" in figures
    applicant.goto(store + "/d/earnings/")
    balances = applicant.inner_text("[data-testid=balances]")
    assert f"¥{yuan(markup.amount_fen)}" in balances
    screenshot(applicant, "distributor-markup-settled")
