"""The customer's membership over the API: his tier, points and wallet with their history, the
redeem centre (an Idempotency-Key on what spends points) and his city station; each as the
store's pages show it, lists in a bounded number of queries."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.loyalty.flows import delivered, make_tiers
from weishang.community import services as community
from weishang.community.models import StationMembership
from weishang.inventory.models import Stock
from weishang.loyalty import points, redemptions, selectors, wallet
from weishang.loyalty.models import RedPacketOffer, RedPacketRedemption
from weishang.orders.models import Order, OrderStatus
from weishang.sales import services as sales

from .conftest import new_key

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def grant(customer, n, key="g"):
    with transaction.atomic():
        points.grant_points(
            customer_id=customer.pk, points=n, key=key, reason="晒单", now=timezone.now()
        )


# Membership, points and wallet ------------------------------------------------------------------


def test_membership_shows_his_tier_benefits_and_progress(
    api, customer, sku, django_assert_max_num_queries
):
    make_tiers()
    delivered(customer, sku, quantity=3)  # ¥119.70
    sales.complete_orders(now=timezone.now() + timedelta(days=10))
    with django_assert_max_num_queries(10):
        got = api.get("/membership").json()
    member = selectors.membership(customer.pk, timezone.now())
    assert got["tier"]["name"] == member.tier.name == "银卡"
    assert (got["tier"]["discount_bp"], got["tier"]["multiplier_bp"]) == (500, 15_000)
    assert [t["name"] for t in got["tiers"]] == ["普通", "银卡", "金卡"]
    assert got["spend_fen"] == member.spend_fen == 11_970
    assert got["next_tier"]["name"] == "金卡"
    assert got["needed_fen"] == 50_000 - 11_970
    changes = api.get("/membership/changes").json()["items"]
    assert [(c["from_tier"], c["to_tier"], c["reason"]) for c in changes] == [
        ("普通", "银卡", "order_completed")
    ]
    assert changes[0]["reason_label"] == "an order completed"


def test_membership_without_tiers_says_so(api):
    got = api.get("/membership").json()
    assert (got["tier"], got["tiers"], got["next_tier"]) == (None, [], None)


def test_points_show_the_balance_and_a_paged_history_in_words(
    api, customer, make_customer, django_assert_max_num_queries
):
    for n in range(5):
        grant(customer, 10 + n, key=f"g{n}")
    grant(make_customer(), 999, key="other")
    got = api.get("/points").json()
    assert (got["balance"], got["spendable"]) == (60, 60)
    assert got["next_expiry"]["points"] == 10  # the first grant expires first
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(3):
            page = api.get("/points/history", params).json()
        seen += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert [row["change"] for row in seen] == [14, 13, 12, 11, 10]
    assert seen[0]["reason"] == "Reward: 晒单"


def test_the_wallet_shows_its_balance_and_history(api, customer):
    with transaction.atomic():
        wallet.credit_wallet(
            customer_id=customer.pk, amount_fen=500, key="w1", reason="返现", now=NOW
        )
    assert api.get("/wallet").json() == {"balance_fen": 500}
    rows = api.get("/wallet/history").json()["items"]
    assert [(r["change"], r["reason"]) for r in rows] == [(500, "Cash-back: 返现")]


# The redeem centre -------------------------------------------------------------------------------


@pytest.fixture
def offer(db):
    return RedPacketOffer.objects.create(
        name="5元红包", points_cost=500, amount_fen=500, created_at=timezone.now()
    )


def test_a_red_packet_spends_points_into_the_wallet_once_per_key(api, customer, offer):
    grant(customer, 800)
    listed = api.get("/redeem").json()
    assert listed["spendable"] == 800 and listed["red_packets"][0]["id"] == offer.pk
    key = new_key()
    first = api.post("/redeem/red-packets", {"offer_id": offer.pk}, key=key)
    assert first.status_code == 201
    assert (first.json()["points"], first.json()["wallet_balance_fen"]) == (500, 500)
    again = api.post("/redeem/red-packets", {"offer_id": offer.pk}, key=key)
    assert again.json() == first.json()
    assert RedPacketRedemption.objects.count() == 1
    assert selectors.balances(customer.pk) == {"points": 300, "wallet_fen": 500}
    short = api.post("/redeem/red-packets", {"offer_id": offer.pk}, key=new_key())
    assert short.status_code == 400
    assert selectors.balances(customer.pk) == {"points": 300, "wallet_fen": 500}


def test_a_red_packet_needs_a_key_and_an_offer_on_offer(api, customer, offer):
    grant(customer, 800)
    assert api.post("/redeem/red-packets", {"offer_id": offer.pk}).status_code == 422
    gone = api.post("/redeem/red-packets", {"offer_id": offer.pk + 1}, key=new_key())
    assert gone.status_code == 400
    assert gone.json()["message"] == "This red packet is no longer offered."


def test_points_redeem_a_product_and_reserve_its_stock_once_per_key(api, customer, staff, sku):
    redemption = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=4_000, cash_fen=0)
    grant(customer, 5_000)
    products = api.get("/redeem").json()["products"]
    assert [(p["id"], p["sku_id"], p["points"]) for p in products] == [
        (redemption.pk, sku.pk, 4_000)
    ]
    body = {
        "redemption_id": redemption.pk,
        "quantity": 1,
        "address_id": customer.addresses.get().pk,
    }
    key = new_key()
    placed = api.post("/redeem/products", body, key=key)
    assert placed.status_code == 201, placed.json()
    order = Order.objects.get()
    assert placed.json()["number"] == order.number
    assert (order.status, order.total_fen, order.points) == (OrderStatus.PAID, 0, 4_000)
    assert api.post("/redeem/products", body, key=key).json() == placed.json()
    assert Order.objects.count() == 1
    assert Stock.objects.get(sku=sku).reserved == 1
    assert selectors.balances(customer.pk)["points"] == 1_000


def test_a_product_cannot_be_sent_to_another_customers_address(
    api, customer, make_customer, staff, sku
):
    redemption = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=100, cash_fen=0)
    grant(customer, 500)
    other = make_customer()
    body = {"redemption_id": redemption.pk, "quantity": 1, "address_id": other.addresses.get().pk}
    refused = api.post("/redeem/products", body, key=new_key())
    assert refused.status_code == 400 and not Order.objects.exists()
    too_many = api.post("/redeem/products", body | {"quantity": 100}, key=new_key())
    assert too_many.status_code == 422 and too_many.json()["field"] == "quantity"
    assert selectors.balances(customer.pk)["points"] == 500


# His city station --------------------------------------------------------------------------------


def station(name, city, **fields):
    return community.create_station(
        actor=None, name=name, province="某省", city=city, now=NOW, **fields
    )


def test_he_chooses_a_station_moves_and_leaves(api, customer, django_assert_max_num_queries):
    zhengzhou, shanghai = station("郑州站", "郑州"), station("上海站", "上海市")
    with django_assert_max_num_queries(6):
        got = api.get("/station").json()
    assert got["station"] is None and got["suggested_id"] == shanghai.pk
    assert {s["id"] for s in got["open_stations"]} == {zhengzhou.pk, shanghai.pk}
    chosen = api.post("/station", {"station_id": zhengzhou.pk}).json()
    assert chosen["station"]["name"] == "郑州站"
    assert StationMembership.objects.get(customer=customer).station == zhengzhou
    moved = api.post("/station", {"station_id": shanghai.pk}).json()
    assert moved["station"]["id"] == shanghai.pk
    left = api.post("/station/leave")
    assert left.status_code == 200 and left.json()["station"] is None
    assert not StationMembership.objects.filter(customer=customer).exists()
    again = api.post("/station/leave")
    assert again.status_code == 400 and again.json()["code"] == "not_member"


def test_a_closed_or_missing_station_is_refused(api, customer):
    closed = station("关站", "郑州")
    community.close_station(actor=None, station_id=closed.pk)
    assert api.post("/station", {"station_id": closed.pk}).status_code == 400
    assert api.post("/station", {"station_id": 10**6}).status_code == 400
    assert api.post("/station", {"station_id": "x"}).status_code == 422
    assert not StationMembership.objects.exists()
