"""The customer's membership pages: tier and progress with its history, points with their expiry
and history in words, the wallet, and the redeem centre buying a red packet once per form."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.helpers import pay
from tests.loyalty.flows import delivered, make_tiers
from weishang.loyalty import points, reward_rules, wallet
from weishang.loyalty.models import RedPacketOffer, RedPacketRedemption
from weishang.loyalty.reward_rules import RewardRuleDraft
from weishang.loyalty.share_rewards import reward_completed_order, save_share_rule
from weishang.orders import services as orders
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db
KEY = "0123456789abcdef0123456789abcdef"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def grant(customer, n, key, at=None):
    with transaction.atomic():
        points.grant_points(
            customer_id=customer.pk, points=n, key=key, reason="晒单", now=at or timezone.now()
        )


@pytest.fixture
def offer(db):
    return RedPacketOffer.objects.create(
        name="5元红包", points_cost=500, amount_fen=500, created_at=timezone.now()
    )


def test_the_account_page_links_every_member_page(shopper):
    page = shopper.get("/account/").content.decode()
    for path in (
        "/account/membership/",
        "/account/points/",
        "/account/wallet/",
        "/account/redeem/",
    ):
        assert f'href="{path}"' in page


def test_membership_shows_the_tier_the_progress_and_why_it_changed(
    shopper, customer, sku, django_assert_num_queries
):
    make_tiers()
    delivered(customer, sku, quantity=3)  # ¥119.70
    sales.complete_orders(now=timezone.now() + timedelta(days=10))
    delivered(customer, sku)  # paid ¥37.91 (5 % off in 银卡), not yet completed: counts
    with django_assert_num_queries(10):
        response = shopper.get("/account/membership/")
    page = response.content.decode()
    assert response.context["tier"].name == "银卡"
    assert "¥157.61" in page
    assert "Spend ¥342.39 more to reach 金卡." in page
    assert "Member discount 5 % · points ×1.5" in page
    [change] = response.context["page"]
    assert "普通 → 银卡" in page and "An order completed" in page
    assert change.reference in page


def test_membership_before_any_tier_says_so(shopper):
    page = shopper.get("/account/membership/").content.decode()
    assert "The brand has no member tiers yet." in page


def test_points_show_balance_expiry_and_history_in_words(
    shopper, customer, sku, django_assert_num_queries
):
    delivered(customer, sku, quantity=2)
    [order_id] = sales.complete_orders(now=timezone.now() + timedelta(days=10))
    number = customer.orders.get(pk=order_id).number
    grant(customer, 40, "old", at=timezone.now() - timedelta(days=400))
    for n in range(25):
        grant(customer, 1, f"g{n}", at=timezone.now() + timedelta(days=5))
    with django_assert_num_queries(8):
        response = shopper.get("/account/points/")
    page = response.content.decode()
    assert response.context["balance"] == 79 + 40 + 25
    assert response.context["spendable"] == 79 + 25
    assert f"Order {number} completed" in page
    assert "Reward: 晒单" in page
    assert len(response.context["rows"]) == 20
    assert response.context["next_expiry"]["points"] == 1  # the first small grant
    assert "1 point expires on" in page
    assert "Older" in page


def test_a_red_packet_is_redeemed_once_however_often_the_form_is_sent(
    shopper, customer, offer, django_assert_num_queries
):
    grant(customer, 1200, "g")
    with django_assert_num_queries(7):  # and the products for points, his addresses
        page = shopper.get("/account/redeem/").content.decode()
    assert "¥5.00 into your wallet for 500 points" in page
    for _ in range(2):
        response = shopper.post("/account/redeem/", {"offer": offer.pk, "request_key": KEY})
        assert response.status_code == 302 and response.url == "/account/wallet/"
    assert RedPacketRedemption.objects.count() == 1
    assert points.points_balance(customer.pk) == 700
    assert wallet.wallet_balance(customer.pk) == 500
    with django_assert_num_queries(6):
        response = shopper.get("/account/wallet/", follow=True)
    page = response.content.decode()
    assert "Red packet: 5元红包" in page and "+¥5.00" in page
    assert "5元红包 is in your wallet." in page
    points_page = shopper.get("/account/points/").content.decode()
    assert "Red packet: 5元红包" in points_page and "-500" in points_page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"offer": "²", "request_key": KEY}, "Choose one of the red packets on offer."),
        ({"offer": "1", "request_key": "x"}, "please reload the page"),
        ({"offer": "999999", "request_key": KEY}, "no longer offered"),
    ],
)
def test_bad_redeem_input_is_a_message_and_changes_nothing(shopper, customer, data, message):
    grant(customer, 1200, "g")
    response = shopper.post("/account/redeem/", data)
    assert response.status_code == 200
    assert any(message in text for text in messages_of(response))
    assert points.points_balance(customer.pk) == 1200


def test_too_few_points_is_a_message(shopper, customer, offer):
    grant(customer, 100, "g")
    response = shopper.post("/account/redeem/", {"offer": offer.pk, "request_key": KEY})
    assert "You do not have 500 points to spend." in messages_of(response)
    assert wallet.wallet_balance(customer.pk) == 0


def test_member_pages_need_a_signed_in_customer(client):
    for path in ("/account/membership/", "/account/points/", "/account/wallet/"):
        assert client.get(path).status_code == 302


def test_membership_shows_tier_progress_from_share_rewards_and_why_the_tier_changed(
    shopper, customer, make_customer, sku, staff
):
    make_tiers()
    save_share_rule(
        draft=RewardRuleDraft(reward=reward_rules.TIER_FIXED, amount=12_000), actor=staff
    )
    friend, now = make_customer(), timezone.now()
    order = pay(
        sales.place_order(
            customer=friend, items={sku.pk: 1}, address=friend.addresses.get(), shared_by=customer
        )
    )
    orders.ship_order(
        actor=None,
        order=order,
        carrier="sf",
        tracking_no="SF0000000000001",
        now=now - timedelta(days=11),
    )
    orders.mark_delivered(actor=None, order=order, signed_at=now - timedelta(days=10))
    sales.complete_orders(now=now)  # the return window has closed
    with transaction.atomic():
        reward_completed_order(order=order, now=now)
    response = shopper.get("/account/membership/")
    page = response.content.decode()
    assert response.context["tier"].name == "银卡"
    assert response.context["spend"] == 12_000
    assert "A share reward counted towards your tier" in page
    [credit] = response.context["credits"]
    assert credit.counting_fen == 12_000
    assert "Tier progress from your share rewards" in page and "¥120.00" in page
    assert f"Your friend's order {order.number} completed; counts towards your tier until" in page
