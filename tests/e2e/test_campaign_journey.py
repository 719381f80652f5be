"""Two pre-sales made in the console: the customer pays for both on his phone at their campaign
prices; both wait to ship; at their end ``close_campaigns`` releases the one that reached its
target — the brand ships it — and refunds in full every order of the one that missed it, and the
customers are told."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.helpers import pay
from weishang.campaigns.models import Campaign, PresaleOutcome
from weishang.catalog.models import Sku
from weishang.customers.models import Customer
from weishang.notifications.models import Message
from weishang.orders.models import OrderStatus
from weishang.payments.models import Refund
from weishang.sales import services as sales

from .test_buy_ship_return import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13800138000"


@pytest.fixture
def demo_brand(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)


def make_presale(operator, store, *, name, sku, target):
    now = timezone.localtime()
    operator.goto(store + "/console/campaigns/new/")
    operator.select_option("#id_kind", "presale")
    operator.fill("#id_name", name)
    operator.fill("#id_starts_at", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    operator.fill("#id_ends_at", (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    operator.fill("#id_per_customer_limit", "3")
    operator.fill("#id_stock_units", "20")
    operator.fill("#id_target_units", str(target))
    operator.fill("#id_items", f"{sku.code}, 19.90")
    operator.click("[data-testid=save-campaign]")
    operator.click("[data-testid=publish-campaign]")
    operator.wait_for_selector("[data-testid=end-campaign]")
    return Campaign.objects.get(name=name)


def buy(shopper, store, campaign, quantity):
    shopper.goto(f"{store}/campaigns/{campaign.pk}/")
    assert "预售" in shopper.inner_text("[data-testid=campaign-kind]")
    assert "¥19.90" in shopper.inner_text("[data-testid=campaign-price]")
    shopper.fill("[data-testid=campaign-qty]", str(quantity))
    shopper.click("[data-testid=campaign-buy]")
    assert "¥19.90" in shopper.inner_text("[data-testid=review-line]")
    total = shopper.inner_text("[data-testid=review-total]")
    shopper.click("[data-testid=place-order]")
    shopper.wait_for_url(re.compile(r"/payments/sandbox/"))
    assert shopper.inner_text("[data-testid=pay-amount]") == total
    shopper.click("form button[type=submit]")
    shopper.wait_for_url(re.compile(r"/orders/\d+"))
    assert shopper.locator("[data-testid=awaiting-presale]").count() == 1
    return campaign.orders.get(customer__mobile=MOBILE).order


def test_a_presale_that_reaches_its_target_ships_one_that_misses_it_refunds_everyone(
    demo_brand, live_server, new_page, screenshot
):
    store = live_server.url
    sku = Sku.objects.filter(product__slug="ruoqiang-grey-jujube").first()
    operator = new_page(phone=False)
    operator.goto(store + "/console/")
    operator.fill("#id_username", "operator")
    operator.fill("#id_password", "weishang-demo")
    operator.click("form button[type=submit]")
    reaching = make_presale(operator, store, name="年货红枣预售", sku=sku, target=2)
    missing = make_presale(operator, store, name="新枣尝鲜预售", sku=sku, target=5)
    screenshot(operator, "console-campaign")

    shopper = new_page(phone=True)
    shopper.goto(store + "/login/?next=/campaigns/")
    sign_in_with_code(shopper, MOBILE)
    shopper.wait_for_url(re.compile(r"/campaigns/$"))
    listed = shopper.inner_text("main") if shopper.locator("main").count() else shopper.content()
    assert "年货红枣预售" in listed and "新枣尝鲜预售" in listed
    first = buy(shopper, store, reaching, 2)
    screenshot(shopper, "store-campaign-order")
    second = buy(shopper, store, missing, 1)
    shopper.goto(f"{store}/campaigns/{missing.pk}/")
    screenshot(shopper, "store-campaign")
    assert first.lines.get().unit_price_fen == 1990

    # Another customer pays for the pre-sale that will miss its target.
    friend = Customer.objects.exclude(mobile=MOBILE).filter(addresses__isnull=False).first()
    other = pay(
        sales.place_order(
            customer=friend,
            items={sku.pk: 1},
            address=friend.addresses.first(),
            campaign_id=missing.pk,
        )
    )

    # The brand cannot ship them yet: the console says they wait for their pre-sale.
    operator.goto(f"{store}/console/orders/{first.number}/")
    assert operator.locator("[data-testid=awaiting-presale]").count() == 1
    assert operator.locator("form[action$='/ship/']").count() == 0

    # At the end the cron closes both; running it again changes nothing.
    end = (missing.ends_at + timedelta(minutes=1)).isoformat()
    call_command("close_campaigns", "--now", end)
    call_command("close_campaigns", "--now", end)
    reaching.refresh_from_db()
    missing.refresh_from_db()
    assert (reaching.outcome, missing.outcome) == (PresaleOutcome.REACHED, PresaleOutcome.MISSED)

    operator.goto(f"{store}/console/campaigns/{missing.pk}/")
    assert "2" == operator.inner_text("[data-testid=result-orders]")
    assert operator.inner_text("[data-testid=campaign-outcome]") == "未达成目标：全部订单退款"
    screenshot(operator, "console-campaign-missed")
    for order in (second, other):
        order.refresh_from_db()
        assert (order.status, order.refunded_fen) == (OrderStatus.REFUNDED, order.total_fen)
        refund = Refund.objects.get(payment__order=order)
        assert refund.status == Refund.Status.SUCCEEDED and refund.amount_fen == order.total_fen
        assert Message.objects.filter(customer=order.customer, event="presale_missed").count() == 1

    shopper.goto(f"{store}/orders/{second.number}/")
    assert shopper.inner_text("[data-testid=order-status]") == "已退款"
    shopper.goto(store + "/account/inbox/")
    assert "新枣尝鲜预售" in shopper.content()
    screenshot(shopper, "store-campaign-refunded")

    # The one that reached its target ships.
    operator.goto(f"{store}/console/orders/{first.number}/")
    operator.select_option("#id_carrier", "sf")
    operator.fill("#id_tracking_no", "SF1402837465921")
    operator.click("form[action$='/ship/'] button[type=submit]")
    operator.wait_for_load_state()
    first.refresh_from_db()
    assert first.status == OrderStatus.SHIPPED
    shopper.goto(f"{store}/orders/{first.number}/")
    assert "SF1402837465921" in shopper.inner_text("[data-testid=tracking]")
