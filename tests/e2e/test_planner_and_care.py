"""The posting assistant and the care list in a phone's browser: the distributor plans a ninth
post, is warned before it breaks the brand's rule and posts it anyway; on his care list he copies
the suggested message (the page's script runs under the Content Security Policy) and marks the
customer greeted."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.content import posts
from weishang.content.models import CareTask, Post, Theme
from weishang.distribution.models import Binding

from .test_buy_ship_return import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13912340303"


@pytest.fixture
def shop(settings, brand, make_customer, make_distributor, live_server):
    settings.OTP_SHOW_ON_PAGE = True
    distributor = make_distributor(make_customer(MOBILE))
    today = timezone.localdate()
    for _n in range(8):
        Post.objects.create(
            distributor=distributor,
            key=posts.new_post_key(),
            text="早安",
            planned_on=today,
            created_at=timezone.now(),
        )
    friend = make_customer("13912340404")
    Binding.objects.create(
        customer=friend,
        distributor=distributor,
        source="qr",
        bound_at=timezone.now() - timedelta(days=90),
    )
    Theme.objects.create(
        title="冬枣",
        copy="冬天来一把若羌灰枣。",
        status="published",
        created_at=timezone.now(),
        published_at=timezone.now(),
    )
    return distributor


def test_warned_post_anyway_then_greet_a_customer(shop, live_server, new_page, screenshot):
    store = live_server.url
    page = new_page(phone=True)
    page.goto(store + "/login/?next=/d/planner/")
    sign_in_with_code(page, MOBILE)
    page.wait_for_url(re.compile(r"/d/planner/"))
    page.fill("#id_text", "今天的第九条")
    page.click("[data-testid=own-post-form] button[type=submit]")
    warning = page.wait_for_selector("[data-testid=cadence-warning]")
    assert "超过品牌规定的每天最多 8 条" in warning.inner_text()
    screenshot(page, "planner-warning")
    assert Post.objects.filter(distributor=shop).count() == 8
    page.click("[data-testid=confirm-form] button[type=submit]")
    page.wait_for_selector("text=已加入发圈计划")
    assert Post.objects.filter(distributor=shop, text="今天的第九条").exists()

    page.goto(store + "/d/care/")
    row = page.wait_for_selector("[data-testid=care-row]")
    assert "139****0404" in row.inner_text() and "13912340404" not in page.content()
    assert page.input_value("[data-testid=care-row] textarea").endswith("冬天来一把若羌灰枣。")
    page.click("[data-testid=care-row] button.copy")
    page.wait_for_selector("[data-testid=care-row] button.copy:has-text('已复制')")
    page.click("[data-testid=care-row] form button[type=submit]")
    page.wait_for_selector("[data-testid=care-row].care-done")
    screenshot(page, "care-list")
    assert CareTask.objects.get().done_at is not None
