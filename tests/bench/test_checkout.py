"""The checkout benchmark's loyalty scenario prices each basket as the server charges it: the
total it posts as ``expected_total_fen`` is accepted (a 302 to the pay page, not the review page
again) and the order holds the coupon and points the scenario's quote said."""

import random

import checkout  # bench/checkout.py
import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from weishang.loyalty.points import grant_points
from weishang.loyalty.tiers import save_tier
from weishang.orders.models import Order

pytestmark = pytest.mark.django_db


def set_up(customers: int = 2, *, member_discount_bp: int = 0, without_points: int = 0):
    """The scenario's set-up; the last ``without_points`` customers are left out of it."""
    if member_discount_bp:
        save_tier(
            actor=None,
            name="会员",
            threshold_fen=0,
            discount_bp=member_discount_bp,
            multiplier_bp=10_000,
        )
    catalogue = checkout.create_catalogue()
    shoppers = checkout.create_customers(customers)
    args = checkout.parse_args(
        ["--scenario", "loyalty", "--runs", "1", "--checkouts", "8", "--concurrency", "1"]
    )
    loyalty = checkout.set_up_loyalty(args, shoppers[: customers - without_points], catalogue)
    return catalogue, shoppers, loyalty


def place(customer: dict, quantities: dict, catalogue, loyalty) -> tuple[checkout.Quote, Order]:
    """Posts the scenario's place form with the quoted total, as a load connection does."""
    skus = {sku.sku_id: sku for sku in catalogue}
    quote = checkout.quoted(customer, quantities, skus, loyalty)
    client = Client()
    client.cookies["sessionid"] = customer["session"]
    response = client.post(
        checkout.PLACE_PATH,
        checkout.place_form(customer, quantities, quote.total_fen, loyalty),
        content_type="application/x-www-form-urlencoded",
    )
    assert checkout.payment_number(response.status_code, response.headers.get("Location")), (
        f"the server refused the quoted total {quote.total_fen} for {quantities}"
    )
    return quote, Order.objects.filter(customer_id=customer["customer_id"]).latest("pk")


def test_the_quote_is_what_the_server_charges_with_a_coupon_and_points():
    catalogue, customers, loyalty = set_up()
    cheapest, dearest = min(catalogue), max(catalogue, key=lambda sku: sku.price_fen)
    baskets = [{cheapest.sku_id: 1}, {dearest.sku_id: 2}]
    rng = random.Random(7)
    baskets += [checkout.basket(rng, catalogue)[0] for _ in range(4)]
    before = checkout.database_state()
    for n, quantities in enumerate(baskets):
        checkout.top_up(customers, loyalty, 1)
        quote, order = place(customers[n % 2], quantities, catalogue, loyalty)
        assert quote.coupon_fen == checkout.COUPON_OFF_FEN
        assert 0 < quote.points <= order.total_fen // 9
        assert (order.total_fen, order.coupon_fen, order.points) == (
            quote.total_fen,
            quote.coupon_fen,
            quote.points,
        )
    new = Order.objects.filter(pk__gt=before["last_order"])
    assert checkout.verify_loyalty(before, new, loyalty, customers, catalogue) == []


def test_the_quote_follows_the_member_discount_below_the_coupons_threshold():
    # 5 % off the cheapest SKU (¥30.90) leaves ¥29.36: the ¥30 coupon no longer applies.
    catalogue, customers, loyalty = set_up(member_discount_bp=500)
    cheapest = min(catalogue, key=lambda sku: sku.price_fen)
    quote, order = place(customers[0], {cheapest.sku_id: 1}, catalogue, loyalty)
    assert quote.coupon_fen == order.coupon_fen == 0
    assert order.member_discount_fen == cheapest.price_fen * 500 // 10_000
    assert order.total_fen == quote.total_fen


def test_the_quote_spends_no_more_points_than_the_customer_holds():
    catalogue, [_rich, poor], loyalty = set_up(without_points=1)
    with transaction.atomic():
        grant_points(
            customer_id=poor["customer_id"], points=7, key="few", reason="test", now=timezone.now()
        )
    poor["discount_bp"] = 0
    checkout.top_up([poor], loyalty, 1)
    dearest = max(catalogue, key=lambda sku: sku.price_fen)
    quote, order = place(poor, {dearest.sku_id: 2}, catalogue, loyalty)
    assert order.points == quote.points == 7
    assert order.total_fen == quote.total_fen
