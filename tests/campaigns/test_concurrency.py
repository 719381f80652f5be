"""Campaign stock, per-customer limits and closing with real parallel transactions (PostgreSQL)."""

from datetime import timedelta

import pytest
from django.utils import translation

from tests.concurrency import run_in_parallel
from tests.helpers import pay
from weishang.campaigns.errors import CampaignError
from weishang.campaigns.models import CampaignOrder, PresaleOutcome
from weishang.inventory.models import Stock
from weishang.notifications.models import Message
from weishang.orders.models import Order, OrderStatus
from weishang.payments.models import Refund
from weishang.sales import services as sales

pytestmark = pytest.mark.postgres


def place(customer, campaign, sku, quantity=1):
    with translation.override("en"):  # each thread has its own language
        return sales.place_order(
            customer=customer,
            items={sku.pk: quantity},
            address=customer.addresses.get(),
            campaign_id=campaign.pk,
            clear_cart=False,
        )


def test_fifty_buyers_for_ten_campaign_units(
    postgres_only, make_campaign, make_product, make_customer
):
    sku = make_product(stock=100)
    campaign = make_campaign(skus=[sku], stock_units=10, per_customer_limit=1, target_units=5)
    buyers = [make_customer() for _ in range(50)]
    results = run_in_parallel(lambda i: place(buyers[i], campaign, sku), 50)
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CampaignError)]
    assert len(placed) == 10, results
    assert len(refused) == 40, [r for r in results if not isinstance(r, (Order, CampaignError))]
    assert {r.code for r in refused} == {"campaign_sold_out"}
    assert all("sold out" in r.message for r in refused)
    campaign.refresh_from_db()
    assert campaign.units_taken == 10
    assert CampaignOrder.objects.filter(campaign=campaign).count() == 10
    assert Stock.objects.get(sku=sku).reserved == 10


def test_one_customer_in_parallel_stays_within_his_limit(
    postgres_only, make_campaign, make_product, customer
):
    sku = make_product(stock=100)
    campaign = make_campaign(skus=[sku], stock_units=50, per_customer_limit=2, target_units=5)
    results = run_in_parallel(lambda i: place(customer, campaign, sku), 8)
    assert sum(isinstance(r, Order) for r in results) == 2, results
    refused = [r for r in results if not isinstance(r, Order)]
    assert all(isinstance(r, CampaignError) and r.code == "campaign_limit" for r in refused)
    campaign.refresh_from_db()
    assert campaign.units_taken == 2


def test_cancelling_and_buying_at_once_never_deadlock_nor_oversell(
    postgres_only, make_campaign, make_product, make_customer
):
    sku = make_product(stock=100)
    campaign = make_campaign(skus=[sku], stock_units=4, per_customer_limit=1, target_units=2)
    first = [place(make_customer(), campaign, sku) for _ in range(4)]
    late = [make_customer() for _ in range(4)]

    def act(i):
        if i < 4:
            return sales.cancel_order(order=first[i], by_brand=False)
        return place(late[i - 4], campaign, sku)

    results = run_in_parallel(act, 8)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, CampaignError)]
    campaign.refresh_from_db()
    live = CampaignOrder.objects.filter(campaign=campaign, released=False).count()
    assert campaign.units_taken == live <= 4


def test_two_closings_at_once_refund_each_order_once(
    postgres_only, make_campaign, make_product, make_customer
):
    sku = make_product(stock=100)
    campaign = make_campaign(skus=[sku], stock_units=20, per_customer_limit=5, target_units=15)
    paid = [pay(place(make_customer(), campaign, sku, 2)) for _ in range(4)]
    at = campaign.ends_at + timedelta(minutes=1)
    results = run_in_parallel(lambda i: sales.close_campaigns(now=at), 3)
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["closed"] for r in results) == 1
    assert sum(r["refunded"] for r in results) == 4
    campaign.refresh_from_db()
    assert campaign.outcome == PresaleOutcome.MISSED
    for order in paid:
        order.refresh_from_db()
        assert order.status == OrderStatus.REFUNDED
        assert Refund.objects.filter(payment__order=order).count() == 1
    assert Message.objects.filter(event="presale_missed").count() == 4
    assert sales.close_campaigns(now=at)["refunded"] == 0
    assert Refund.objects.count() == 4
