"""Gift boxes (one price for a bundle of SKUs, stock taken from each) and member-only events (a
tier or higher gets in), through the one checkout; the box price's pure spread."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.campaigns import rules
from weishang.campaigns.errors import CampaignError
from weishang.campaigns.models import CampaignOrder
from weishang.inventory.models import Stock
from weishang.loyalty.models import MemberStatus, MemberTier
from weishang.sales import services as sales


def test_a_gift_box_is_charged_its_one_price_and_takes_stock_from_each_sku(
    make_campaign, make_product, customer
):
    dates, nuts = make_product(price_fen=3990), make_product(price_fen=5990)
    box = make_campaign(
        kind="gift_box", skus=[dates, nuts], box_price_fen=8800, box_quantity=2, stock_units=5
    )
    order = sales.place_order(
        customer=customer,
        items={dates.pk: 4, nuts.pk: 4},  # two boxes
        address=customer.addresses.get(),
        campaign_id=box.pk,
        clear_cart=False,
    )
    assert sum(line.line_total_fen for line in order.lines.all()) == 2 * 8800
    assert order.total_fen == 2 * 8800 + order.freight_fen
    assert Stock.objects.get(sku=dates).reserved == 4
    assert Stock.objects.get(sku=nuts).reserved == 4
    assert CampaignOrder.objects.get(order=order).units == 2
    box.refresh_from_db()
    assert box.units_taken == 2
    assert not order.awaiting_presale


def test_a_gift_box_is_bought_whole(make_campaign, make_product, customer):
    dates, nuts = make_product(), make_product()
    box = make_campaign(kind="gift_box", skus=[dates, nuts], box_price_fen=8800, box_quantity=2)
    for items in ({dates.pk: 2}, {dates.pk: 2, nuts.pk: 3}, {dates.pk: 2, nuts.pk: 4}):
        with pytest.raises(CampaignError, match="this campaign's offer"):
            sales.place_order(
                customer=customer,
                items=items,
                address=customer.addresses.get(),
                campaign_id=box.pk,
                clear_cart=False,
            )
    assert not CampaignOrder.objects.exists()


@given(
    price=st.integers(1, 10**7),
    items=st.lists(st.tuples(st.integers(1, 99), st.integers(1, 10**6)), min_size=1, max_size=5),
)
def test_a_box_price_spreads_exactly_or_is_refused(price, items):
    keyed = [(n, quantity, list_fen) for n, (quantity, list_fen) in enumerate(items)]
    try:
        unit = rules.box_unit_prices(price, keyed)
    except ValueError:
        # Refused only when no spread in whole fen exists: no SKU is single and the price is
        # no sum of the quantities' multiples.
        assert all(quantity > 1 for _n, quantity, _l in keyed)
        return
    assert sum(unit[n] * quantity for n, quantity, _l in keyed) == price
    assert all(fen >= 0 for fen in unit.values())


@pytest.fixture
def tiers(db):
    return (
        MemberTier.objects.create(name="普通会员", threshold_fen=0),
        MemberTier.objects.create(name="金卡", threshold_fen=100_000),
        MemberTier.objects.create(name="钻石", threshold_fen=500_000),
    )


def test_a_member_only_event_lets_its_tier_and_higher_in(make_campaign, sku, make_customer, tiers):
    from django.utils import timezone

    basic, gold, diamond = tiers
    event = make_campaign(kind="members", skus=[sku], price_fen=1990, min_tier=gold)
    newcomer, gold_member, diamond_member = make_customer(), make_customer(), make_customer()
    for who, tier in ((gold_member, gold), (diamond_member, diamond)):
        MemberStatus.objects.create(customer=who, tier=tier, reviewed_at=timezone.now())
    with pytest.raises(CampaignError, match="members from the 金卡 tier up") as refused:
        sales.place_order(
            customer=newcomer,
            items={sku.pk: 1},
            address=newcomer.addresses.get(),
            campaign_id=event.pk,
        )
    assert refused.value.code == "campaign_tier"
    for who in (gold_member, diamond_member):
        order = sales.place_order(
            customer=who, items={sku.pk: 1}, address=who.addresses.get(), campaign_id=event.pk
        )
        assert order.lines.get().unit_price_fen == 1990
    event.refresh_from_db()
    assert event.units_taken == 2
