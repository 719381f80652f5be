"""The customer's coupon pages: my coupons by tab, the coupon centre, the birthday on his
account, and the welcome coupon a new member gets when he signs up."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from weishang.customers.models import Customer
from weishang.loyalty import coupons
from weishang.loyalty.models import Coupon, CouponSource

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def template(**overrides):
    terms = {
        "name": "满100减20",
        "kind": "amount_off",
        "amount_off_fen": 2000,
        "threshold_fen": 10000,
        "scope": "all",
        "valid_days": 30,
        "per_customer_limit": 1,
        "claimable": True,
    } | overrides
    products = terms.pop("products", ())
    return coupons.save_coupon_template(actor=None, terms=terms, product_ids=products, now=NOW)


def give(tpl, customer, key, now=NOW):
    with transaction.atomic():
        return coupons.issue_coupon(
            template_id=tpl.pk, customer_id=customer.pk, source="by_hand", key=key, now=now
        )


def texts(response, testid):
    page = response.content.decode()
    return page.count(f'data-testid="{testid}"')


def test_my_coupons_shows_each_tab_with_what_the_coupon_gives(
    shopper, customer, sku, django_assert_max_num_queries
):
    give(template(), customer, "a")
    give(
        template(
            name="9折",
            kind="percent_off",
            percent_off_bp=1000,
            cap_fen=5000,
            threshold_fen=0,
            scope="products",
            products=[sku.product_id],
        ),
        customer,
        "b",
    )
    old = give(template(name="旧券"), customer, "c", now=NOW - timedelta(days=40))
    used = give(template(name="已用"), customer, "d")
    Coupon.objects.filter(pk=used.pk).update(used_at=NOW, order_number="WS1")
    with django_assert_max_num_queries(10):
        response = shopper.get("/account/coupons/")
    page = response.content.decode()
    assert texts(response, "coupon") == 2
    assert "¥20.00 off on a spend of ¥100.00 or more" in page
    assert "10% off, at most ¥50.00" in page and f"On: {sku.product.name}" in page
    expired = shopper.get("/account/coupons/?tab=expired")
    assert texts(expired, "coupon") == 1 and old.template.name in expired.content.decode()
    used_tab = shopper.get("/account/coupons/?tab=used").content.decode()
    assert "已用" in used_tab and "WS1" in used_tab
    assert texts(shopper.get("/account/coupons/?tab=bogus"), "coupon") == 2


def test_a_coupon_taken_back_with_its_share_reward_shows_under_voided_only(shopper, customer):
    kept = give(template(name="留着"), customer, "a")
    voided = give(template(name="收回"), customer, "b")
    Coupon.objects.filter(pk=voided.pk).update(voided_at=NOW)
    available = shopper.get("/account/coupons/")
    assert texts(available, "coupon") == 1 and kept.template.name in available.content.decode()
    tab = shopper.get("/account/coupons/?tab=voided")
    page = tab.content.decode()
    assert texts(tab, "coupon") == 1 and "收回" in page and "留着" not in page
    assert ">voided<" in page
    assert texts(shopper.get("/account/coupons/?tab=expired"), "coupon") == 0


def test_my_coupons_costs_the_same_queries_for_many_coupons(
    shopper, customer, django_assert_max_num_queries
):
    for n in range(12):
        give(template(name=f"券{n}"), customer, f"k{n}")
    with django_assert_max_num_queries(10):
        response = shopper.get("/account/coupons/")
    assert texts(response, "coupon") == 12


def test_the_coupon_centre_lets_him_claim_up_to_his_limit(
    shopper, customer, django_assert_max_num_queries
):
    offered = template(quota=5)
    template(name="不公开", claimable=False)
    template(name="停用").__class__.objects.filter(name="停用").update(is_active=False)
    with django_assert_max_num_queries(10):
        page = shopper.get("/coupons/")
    assert texts(page, "claimable") == 1 and texts(page, "claim") == 1
    response = shopper.post("/coupons/", {"template": str(offered.pk)}, follow=True)
    assert "The coupon is yours" in response.content.decode()
    assert Coupon.objects.get(customer=customer).source == CouponSource.CLAIMED
    again = shopper.post("/coupons/", {"template": str(offered.pk)}, follow=True)
    assert "You already hold this coupon." in again.content.decode()
    assert texts(again, "claim") == 0
    for hostile in ("١", "abc", "99999999999999999999999", ""):
        assert shopper.post("/coupons/", {"template": hostile}).status_code == 200
    assert Coupon.objects.count() == 1


def test_he_sets_and_clears_his_birthday_on_his_account(shopper, customer):
    response = shopper.post(
        "/account/", {"action": "birthday", "birthday": "1990-05-04"}, follow=True
    )
    assert "Your birthday is saved." in response.content.decode()
    customer.refresh_from_db()
    assert customer.birthday == date(1990, 5, 4)
    refused = shopper.post("/account/", {"action": "birthday", "birthday": "２０００-01-01"})
    assert refused.status_code == 200
    future = shopper.post("/account/", {"action": "birthday", "birthday": "2090-01-01"})
    assert "already come" in future.content.decode()
    shopper.post("/account/", {"action": "birthday", "birthday": ""})
    customer.refresh_from_db()
    assert customer.birthday is None


def test_a_new_member_gets_the_welcome_coupon_once_and_a_returning_one_does_not(
    client, brand, settings, staff, make_customer
):
    settings.OTP_SHOW_ON_PAGE = True
    coupons.set_coupon_rule(actor=staff, rule="new_member", template_id=template().pk)
    returning = make_customer()

    def sign_in(mobile):
        code = client.post("/login/", {"action": "send_code", "mobile": mobile}).context[
            "demo_code"
        ]
        client.post("/login/", {"action": "code", "mobile": mobile, "code": code})

    sign_in("13900007777")
    newcomer = Customer.objects.get(mobile="13900007777")
    sign_in("13900007777")
    sign_in(returning.mobile)
    assert [(c.customer_id, c.source) for c in Coupon.objects.all()] == [
        (newcomer.pk, CouponSource.NEW_MEMBER)
    ]
