"""The brand console's campaigns: made as a draft from the form, published, ended; bad input is
a message that changes nothing; the results count paid orders, GMV, new customers and the
distributors who sold; the pages' queries do not grow with their rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import pay
from weishang.campaigns import services as campaigns
from weishang.campaigns.models import Campaign, CampaignStatus
from weishang.compliance.models import AuditEntry
from weishang.distribution.models import Binding
from weishang.sales import services as sales

from .conftest import messages_of


def form(sku, **change):
    now = timezone.localtime()
    data = {
        "kind": "presale",
        "name": "春节红枣预售",
        "description": "满 3 件发货",
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "per_customer_limit": "2",
        "stock_units": "10",
        "target_units": "3",
        "box_price": "",
        "items": f"{sku.code}, 29.90",
    }
    data.update(change)
    return data


def test_an_operator_makes_publishes_and_ends_a_presale(console, sku):
    response = console.post(reverse("console:campaign_new"), form(sku))
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("console:campaign_detail", args=[campaign.pk])
    assert (campaign.status, campaign.target_units) == (CampaignStatus.DRAFT, 3)
    assert campaign.items.get().price_fen == 2990
    page = console.get(reverse("console:campaign_detail", args=[campaign.pk])).content.decode()
    assert "¥29.90" in page and "Paid units: 0 of the target 3." in page
    console.post(reverse("console:campaign_publish", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED
    edit = console.post(reverse("console:campaign_edit", args=[campaign.pk]), form(sku, name="x"))
    assert "cannot change" in " ".join(messages_of(edit))
    console.post(reverse("console:campaign_end", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ENDED and campaign.name == "春节红枣预售"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"campaign.save", "campaign.publish", "campaign.end"} <= actions


@pytest.mark.parametrize(
    "change, message",
    [
        ({"items": "NO-SUCH-SKU, 10"}, "There is no SKU NO-SUCH-SKU."),
        ({"target_units": "11"}, "A pre-sale's target is from 1 unit to the campaign stock."),
        ({"per_customer_limit": "0"}, "Limit per customer"),
        ({"items": "{sku}, abc"}, "{sku}:"),
        ({"kind": "members"}, "Choose the member tier a member-only event is open to."),
        ({"kind": "gift_box", "box_price": "", "items": "{sku}, 2"}, "A gift box has one price"),
        (
            {"kind": "gift_box", "box_price": "0.01", "items": "{sku}, 2"},
            "cannot be spread over its items in whole fen",
        ),
    ],
)
def test_bad_input_is_a_message_and_changes_nothing(console, sku, change, message):
    change = {key: value.replace("{sku}", sku.code) for key, value in change.items()}
    response = console.post(reverse("console:campaign_new"), form(sku, **change))
    assert response.status_code == 200
    assert any(message.replace("{sku}", sku.code) in m for m in messages_of(response))
    assert not Campaign.objects.exists()


def test_results_count_orders_gmv_new_customers_and_distributors(
    console, staff, sku, make_customer, make_distributor
):
    now = timezone.now()
    campaign = campaigns.save_campaign(
        actor=staff,
        kind="presale",
        name="预售",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        per_customer_limit=5,
        stock_units=20,
        target_units=10,
        items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=1000)],
    )
    campaigns.publish_campaign(actor=staff, campaign=campaign)
    seller = make_distributor()
    returning = make_customer()
    pay(sales.place_order(customer=returning, items={sku.pk: 1}, address=returning.addresses.get()))
    buyers = [returning, make_customer(), make_customer()]
    Binding.objects.create(customer=buyers[1], distributor=seller, source="qr", bound_at=now)
    placed = [
        pay(
            sales.place_order(
                customer=buyer,
                items={sku.pk: 2},
                address=buyer.addresses.get(),
                campaign_id=campaign.pk,
            )
        )
        for buyer in buyers
    ]
    unpaid = make_customer()  # an unpaid order is no result
    sales.place_order(
        customer=unpaid, items={sku.pk: 1}, address=unpaid.addresses.get(), campaign_id=campaign.pk
    )
    response = console.get(reverse("console:campaign_detail", args=[campaign.pk]))
    results = response.context["results"]
    assert results.orders == 3
    assert results.gmv_fen == sum(order.total_fen for order in placed)
    assert results.new_customers == 2
    assert [row["distributor__store_name"] for row in results.distributors] == [seller.store_name]
    assert results.waiting == 3
    page = response.content.decode()
    assert seller.store_name in page and "waiting for its pre-sale" in page


def test_the_lists_queries_do_not_grow_with_their_rows(
    console, staff, sku, make_customer, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(3):
        campaign = campaigns.save_campaign(
            actor=staff,
            kind="presale",
            name=f"预售 {n}",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=1),
            per_customer_limit=5,
            stock_units=20,
            target_units=10,
            items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=1000)],
        )
        campaigns.publish_campaign(actor=staff, campaign=campaign)
        for _ in range(3):
            buyer = make_customer()
            pay(
                sales.place_order(
                    customer=buyer,
                    items={sku.pk: 1},
                    address=buyer.addresses.get(),
                    campaign_id=campaign.pk,
                )
            )
    console.get(reverse("console:campaign_list"))
    with django_assert_max_num_queries(12):
        listing = console.get(reverse("console:campaign_list"))
    assert listing.content.decode().count('data-testid="campaign-row"') == 3
    with django_assert_max_num_queries(20):
        detail = console.get(reverse("console:campaign_detail", args=[campaign.pk]))
    assert detail.content.decode().count('data-testid="campaign-order"') == 3
