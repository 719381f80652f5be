"""The brand console's coupon pages: templates, issuing to a customer and a segment, rules."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from weishang.compliance.models import AuditEntry
from weishang.console import roles
from weishang.loyalty import coupons
from weishang.loyalty.models import Coupon, CouponRule, CouponSource, CouponTemplate

from .conftest import english, messages_of

pytestmark = pytest.mark.django_db
NOW = timezone.now()
FORM = {
    "name": "满100减20",
    "kind": "amount_off",
    "amount_off": "20",
    "threshold": "100",
    "scope": "all",
    "validity": "days",
    "valid_days": "30",
    "per_customer_limit": "1",
}


def template(**overrides):
    terms = {
        "name": "满100减20",
        "kind": "amount_off",
        "amount_off_fen": 2000,
        "threshold_fen": 10000,
        "scope": "all",
        "valid_days": 30,
    } | overrides
    return coupons.save_coupon_template(actor=None, terms=terms, now=NOW)


def test_a_template_made_in_the_console_is_listed_with_issued_and_quota(
    console, customer, staff, django_assert_max_num_queries
):
    response = console.post(
        reverse("console:coupon_template_new"), FORM | {"quota": "100"}, follow=True
    )
    assert "The coupon template is saved." in messages_of(response)
    made = CouponTemplate.objects.get()
    with transaction.atomic():
        coupons.issue_coupon(
            template_id=made.pk, customer_id=customer.pk, source="by_hand", key="k", now=NOW
        )
    for n in range(10):
        template(name=f"券{n}")
    with django_assert_max_num_queries(12):
        page = console.get(reverse("console:coupon_templates")).content.decode()
    assert page.count('data-testid="coupon-template"') == 11
    assert "1 / 100" in page and "¥20.00 off on a spend of ¥100.00 or more" in page
    entry = AuditEntry.objects.get(action="coupon_template.create", object_id=str(made.pk))
    assert entry.actor == staff and entry.after["amount_off_fen"] == 2000


@pytest.mark.parametrize(
    "change, message",
    [
        ({"kind": "percent_off", "percent_off": "120"}, "at most 100 %"),
        ({"kind": "percent_off", "percent_off": "１０"}, "0 to 9"),
        ({"amount_off": "0"}, "takes off more than 0"),
        ({"amount_off": ""}, "Enter the amount off."),
        (
            {
                "validity": "window",
                "valid_from": "2026-12-10 10:00",
                "valid_until": "2026-12-10 10:00",
            },
            "ends before it starts",
        ),
        ({"validity": "window"}, "Enter the start and the end of the window."),
        ({"scope": "products"}, "Choose the products"),
        ({"products": ["١"], "scope": "products"}, "0 to 9"),
        ({"categories": ["99999999999999999999"], "scope": "categories"}, "not a valid value"),
        ({"quota": "0"}, "Total quota"),
        ({"per_customer_limit": "²"}, "Per customer"),
    ],
)
def test_a_template_that_cannot_be_is_refused_with_a_message(console, change, message):
    response = console.post(reverse("console:coupon_template_new"), FORM | change)
    assert response.status_code == 200
    assert any(message in text for text in messages_of(response)), messages_of(response)
    assert not CouponTemplate.objects.exists()


def test_editing_a_template_keeps_what_was_issued_and_deactivating_stops_issuing(console, customer):
    made = template()
    page = console.get(reverse("console:coupon_template_edit", args=[made.pk]))
    assert page.context["form"]["amount_off"].value() == "20.00"
    console.post(
        reverse("console:coupon_template_edit", args=[made.pk]), FORM | {"name": "满100减25"}
    )
    made.refresh_from_db()
    assert made.name == "满100减25"
    response = console.post(
        reverse("console:coupon_template_deactivate", args=[made.pk]), follow=True
    )
    assert any("deactivated" in text for text in messages_of(response))
    assert console.get(reverse("console:coupon_template_edit", args=[999999])).status_code == 404


def test_the_customer_page_lists_his_coupons_and_lets_an_operator_issue_one(
    client, django_user_model, customer, brand
):
    made = template()
    operator = django_user_model.objects.create_user(username="op", is_staff=True)
    operator.groups.add(Group.objects.get_or_create(name=roles.OPERATOR)[0])
    english(client).force_login(operator)
    url = reverse("console:customer_detail", args=[customer.pk])
    page = client.get(url)
    key = page.context["issue_form"]["key"].value()
    response = client.post(
        reverse("console:coupon_issue", args=[customer.pk]),
        {"template": made.pk, "key": key},
        follow=True,
    )
    assert "The coupon is issued." in messages_of(response)
    assert response.content.decode().count('data-testid="customer-coupon"') == 1
    again = client.post(
        reverse("console:coupon_issue", args=[customer.pk]), {"template": made.pk, "key": key}
    )
    assert Coupon.objects.get().source == CouponSource.BY_HAND and again.status_code == 302
    assert AuditEntry.objects.filter(action="coupon.issue").count() == 1


def test_finance_reads_the_customer_s_coupons_without_the_issue_form(
    client, django_user_model, customer, brand
):
    made = template()
    with transaction.atomic():
        coupons.issue_coupon(
            template_id=made.pk,
            customer_id=customer.pk,
            source="by_hand",
            key="k",
            now=NOW - timedelta(days=40),
        )
    finance = django_user_model.objects.create_user(username="fin", is_staff=True)
    finance.groups.add(Group.objects.get_or_create(name=roles.FINANCE)[0])
    english(client).force_login(finance)
    page = client.get(reverse("console:customer_detail", args=[customer.pk])).content.decode()
    assert 'data-testid="customer-coupon"' in page and "expired" in page
    assert 'data-testid="issue-coupon"' not in page


def test_a_segment_is_issued_from_its_page_with_the_count(console, make_customer):
    made = template()
    make_customer(), make_customer()
    page = console.get(reverse("console:coupon_segment"))
    key = page.context["form"]["key"].value()
    data = {"template": made.pk, "segment": "all", "key": key}
    response = console.post(reverse("console:coupon_segment"), data, follow=True)
    assert "2 coupons are issued." in messages_of(response)
    again = console.post(reverse("console:coupon_segment"), data)
    assert "These coupons were already issued." in messages_of(again)
    no_days = console.post(
        reverse("console:coupon_segment"), data | {"segment": "bought_within", "key": "c" * 32}
    )
    assert "Give the number of days." in messages_of(no_days)
    assert Coupon.objects.count() == 2
    log = console.get(reverse("console:audit_log")).content.decode()
    assert "Coupons issued to a customer segment" in log and "every customer" in log


def test_the_rules_page_chooses_and_clears_the_template_for_an_occasion(console):
    made = template()
    console.post(reverse("console:coupon_rules"), {"rule": "birthday", "template": made.pk})
    assert CouponRule.objects.get().rule == "birthday"
    page = console.get(reverse("console:coupon_rules"))
    assert [row["form"]["template"].value() for row in page.context["rows"]] == [
        None,
        None,
        made.pk,
    ]
    console.post(reverse("console:coupon_rules"), {"rule": "birthday", "template": ""})
    assert not CouponRule.objects.exists()
