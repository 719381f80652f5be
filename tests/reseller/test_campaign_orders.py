"""A campaign order of a buyer whom a reseller brought: the campaign's price is the brand's offer,
so the reseller's own price is not charged and the line earns the plan's commission, no markup."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.campaigns import services as campaigns
from weishang.commissions.models import Commission
from weishang.orders.models import OrderLine
from weishang.reseller import services as resellers
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


def test_a_campaign_order_is_charged_the_campaign_price_not_his_reseller_price(
    plan, reseller, buyer, sku, band, staff
):
    band(sku, 3000, 6000)
    resellers.set_price(distributor=reseller, sku=sku, price_fen=4500)
    now = timezone.now()
    campaign = campaigns.save_campaign(
        actor=staff,
        kind="presale",
        name="新疆红枣预售",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
        per_customer_limit=5,
        stock_units=10,
        target_units=3,
        items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=2990)],
    )
    campaigns.publish_campaign(actor=staff, campaign=campaign, now=campaign.starts_at)
    order = sales.place_order(
        customer=buyer,
        items={sku.pk: 1},
        address=buyer.addresses.get(),
        campaign_id=campaign.pk,
        clear_cart=False,
    )
    line = OrderLine.objects.get(order=order)
    assert line.unit_price_fen == 2990
    earned = Commission.objects.get(order_line=line)
    assert (earned.kind, earned.distributor_id) == (Commission.Kind.COMMISSION, reseller.pk)
    assert earned.plan_id == plan.pk

    plain = sales.place_order(
        customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get(), clear_cart=False
    )
    assert OrderLine.objects.get(order=plain).unit_price_fen == 4500  # outside the campaign
