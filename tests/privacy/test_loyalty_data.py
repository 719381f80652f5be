"""The loyalty part of a customer's copy of his data and of closing his account: his tier, points,
wallet, red packets, coupons and share links in the copy, never a friend's identity; closing voids
his coupons, forfeits his points, stops his links attributing and keeps the ledger and the wallet
money on it, which the page tells him about before he confirms."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import deliver, pay
from tests.loyalty.flows import make_tiers
from tests.personal import MOBILE, make_xiaoming
from tests.storefront.test_cart_and_checkout import place_form
from weishang.commissions import ledger
from weishang.commissions.models import Transfer
from weishang.compliance.models import AuditEntry
from weishang.loyalty import coupons, points, redpackets, reward_rules, selectors, tiers
from weishang.loyalty.models import (
    Coupon,
    CouponSource,
    CustomerShare,
    MemberStatus,
    PointsLot,
    RedPacketOffer,
    TierChange,
)
from weishang.loyalty.reward_rules import RewardRuleDraft
from weishang.loyalty.share_links import share_product
from weishang.loyalty.share_rewards import reward_completed_order, save_share_rule
from weishang.orders import services as orders
from weishang.orders.models import Order
from weishang.privacy import data_rights
from weishang.sales import services as sales
from weishang.storefront.share_visits import SESSION_KEY

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LATER = NOW + timedelta(days=10)  # the 7-day return window has closed
FRIEND_MOBILE = "13700000009"
FRIEND_NICKNAME = "阿强"
FRIEND_STREET = "世纪大道100号"  # every test customer's address but Xiaoming's


def place(customer, sku, quantity=1, shared_by=None):
    return sales.place_order(
        customer=customer,
        items={sku.pk: quantity},
        address=customer.addresses.get(),
        shared_by=shared_by,
    )


def coupon_template(name, **terms):
    return coupons.save_coupon_template(
        actor=None,
        terms={
            "name": name,
            "kind": "amount_off",
            "amount_off_fen": 500,
            "threshold_fen": 0,
            "scope": "all",
            "valid_days": 30,
            "per_customer_limit": 1,
            "quota": None,
            "stackable": False,
            "claimable": False,
        }
        | terms,
        product_ids=(),
        category_ids=(),
        now=NOW,
    )


def issue(template, customer, key):
    with transaction.atomic():
        return coupons.issue_coupon(
            template_id=template.pk,
            customer_id=customer.pk,
            source=CouponSource.BY_HAND,
            key=key,
            now=NOW,
        )


def friends_completed_order(friend, sku, sharer):
    order = deliver(pay(place(friend, sku, shared_by=sharer)))
    orders.complete_orders(now=LATER)
    with transaction.atomic():
        reward_completed_order(order=order, now=LATER)
    return order


@pytest.fixture
def xiaoming(make_customer):
    return make_xiaoming(make_customer)


@pytest.fixture
def friend(make_customer):
    customer = make_customer(FRIEND_MOBILE)
    customer.nickname = FRIEND_NICKNAME
    customer.save()
    return customer


@pytest.fixture
def member(xiaoming, friend, sku, staff):
    """Xiaoming reached 银卡, was awarded 500 points, bought a ¥5 red packet for 100 of them,
    holds a coupon valid now and one valid from next week, and shared the product: a friend's
    order through his link completed and earned him 100 points."""
    make_tiers()
    deliver(pay(place(xiaoming, sku, 3)))
    with transaction.atomic():
        tiers.review_tier(customer_id=xiaoming.pk, reason="review", now=timezone.now())
        points.grant_points(
            customer_id=xiaoming.pk, points=500, key="award:birthday", reason="生日礼", now=NOW
        )
    offer = RedPacketOffer.objects.create(
        name="5元红包", points_cost=100, amount_fen=500, created_at=NOW
    )
    redpackets.redeem_red_packet(
        customer_id=xiaoming.pk, offer_id=offer.pk, request_key="r1", now=NOW
    )
    issue(coupon_template("满0减5"), xiaoming, "now")
    later = coupon_template(
        "下周券",
        valid_days=None,
        valid_from=NOW + timedelta(days=7),
        valid_until=NOW + timedelta(days=30),
    )
    issue(later, xiaoming, "next-week")
    share_product(customer=xiaoming, product=sku.product, now=NOW)
    save_share_rule(
        draft=RewardRuleDraft(reward=reward_rules.POINTS_FIXED, amount=100), actor=staff
    )
    return {"friends_order": friends_completed_order(friend, sku, xiaoming)}


# The copy ----------------------------------------------------------------------------------------


def test_the_copy_holds_my_tier_points_wallet_coupons_and_shares(xiaoming, member, sku):
    data = data_rights.personal_data(xiaoming)
    assert data["membership"]["tier"] == "银卡"
    assert [(c["from_tier"], c["to_tier"], c["reason"]) for c in data["tier_history"]] == [
        ("普通", "银卡", "review")
    ]
    assert data["balances"] == {"points": 500, "wallet_fen": 500}
    assert sorted(
        (lot["reason"], lot["points"], lot["remaining"]) for lot in data["points_lots"]
    ) == [
        ("Share reward: a friend's order through your link completed", 100, 100),
        ("生日礼", 500, 400),
    ]
    assert [(m["change"], m["reason"]) for m in data["points_history"]] == [
        (100, "Reward: Share reward: a friend's order through your link completed"),
        (-100, "Red packet: 5元红包"),
        (500, "Awarded by the brand: 生日礼"),
    ]
    assert [(m["change"], m["reason"]) for m in data["wallet_history"]] == [
        (500, "Red packet: 5元红包")
    ]
    assert [(r["offer"], r["points"], r["amount_fen"]) for r in data["red_packets"]] == [
        ("5元红包", 100, 500)
    ]
    assert [(c["template"], c["status"], c["order"]) for c in data["coupons"]] == [
        ("满0减5", "available", ""),
        ("下周券", "available", ""),
    ]
    assert [s["product"] for s in data["shares"]] == [sku.product.name]
    [through] = data["orders_through_my_links"]
    assert (through["status"], through["reward_points"], through["reward_cashback_fen"]) == (
        "completed",
        100,
        0,
    )
    assert through["placed_at"] == member["friends_order"].placed_at


def test_a_friends_order_never_names_the_friend(xiaoming, friend, member):
    text = json.dumps(
        data_rights.personal_data(xiaoming), cls=DjangoJSONEncoder, ensure_ascii=False
    )
    order = member["friends_order"]
    for trace in (FRIEND_MOBILE, FRIEND_NICKNAME, FRIEND_STREET, order.number, "张三"):
        assert trace not in text
    assert MOBILE in text  # his own data is there


def test_the_friends_copy_does_not_name_the_sharer(xiaoming, friend, member):
    text = json.dumps(data_rights.personal_data(friend), cls=DjangoJSONEncoder, ensure_ascii=False)
    assert MOBILE not in text and "王" not in text
    assert data_rights.personal_data(friend)["orders_through_my_links"] == []


def test_the_loyalty_part_takes_the_same_queries_however_much_he_holds(
    xiaoming, friend, member, sku, make_product, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30) as first:
        data_rights.personal_data(xiaoming)
    for n in range(3):
        product = make_product(price_fen=1000 + n)
        share_product(customer=xiaoming, product=product.product, now=NOW)
        friends_completed_order(friend, product, xiaoming)
        issue(coupon_template(f"券{n}"), xiaoming, f"more-{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        data = data_rights.personal_data(xiaoming)
    assert len(data["shares"]) == 4 and len(data["orders_through_my_links"]) == 4
    assert len(data["coupons"]) == 5


def test_the_page_shows_the_loyalty_part_in_words(client, brand, xiaoming, member):
    client.force_login(xiaoming.user)
    page = client.get("/account/privacy/export/").content.decode()
    assert "银卡" in page and "5元红包" in page and "满0减5" in page
    assert "可使用" in page and "已完成" in page  # statuses by their names, not their codes
    assert "available" not in page and ">review<" not in page
    assert FRIEND_MOBILE not in page and member["friends_order"].number not in page


# Closing -----------------------------------------------------------------------------------------


def test_the_closure_page_tells_him_what_he_gives_up_before_he_confirms(
    client, brand, xiaoming, member
):
    client.force_login(xiaoming.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/account/privacy/").content.decode()
    notices = page[page.index('data-testid="closure-notices"') : page.index("close-account")]
    assert "You hold 500 points; closing your account gives them up at once." in notices
    assert "Your cash-back wallet holds ¥5.00." in notices
    assert 'data-testid="closure-blockers"' not in page  # he is told, not stopped


def test_nothing_to_give_up_shows_no_notice(client, brand, xiaoming):
    client.force_login(xiaoming.user)
    assert 'data-testid="closure-notices"' not in client.get("/account/privacy/").content.decode()


def test_closing_voids_coupons_forfeits_points_and_keeps_the_wallet_and_ledger(xiaoming, member):
    transfers = set(Transfer.objects.values_list("pk", flat=True))
    summary = data_rights.close_account(customer=xiaoming, confirmation="CLOSE")

    assert summary["lapsed"] == {"coupons": 2, "points": 500}
    assert summary["wallet_kept_fen"] == 500  # the audit entry tells the brand what it owes
    assert AuditEntry.objects.get(action="customer.close_account").after["wallet_kept_fen"] == 500
    assert summary["deleted"]["share_links"] == 1
    assert summary["deleted"]["membership"] == 1 and summary["deleted"]["tier_history"] == 1
    mine = Coupon.objects.filter(customer=xiaoming)
    week_after = LATER + timedelta(days=7)
    assert {c.status_at(timezone.now()) for c in mine} == {Coupon.Status.EXPIRED}
    assert {c.status_at(week_after) for c in mine} == {Coupon.Status.EXPIRED}
    assert coupons.usable_coupons(customer_id=xiaoming.pk, now=week_after) == []
    assert selectors.balances(xiaoming.pk) == {"points": 0, "wallet_fen": 500}
    assert transfers <= set(Transfer.objects.values_list("pk", flat=True))  # nothing erased
    forfeited = Transfer.objects.exclude(pk__in=transfers)
    assert sorted(forfeited.values_list("kind", "amount_fen")) == [
        ("points_expire", 100),
        ("points_expire", 400),
    ]
    assert not CustomerShare.objects.filter(customer=xiaoming).exists()
    assert not MemberStatus.objects.filter(customer=xiaoming).exists()
    assert not TierChange.objects.filter(customer=xiaoming).exists()
    assert Order.objects.get(pk=member["friends_order"].pk).shared_by_id == xiaoming.pk


def test_a_closed_accounts_link_attributes_no_new_order(client, brand, xiaoming, friend, sku):
    data_rights.close_account(customer=xiaoming, confirmation="CLOSE")
    client.force_login(friend.user)
    session = client.session
    session[SESSION_KEY] = [xiaoming.pk, int(timezone.now().timestamp())]
    session.save()
    response = client.post("/checkout/place/", place_form(friend, [(sku, "1")], total=3990))
    assert response.status_code == 302
    assert Order.objects.get(customer=friend).shared_by is None


def test_a_friends_order_completing_after_closure_earns_nothing(xiaoming, friend, sku, staff):
    save_share_rule(
        draft=RewardRuleDraft(reward=reward_rules.POINTS_FIXED, amount=100), actor=staff
    )
    order = deliver(pay(place(friend, sku, shared_by=xiaoming)))
    data_rights.close_account(customer=xiaoming, confirmation="CLOSE")
    orders.complete_orders(now=LATER)
    with transaction.atomic():
        assert reward_completed_order(order=order, now=LATER) is None
    assert selectors.balances(xiaoming.pk) == {"points": 0, "wallet_fen": 0}


@pytest.mark.django_db(transaction=True)
def test_a_reward_and_the_closure_at_once_leave_a_closed_account_with_no_points(
    postgres_only, xiaoming, friend, sku, staff
):
    save_share_rule(
        draft=RewardRuleDraft(reward=reward_rules.POINTS_FIXED, amount=100), actor=staff
    )
    order = deliver(pay(place(friend, sku, shared_by=xiaoming)))
    orders.complete_orders(now=LATER)

    def act(i):
        if i == 0:
            return data_rights.close_account(customer=xiaoming, confirmation="CLOSE")
        with transaction.atomic():
            return reward_completed_order(order=order, now=LATER)

    results = run_in_parallel(act, 2)
    assert not [r for r in results if isinstance(r, Exception)]
    assert selectors.balances(xiaoming.pk)["points"] == 0
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


@pytest.mark.django_db(transaction=True)
def test_a_red_packet_and_the_closure_at_once_keep_points_and_lots_in_step(postgres_only, xiaoming):
    with transaction.atomic():
        points.grant_points(
            customer_id=xiaoming.pk, points=300, key="award:1", reason="生日礼", now=NOW
        )
    offer = RedPacketOffer.objects.create(
        name="5元红包", points_cost=100, amount_fen=500, created_at=NOW
    )

    def act(i):
        if i == 0:
            return data_rights.close_account(customer=xiaoming, confirmation="CLOSE")
        return redpackets.redeem_red_packet(
            customer_id=xiaoming.pk, offer_id=offer.pk, request_key="r1", now=NOW
        )

    closed, redeemed = run_in_parallel(act, 2)
    assert not isinstance(closed, Exception)
    held = selectors.balances(xiaoming.pk)
    assert held["points"] == 0 and sum(PointsLot.objects.values_list("remaining", flat=True)) == 0
    assert held["wallet_fen"] == (0 if isinstance(redeemed, Exception) else 500)
    assert ledger.asset_totals() == {"fen": 0, "points": 0}
