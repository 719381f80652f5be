"""The console's share reward settings refuse a rule that pays for sharing, with the rule it
breaks, and save nothing; a lawful rule becomes a new version. The top sharers report is one query
and masks customers for roles that do not need their details."""

import pytest
from django.db import transaction
from django.utils import timezone

from tests.loyalty.test_coupons import template
from weishang.console import roles
from weishang.loyalty import coupons, reward_rules
from weishang.loyalty.models import ShareRewardRule
from weishang.loyalty.reward_rules import RewardRuleDraft
from weishang.loyalty.share_rewards import reward_completed_order, save_share_rule
from weishang.sales import services as sales

from .conftest import english, messages_of
from .test_roles import member

pytestmark = pytest.mark.django_db

URL = "/console/share-rewards/"


def form(**fields):
    return {
        "trigger": "order_completed",
        "reward": "cashback_bp",
        "cashback_rate": "5",
        "invite_after_orders": "3",
    } | fields


@pytest.mark.parametrize(
    ("trigger", "act"),
    [
        ("share", "分享即得"),
        ("likes", "集赞"),
        ("sign_up", "邀请注册"),
        ("help", "助力"),
        ("bargain", "砍价"),
    ],
)
def test_a_rule_paying_for_the_act_is_refused_with_the_rule_it_breaks(console, trigger, act):
    response = console.post(URL, form(trigger=trigger))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Compliance check: this rule cannot be saved" in page
    assert f'data-code="pays_for_{trigger}"' in page
    assert "《微信外部链接内容管理规范》2.1.2" in page and act in page
    assert any("微信外部链接内容管理规范" in m for m in messages_of(response))
    assert not ShareRewardRule.objects.exists()


def test_a_lawful_rule_is_saved_as_a_new_version_and_shown_in_words(console, staff):
    response = console.post(URL, form(), follow=True)
    assert messages_of(response) == [
        "Share reward rule version 1 saved; it applies to orders that complete from now on."
    ]
    rule = ShareRewardRule.current()
    assert (rule.reward, rule.amount, rule.created_by) == ("cashback_bp", 500, staff)
    page = response.content.decode()
    assert "5 % of what the friend pays for the goods" in page
    console.post(URL, form(reward="points_per_yuan", points="2"))
    assert ShareRewardRule.current().version == 2
    assert ShareRewardRule.objects.get(version=1).amount == 500


@pytest.mark.parametrize(
    "fields",
    [
        {"points": "十"},
        {"reward": "points_fixed", "points": "0"},
        {"reward": "cashback_bp", "cashback_rate": "120"},
        {"invite_after_orders": "0"},
        {"invite_after_orders": ""},
        {"trigger": "whenever"},
    ],
)
def test_bad_input_is_a_message_and_saves_nothing(console, fields):
    response = console.post(URL, form(reward="points_fixed", points="10") | fields)
    assert response.status_code == 200
    assert messages_of(response)
    assert not ShareRewardRule.objects.exists()


def test_a_coupon_reward_offers_the_brands_active_coupons_and_saves_the_one_chosen(console):
    offered, retired = template(name="分享券"), template(name="旧券")
    coupons.deactivate_coupon_template(actor=None, template_id=retired.pk)
    page = console.get(URL).content.decode()
    assert "分享券" in page and "旧券" not in page
    response = console.post(
        URL, form(reward="coupon", coupon_template=str(offered.pk)), follow=True
    )
    assert messages_of(response)[0].startswith("Share reward rule version 1 saved")
    rule = ShareRewardRule.current()
    assert (rule.reward, rule.coupon_template, rule.amount) == ("coupon", offered, 0)
    assert "a coupon: 分享券" in response.content.decode()


@pytest.mark.parametrize(
    "chosen", ["", "abc", "１", "99999999999999999999999", "-1", "retired", "unknown"]
)
def test_a_coupon_reward_without_an_active_coupon_is_refused_and_saves_nothing(console, chosen):
    retired = template(name="旧券")
    coupons.deactivate_coupon_template(actor=None, template_id=retired.pk)
    chosen = {"retired": str(retired.pk), "unknown": str(retired.pk + 100)}.get(chosen, chosen)
    response = console.post(URL, form(reward="coupon", coupon_template=chosen))
    assert response.status_code == 200
    assert messages_of(response)
    assert not ShareRewardRule.objects.exists()


def test_tier_progress_is_saved_in_fen_or_basis_points_and_shown_in_words(console):
    response = console.post(URL, form(reward="tier_fixed", tier_progress="50"), follow=True)
    assert (ShareRewardRule.current().reward, ShareRewardRule.current().amount) == (
        "tier_fixed",
        5_000,
    )
    assert "¥50.00 counted towards your member tier" in response.content.decode()
    console.post(URL, form(reward="tier_bp", tier_progress_rate="12.5"))
    assert (ShareRewardRule.current().reward, ShareRewardRule.current().amount) == (
        "tier_bp",
        1_250,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"tier_progress": "-5"},
        {"tier_progress": "五十"},
        {"tier_progress": ""},
        {"tier_progress_rate": "101", "reward": "tier_bp"},
        {"tier_progress_rate": "abc", "reward": "tier_bp"},
    ],
)
def test_bad_tier_progress_is_a_message_and_saves_nothing(console, fields):
    response = console.post(URL, form(reward="tier_fixed") | fields)
    assert response.status_code == 200
    assert messages_of(response)
    assert not ShareRewardRule.objects.exists()


def test_only_the_owner_may_change_the_rule(client, brand, django_user_model):
    english(client).force_login(member(django_user_model, roles.OPERATOR))
    assert client.get(URL).status_code == 200
    assert client.post(URL, form()).status_code == 403
    assert not ShareRewardRule.objects.exists()


def _shared_orders(sharer, buyers, sku, staff, *, completed):
    save_share_rule(draft=RewardRuleDraft(reward=reward_rules.POINTS_FIXED, amount=7), actor=staff)
    later = timezone.now()
    for buyer in buyers:
        order = sales.place_order(
            customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get(), shared_by=sharer
        )
        if completed:
            type(order).objects.filter(pk=order.pk).update(status="completed")
            order.refresh_from_db()
            with transaction.atomic():
                reward_completed_order(order=order, now=later)


def test_top_sharers_is_one_query_and_ranks_by_completed_orders(
    console, staff, make_customer, sku, django_assert_num_queries
):
    top, second = make_customer(), make_customer()
    _shared_orders(top, [make_customer() for _ in range(3)], sku, staff, completed=True)
    _shared_orders(second, [make_customer() for _ in range(5)], sku, staff, completed=False)
    console.get("/console/share-rewards/sharers/")  # warm the session and role caches
    with django_assert_num_queries(5):  # session, user, roles, the report, the brand
        page = console.get("/console/share-rewards/sharers/").content.decode()
    rows = page.split('data-testid="sharer"')[1:]
    assert len(rows) == 2
    assert top.mobile in rows[0] and ">3<" in rows[0] and ">21<" in rows[0]
    assert second.mobile in rows[1] and ">5<" in rows[1] and ">0<" in rows[1]


def test_top_sharers_are_masked_for_roles_without_full_customer_data(
    client, brand, staff, make_customer, sku, django_user_model
):
    sharer = make_customer()
    _shared_orders(sharer, [make_customer()], sku, staff, completed=False)
    english(client).force_login(member(django_user_model, roles.FINANCE))
    page = client.get("/console/share-rewards/sharers/").content.decode()
    assert sharer.mobile not in page
    assert f"{sharer.mobile[:3]}****{sharer.mobile[-4:]}" in page
