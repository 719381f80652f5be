"""Coupon templates, issuing within quota and limit, and using coupons on an order."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import pay
from weishang.compliance.models import AuditEntry
from weishang.loyalty import coupons
from weishang.loyalty.coupon_rules import CouponLine, best_coupons
from weishang.loyalty.coupons import CouponError, Segment
from weishang.loyalty.models import Coupon, CouponRule, CouponSource, CouponTemplate
from weishang.sales import services as sales

NOW = timezone.now()
pytestmark = pytest.mark.django_db


def template(**overrides) -> CouponTemplate:
    terms = {
        "name": "满100减20",
        "kind": "amount_off",
        "amount_off_fen": 2000,
        "threshold_fen": 10000,
        "scope": "all",
        "valid_days": 30,
        "per_customer_limit": 1,
        "quota": None,
        "stackable": False,
        "claimable": True,
    }
    products = overrides.pop("products", ())
    categories = overrides.pop("categories", ())
    terms.update(overrides)
    return coupons.save_coupon_template(
        actor=None, terms=terms, product_ids=products, category_ids=categories, now=NOW
    )


def issue(tpl, customer, key, now=NOW):
    with transaction.atomic():
        return coupons.issue_coupon(
            template_id=tpl.pk,
            customer_id=customer.pk,
            source=CouponSource.BY_HAND,
            key=key,
            now=now,
        )


def test_a_template_refuses_what_cannot_be_a_coupon():
    with pytest.raises(CouponError, match="more than 0 %"):
        template(kind="percent_off", percent_off_bp=12000)
    with pytest.raises(CouponError, match="more than 0"):
        template(amount_off_fen=0)
    with pytest.raises(CouponError, match="ends before it starts"):
        template(valid_days=None, valid_from=NOW, valid_until=NOW)
    with pytest.raises(CouponError, match="window or a number of days"):
        template(valid_days=None)
    with pytest.raises(CouponError, match="Choose the products"):
        template(scope="products")
    assert not CouponTemplate.objects.exists()


def test_issuing_freezes_the_window_and_is_idempotent_on_its_key(customer):
    tpl = template(valid_days=7)
    first = issue(tpl, customer, "k1")
    assert issue(tpl, customer, "k1") == first
    assert (first.valid_from, first.valid_until) == (NOW, NOW + timedelta(days=7))
    coupons.save_coupon_template(
        actor=None,
        terms={**{f: getattr(tpl, f) for f in coupons.TEMPLATE_FIELDS}, "valid_days": 1},
        template_id=tpl.pk,
        now=NOW,
    )
    first.refresh_from_db()
    assert first.valid_until == NOW + timedelta(days=7)
    assert AuditEntry.objects.filter(action="coupon_template.update").get().after == {
        "valid_days": 1
    }


def test_the_quota_and_the_per_customer_limit_hold(make_customer):
    tpl = template(quota=2, per_customer_limit=1)
    one, two, three = make_customer(), make_customer(), make_customer()
    issue(tpl, one, "a")
    with pytest.raises(CouponError, match="already holds"):
        issue(tpl, one, "b")
    issue(tpl, two, "c")
    with pytest.raises(CouponError, match="have been issued"):
        issue(tpl, three, "d")
    assert Coupon.objects.count() == 2


def test_an_inactive_template_or_an_ended_window_issues_nothing(customer):
    tpl = template()
    coupons.deactivate_coupon_template(actor=None, template_id=tpl.pk)
    with pytest.raises(CouponError, match="no longer issued"):
        issue(tpl, customer, "a")
    ended = template(valid_days=None, valid_from=NOW - timedelta(days=9), valid_until=NOW)
    with pytest.raises(CouponError, match="window has ended"):
        issue(ended, customer, "b")


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_claims_get_exactly_the_ten_coupons(postgres_only, make_customer):
    tpl = template(quota=10)
    customers = [make_customer() for _ in range(50)]
    results = run_in_parallel(
        lambda i: coupons.claim_coupon(customer_id=customers[i].pk, template_id=tpl.pk, now=NOW),
        50,
    )
    issued = [r for r in results if isinstance(r, Coupon)]
    refused = [r for r in results if isinstance(r, CouponError)]
    assert (len(issued), len(refused)) == (10, 40)
    assert Coupon.objects.filter(template=tpl).count() == 10


@pytest.mark.django_db(transaction=True)
def test_one_customer_claiming_from_many_tabs_gets_his_limit(postgres_only, customer):
    tpl = template(per_customer_limit=2)
    results = run_in_parallel(
        lambda i: coupons.claim_coupon(customer_id=customer.pk, template_id=tpl.pk, now=NOW), 20
    )
    assert sum(isinstance(r, Coupon) for r in results) == 2
    assert Coupon.objects.filter(customer=customer).count() == 2


def test_a_segment_gets_one_coupon_each_within_quota_audited_with_the_count(
    make_customer, make_product, staff
):
    sku = make_product()
    buyer, idle = make_customer(), make_customer()
    pay(sales.place_order(customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get()))
    tpl = template(quota=5)
    bought = Segment(kind="bought_product", product_id=sku.product_id)
    count = coupons.issue_to_segment(
        actor=staff, template_id=tpl.pk, segment=bought, batch="b1", now=NOW
    )
    assert count == 1
    assert list(Coupon.objects.values_list("customer", flat=True)) == [buyer.pk]
    entry = AuditEntry.objects.get(action="coupon.issue_segment")
    assert (entry.actor, entry.after["issued"]) == (staff, 1)
    with pytest.raises(CouponError, match="already issued"):
        coupons.issue_to_segment(
            actor=staff, template_id=tpl.pk, segment=bought, batch="b1", now=NOW
        )
    idle_segment = Segment(kind="not_bought_within", days=30)
    assert (
        coupons.issue_to_segment(
            actor=staff, template_id=tpl.pk, segment=idle_segment, batch="b2", now=NOW
        )
        == 1
    )
    assert Coupon.objects.get(customer=idle).source == CouponSource.SEGMENT


def test_a_segment_larger_than_the_quota_is_refused_whole(make_customer, staff):
    for _ in range(3):
        make_customer()
    tpl = template(quota=2)
    with pytest.raises(CouponError, match="quota leaves 2"):
        coupons.issue_to_segment(
            actor=staff, template_id=tpl.pk, segment=Segment(kind="all"), batch="b", now=NOW
        )
    assert not Coupon.objects.exists()
    assert not AuditEntry.objects.filter(action="coupon.issue_segment").exists()


def test_the_segment_is_picked_in_one_query_and_issued_in_one_insert(
    make_customer, staff, django_assert_max_num_queries
):
    for _ in range(20):
        make_customer()
    tpl = template()
    with django_assert_max_num_queries(8):
        coupons.issue_to_segment(
            actor=staff, template_id=tpl.pk, segment=Segment(kind="all"), batch="b", now=NOW
        )
    assert Coupon.objects.count() == 20


def test_a_new_member_gets_the_rule_s_coupon_once(customer, staff):
    assert coupons.issue_by_rule(rule="new_member", customer_id=customer.pk, now=NOW) is None
    tpl = template()
    coupons.set_coupon_rule(actor=staff, rule="new_member", template_id=tpl.pk)
    first = coupons.issue_by_rule(rule="new_member", customer_id=customer.pk, now=NOW)
    again = coupons.issue_by_rule(rule="new_member", customer_id=customer.pk, now=NOW)
    assert first == again and first.source == CouponSource.NEW_MEMBER
    coupons.set_coupon_rule(actor=staff, rule="new_member", template_id=None)
    assert not CouponRule.objects.exists()
    assert AuditEntry.objects.filter(action="coupon_rule.set").count() == 2


def test_birthday_coupons_are_issued_once_a_year_by_the_daily_command(make_customer, staff):
    born = make_customer()
    born.birthday = date(1990, 12, 2)
    born.save()
    leap = make_customer()
    leap.birthday = date(1992, 2, 29)
    leap.save()
    make_customer()
    tpl = template(per_customer_limit=5)
    coupons.set_coupon_rule(actor=staff, rule="birthday", template_id=tpl.pk)
    call_command("issue_birthday_coupons", now="2026-12-02T00:05")
    call_command("issue_birthday_coupons", now="2026-12-02T09:00")
    assert list(Coupon.objects.values_list("customer", flat=True)) == [born.pk]
    call_command("issue_birthday_coupons", now="2027-02-28T00:05")
    assert Coupon.objects.filter(customer=leap).count() == 1
    call_command("issue_birthday_coupons", now="2027-12-02T00:05")
    assert Coupon.objects.filter(customer=born).count() == 2


def test_a_referral_reward_is_issued_once_and_never_fails_the_order(customer):
    tpl = template(quota=1)
    with transaction.atomic():
        first = coupons.issue_referral_reward(
            template=tpl, customer_id=customer.pk, key="order:1", now=NOW
        )
        again = coupons.issue_referral_reward(
            template=tpl.pk, customer_id=customer.pk, key="order:1", now=NOW
        )
        spent = coupons.issue_referral_reward(
            template=tpl, customer_id=customer.pk, key="order:2", now=NOW
        )
    assert first == again and first.source == CouponSource.REFERRAL and spent is None


def _lines(sku, amount):
    return [CouponLine(1, sku.product_id, sku.product.category_id, amount)]


def test_usable_coupons_feed_the_rules_and_use_and_release_follow_the_order(
    make_customer, make_product
):
    sku = make_product()
    customer = make_customer()
    big = issue(template(amount_off_fen=3000), customer, "big")
    stack = template(stackable=True, amount_off_fen=1000, threshold_fen=0, name="立减10")
    small = issue(stack, customer, "small")
    usable = coupons.usable_coupons(customer_id=customer.pk, now=NOW)
    assert [t.coupon_id for t in usable] == [big.pk, small.pk]
    assert [t.coupon_id for t in best_coupons(usable, _lines(sku, 12000))] == [big.pk]
    with transaction.atomic():
        with pytest.raises(CouponError, match="does not stack"):
            coupons.use_coupons(
                customer_id=customer.pk, coupon_ids=[big.pk, small.pk], order_number="N1", now=NOW
            )
        coupons.use_coupons(
            customer_id=customer.pk, coupon_ids=[big.pk], order_number="N1", now=NOW
        )
        coupons.use_coupons(
            customer_id=customer.pk, coupon_ids=[big.pk], order_number="N1", now=NOW
        )
        with pytest.raises(CouponError, match="already been used"):
            coupons.use_coupons(
                customer_id=customer.pk, coupon_ids=[big.pk], order_number="N2", now=NOW
            )
    assert [t.coupon_id for t in coupons.usable_coupons(customer_id=customer.pk, now=NOW)] == [
        small.pk
    ]
    with transaction.atomic():
        assert coupons.release_coupons(order_number="N1", now=NOW) == 1
    big.refresh_from_db()
    assert big.status_at(NOW) == Coupon.Status.AVAILABLE


def test_a_coupon_not_his_or_outside_its_window_is_refused(make_customer):
    owner, other = make_customer(), make_customer()
    coupon = issue(template(valid_days=2), owner, "a")
    with transaction.atomic(), pytest.raises(CouponError, match="not yours"):
        coupons.use_coupons(
            customer_id=other.pk, coupon_ids=[coupon.pk], order_number="N1", now=NOW
        )
    with transaction.atomic(), pytest.raises(CouponError, match="cannot be used now"):
        coupons.use_coupons(
            customer_id=owner.pk,
            coupon_ids=[coupon.pk],
            order_number="N1",
            now=NOW + timedelta(days=3),
        )
    assert coupon.status_at(NOW + timedelta(days=3)) == Coupon.Status.EXPIRED
