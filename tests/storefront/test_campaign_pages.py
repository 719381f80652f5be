"""The store's campaign pages: the list and a campaign's page show its dates and terms; the
review shows the campaign price, and placing charges exactly what the review showed; a refusal
(limit, sold out, bad quantity, member tier) is a message on the page and nothing is placed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from weishang.campaigns import services as campaigns
from weishang.campaigns.models import CampaignOrder
from weishang.loyalty.models import MemberTier
from weishang.orders.models import Order


@pytest.fixture
def presale(db, staff, sku):
    now = timezone.now()
    campaign = campaigns.save_campaign(
        actor=staff,
        kind="presale",
        name="新枣预售",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        per_customer_limit=2,
        stock_units=10,
        target_units=5,
        items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=2990)],
    )
    return campaigns.publish_campaign(actor=staff, campaign=campaign)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_campaign_page_shows_dates_terms_and_the_campaign_price(client, brand, presale, sku):
    listing = client.get(reverse("storefront:campaign_list")).content.decode()
    assert "新枣预售" in listing
    page = client.get(reverse("storefront:campaign_detail", args=[presale.pk])).content.decode()
    assert "¥29.90" in page and "¥39.90" in page
    assert "Pre-sale: you pay when you order. If 5 units are sold by" in page
    assert "Sold so far: 0 of the 5 units needed." in page
    assert "At most 2 per customer." in page


def test_the_review_shows_the_price_that_placing_charges(shopper, presale, sku, customer):
    review = shopper.get(
        reverse("storefront:campaign_review", args=[presale.pk]), {f"qty_{sku.pk}": "2"}
    )
    total = review.context["total_fen"]
    assert [(line.unit_price_fen, line.quantity) for line in review.context["lines"]] == [(2990, 2)]
    response = shopper.post(
        reverse("storefront:campaign_place", args=[presale.pk]),
        {
            f"qty_{sku.pk}": "2",
            "address": customer.addresses.get().pk,
            "expected_total_fen": str(total),
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert order.total_fen == total and order.lines.get().unit_price_fen == 2990
    assert CampaignOrder.objects.get(order=order).campaign == presale


@pytest.mark.parametrize(
    "quantity, message",
    [
        ("3", "Each customer may buy at most 2 in this campaign; you have 0."),
        ("abc", "Quantity must be a whole number from 1 to 99."),
        ("0", "Choose what to buy from this campaign's offer."),
    ],
)
def test_a_refused_order_is_a_message_and_places_nothing(
    shopper, presale, sku, customer, quantity, message
):
    response = shopper.post(
        reverse("storefront:campaign_place", args=[presale.pk]),
        {
            f"qty_{sku.pk}": quantity,
            "address": customer.addresses.get().pk,
            "expected_total_fen": "1",
        },
    )
    assert response.status_code == 200
    assert message in messages_of(response)
    assert not Order.objects.exists()
    presale.refresh_from_db()
    assert presale.units_taken == 0


def test_a_member_only_event_explains_who_may_join(client, brand, staff, sku, customer):
    gold = MemberTier.objects.create(name="金卡", threshold_fen=100_000)
    MemberTier.objects.create(name="普通会员", threshold_fen=0)
    now = timezone.now()
    event = campaigns.publish_campaign(
        actor=staff,
        campaign=campaigns.save_campaign(
            actor=staff,
            kind="members",
            name="金卡专享",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=2),
            per_customer_limit=2,
            stock_units=10,
            min_tier=gold,
            items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=1990)],
        ),
    )
    client.force_login(customer.user)
    page = client.get(reverse("storefront:campaign_detail", args=[event.pk])).content.decode()
    assert "Members only: open to members of the 金卡 tier and above." in page
    assert "this event is not open to you yet" in page
    assert 'data-testid="campaign-buy"' not in page


def test_an_ended_campaign_says_so_and_takes_no_order(client, brand, presale, sku):
    campaigns.end_campaign(actor=None, campaign=presale)
    page = client.get(reverse("storefront:campaign_detail", args=[presale.pk])).content.decode()
    assert "This campaign has ended." in page and 'data-testid="campaign-buy"' not in page
    assert client.get(reverse("storefront:campaign_detail", args=[99999])).status_code == 404


def test_the_list_s_queries_do_not_grow(client, brand, staff, sku, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(4):
        campaigns.publish_campaign(
            actor=staff,
            campaign=campaigns.save_campaign(
                actor=staff,
                kind="presale",
                name=f"预售 {n}",
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(days=2),
                per_customer_limit=2,
                stock_units=10,
                target_units=5,
                items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=2990)],
            ),
        )
    with django_assert_max_num_queries(6):
        page = client.get(reverse("storefront:campaign_list")).content.decode()
    assert page.count('data-testid="campaign-card"') == 4


def test_a_gift_box_is_bought_by_the_box_at_its_one_price(shopper, staff, make_product, customer):
    dates, nuts = make_product(price_fen=3990), make_product(price_fen=5990)
    now = timezone.now()
    box = campaigns.publish_campaign(
        actor=staff,
        campaign=campaigns.save_campaign(
            actor=staff,
            kind="gift_box",
            name="年货礼盒",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=2),
            per_customer_limit=3,
            stock_units=10,
            box_price_fen=8800,
            items=[
                campaigns.ItemInput(sku_id=dates.pk, quantity=2),
                campaigns.ItemInput(sku_id=nuts.pk, quantity=1),
            ],
        ),
    )
    page = shopper.get(reverse("storefront:campaign_detail", args=[box.pk])).content.decode()
    assert "A gift box of the goods below for ¥88.00 a box." in page
    review = shopper.get(reverse("storefront:campaign_review", args=[box.pk]), {"boxes": "2"})
    assert review.context["goods_fen"] == 2 * 8800
    assert {line.item.sku_id: line.quantity for line in review.context["lines"]} == {
        dates.pk: 4,
        nuts.pk: 2,
    }
    shopper.post(
        reverse("storefront:campaign_place", args=[box.pk]),
        {
            "boxes": "2",
            "address": customer.addresses.get().pk,
            "expected_total_fen": str(review.context["total_fen"]),
        },
    )
    order = Order.objects.get()
    assert order.total_fen == review.context["total_fen"]
    assert CampaignOrder.objects.get(order=order).units == 2
