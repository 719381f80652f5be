"""A new shopper signs up on his phone and finds the brand's welcome coupon among his coupons;
he claims the coupon centre's coupon, which then shows as claimed, and sets his birthday."""

import re

import pytest
from django.core.management import call_command

from weishang.customers.models import Customer
from weishang.loyalty.models import Coupon, CouponSource

from .test_buy_ship_return import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13912340077"


@pytest.fixture
def demo_brand(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OTP_SHOW_ON_PAGE = True
    call_command("load_demo", verbosity=0)


def test_welcome_coupon_coupon_centre_and_birthday(demo_brand, live_server, new_page, screenshot):
    store = live_server.url
    shopper = new_page(phone=True)
    shopper.goto(store + "/login/?next=/account/coupons/")
    sign_in_with_code(shopper, MOBILE)
    shopper.wait_for_url(re.compile(r"/account/coupons/$"))
    assert shopper.locator("[data-testid=coupon]").count() == 1
    assert "满 ¥59.00 可用，减 ¥10.00" in shopper.inner_text("[data-testid=coupon-gives]")
    screenshot(shopper, "store-my-coupons")

    shopper.goto(store + "/coupons/")
    shopper.click("[data-testid=claim]")
    assert "领取成功" in shopper.inner_text("body")
    assert shopper.locator("[data-testid=claim]").count() == 0
    screenshot(shopper, "store-coupon-centre")
    customer = Customer.objects.get(mobile=MOBILE)
    assert sorted(Coupon.objects.filter(customer=customer).values_list("source", flat=True)) == [
        CouponSource.CLAIMED,
        CouponSource.NEW_MEMBER,
    ]

    shopper.goto(store + "/account/")
    shopper.fill("[data-testid=birthday-form] input[name=birthday]", "1990-05-04")
    shopper.click("[data-testid=birthday-form] button[type=submit]")
    assert "生日已保存" in shopper.inner_text("body")
    customer.refresh_from_db()
    assert customer.birthday.isoformat() == "1990-05-04"
