"""The owner opens the home and the analytics pages in Chinese: three weeks of the demo shop's
sales drawn by ECharts (no script the Content Security Policy refuses), the GMV factors
multiplying back to GMV, the funnel's five steps, the cohorts, and a chart's CSV download."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.helpers import pay
from weishang.catalog.models import Sku
from weishang.customers.models import Customer
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_with_history(settings, tmp_path):
    """The demo brand, and its customer's orders on every third day of the last three weeks."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("load_demo", verbosity=0)
    customer = Customer.objects.filter(distributor__isnull=True).order_by("pk").first()
    skus = list(Sku.objects.order_by("pk")[:3])
    for days_ago in range(21, 0, -3):
        moment = timezone.now() - timedelta(days=days_ago)
        with mock.patch("django.utils.timezone.now", return_value=moment):
            pay(
                sales.place_order(
                    customer=customer,
                    items={skus[days_ago % 3].pk: 1 + days_ago % 2},
                    address=customer.addresses.first(),
                    clear_cart=False,
                )
            )


def test_the_owner_reads_the_home_and_the_analytics_pages_in_chinese(
    demo_with_history, live_server, new_page, screenshot
):
    site = live_server.url
    owner = new_page(phone=False, size=(1280, 1000))
    owner.goto(site + "/console/")
    owner.fill("#id_username", "admin")
    owner.fill("#id_password", "weishang-demo")
    owner.click("form button[type=submit]")
    owner.wait_for_url(re.compile(r"/console/$"))

    owner.goto(site + "/console/?period=30d")
    assert owner.inner_text("h1") == "概览"
    assert owner.inner_text("[data-kpi=gmv] .tile-label") == "成交额（实付减退款）"
    owner.wait_for_selector("[data-testid=chart-trend] canvas")
    assert "待办事项" in owner.inner_text("body")
    screenshot(owner, "console-overview")

    csv_link = owner.get_attribute("[data-testid=chart-trend] [data-testid=chart-csv]", "href")
    download = owner.request.get(
        site + "/console/" + csv_link if csv_link.startswith("?") else csv_link
    )
    body = download.body().decode("utf-8")
    assert body.startswith("\ufeff日期,成交额,订单")
    assert len(body.strip().splitlines()) == 1 + 30

    owner.click("[data-kpi=gmv]")
    owner.wait_for_url(re.compile(r"/console/analytics/factors/"))
    assert owner.inner_text("h1") == "成交额拆解"
    assert "触达" in owner.inner_text("[data-testid=identity]")
    owner.wait_for_selector("[data-testid=chart-factors] canvas")
    screenshot(owner, "console-gmv-factors")

    owner.goto(site + "/console/analytics/funnel/?period=30d")
    assert owner.locator("[data-testid=funnel] tbody tr").count() == 5
    assert owner.inner_text("[data-step=small_b] th") == "小B"
    owner.wait_for_selector("[data-testid=chart-funnel] canvas")
    screenshot(owner, "console-funnel")

    owner.goto(site + "/console/analytics/rankings/?period=30d")
    assert owner.inner_text("h1") == "排行榜"
    assert owner.locator("[data-testid=product-row]").count() >= 1
    screenshot(owner, "console-rankings")

    owner.goto(site + "/console/analytics/health/?period=30d")
    assert "动销率" in owner.inner_text("[data-testid=health] thead")
    assert owner.locator("[data-testid=health-row]").count() >= 1
    screenshot(owner, "console-distributor-health")

    owner.goto(site + "/console/analytics/cohorts/")
    assert owner.locator("[data-testid=cohort-row]").count() >= 1
    owner.wait_for_selector("[data-testid=chart-retention] canvas")
    screenshot(owner, "console-cohorts")

    seller = new_page(phone=True)
    seller.goto(site + "/login/")
    seller.click("details summary")
    seller.fill("#pw-mobile", "13900139000")
    seller.fill("#password", "weishang-demo")
    seller.click("button[name=action][value=password]")
    seller.wait_for_url(re.compile(r"/$|/account/|/d/"))
    seller.goto(site + "/d/analytics/?period=30d")
    assert seller.inner_text("h1") == "我的数据"
    assert seller.locator("[data-testid=factors] [data-factor=gmv]").count() == 1
    screenshot(seller, "distributor-figures")
