"""The store's campaigns over the API: the list and a campaign's page with who may join, the
review at the campaign's prices, placing with an Idempotency-Key and paying like any order, each
refusal a 4xx with the campaign's reason; and a reseller's prices in the catalogue for the
customer he brought, as his order is charged them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import pay
from weishang.campaigns.models import CampaignOrder
from weishang.loyalty.models import MemberStatus, MemberTier
from weishang.orders.models import Order, OrderLine
from weishang.reseller import services as resellers

from ..campaigns.conftest import make_campaign  # noqa: F401  (fixture)
from ..reseller.conftest import (  # noqa: F401  (fixtures)
    band,
    bind,
    buyer,
    make_plan,
    make_seller,
    plan,
    programme,
    reseller,
    seller,
)
from .conftest import new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def presale(make_campaign, sku):  # noqa: F811
    return make_campaign(kind="presale", skus=[sku], price_fen=2990, per_customer_limit=3)


def _order(customer, sku, quantity=1, **extra):
    return {
        "items": [{"sku_id": sku.pk, "quantity": quantity}],
        "address_id": customer.addresses.get().pk,
        **extra,
    }


def test_the_store_lists_open_campaigns_soonest_ending_first_in_few_queries(
    anonymous,
    make_campaign,  # noqa: F811
    make_product,
    django_assert_max_num_queries,
):
    now = timezone.now()
    later = make_campaign(skus=[make_product()], name="晚", ends_at=now + timedelta(days=9))
    sooner = make_campaign(skus=[make_product()], name="早", ends_at=now + timedelta(days=2))
    make_campaign(skus=[make_product()], name="草稿", publish=False)
    for _n in range(3):
        make_campaign(skus=[make_product()], ends_at=now + timedelta(days=20))
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(3):
            listed = anonymous.get("/campaigns", params)
        assert listed.status_code == 200
        seen += listed.json()["items"]
        if not (cursor := listed.json()["next_cursor"]):
            break
    assert [c["id"] for c in seen[:2]] == [sooner.pk, later.pk]
    assert len(seen) == 5 and "草稿" not in {c["name"] for c in seen}
    assert seen[0]["kind"] == "presale" and seen[0]["kind_label"] == "pre-sale"
    assert seen[0]["status_label"] == "published" and seen[0]["left"] == 10


def test_a_campaign_shows_its_offer_terms_progress_and_who_may_join(
    anonymous, as_customer, presale, sku, customer
):
    shown = anonymous.get(f"/campaigns/{presale.pk}").json()
    assert shown["items"] == [
        {
            "sku_id": sku.pk,
            "product_key": sku.product.url_key,
            "product_name": sku.product.name,
            "sku_name": "500g",
            "price_fen": 2990,
            "list_price_fen": 3990,
            "per_box": 1,
        }
    ]
    assert (shown["target_units"], shown["presale_sold"], shown["per_customer_limit"]) == (3, 0, 3)
    assert shown["may_join"] and shown["closed_reason"] is None and shown["bought"] == 0

    api = as_customer(customer)
    review = api.post(f"/campaigns/{presale.pk}/review", _order(customer, sku, 3)).json()
    placed = api.post(
        f"/campaigns/{presale.pk}/orders",
        _order(customer, sku, 3, expected_total_fen=review["total_fen"]),
        key=new_key(),
    )
    assert placed.status_code == 201
    pay(Order.objects.get())
    mine = api.get(f"/campaigns/{presale.pk}").json()
    assert (mine["bought"], mine["presale_sold"], mine["left"]) == (3, 3, 7)
    assert not mine["may_join"]
    assert mine["refusal_code"] == "campaign_limit"
    assert mine["refusal"] == "Each customer may buy at most 3 in this campaign; you have 3."
    # A visitor still may: the limit is each customer's.
    assert anonymous.get(f"/campaigns/{presale.pk}").json()["may_join"]


def test_review_place_and_pay_at_the_campaign_price(api, customer, presale, sku):
    review = api.post(f"/campaigns/{presale.pk}/review", _order(customer, sku, 2))
    assert review.status_code == 200
    body = review.json()
    assert body["lines"] == [
        {
            "sku_id": sku.pk,
            "product_name": sku.product.name,
            "sku_name": "500g",
            "unit_price_fen": 2990,
            "quantity": 2,
            "total_fen": 5980,
        }
    ]
    assert body["goods_fen"] == 5980
    assert body["total_fen"] == 5980 + body["freight_fen"]
    assert body["address_id"] == customer.addresses.get().pk and body["boxes"] is None

    key = new_key()
    order_body = _order(customer, sku, 2, expected_total_fen=body["total_fen"])
    placed = api.post(f"/campaigns/{presale.pk}/orders", order_body, key=key)
    assert placed.status_code == 201
    assert placed.json()["total_fen"] == body["total_fen"]
    assert placed.json()["lines"][0]["unit_price_fen"] == 2990
    again = api.post(f"/campaigns/{presale.pk}/orders", order_body, key=key)
    assert again.status_code == 201 and again.json()["number"] == placed.json()["number"]
    order = Order.objects.get()
    assert CampaignOrder.objects.get(order=order).units == 2

    paying = api.post(f"/orders/{order.number}/pay", key=new_key())
    assert paying.status_code == 200
    assert paying.json()["amount_fen"] == body["total_fen"]


def test_a_gift_box_is_bought_by_the_box(api, customer, make_campaign, make_product):  # noqa: F811
    dates, nuts = make_product(price_fen=3000), make_product(price_fen=1000)
    box = make_campaign(kind="gift_box", skus=[dates, nuts], box_price_fen=8800, box_quantity=2)
    shown = api.get(f"/campaigns/{box.pk}").json()
    assert shown["box_price_fen"] == 8800 and {i["per_box"] for i in shown["items"]} == {2}
    address = customer.addresses.get().pk
    review = api.post(f"/campaigns/{box.pk}/review", {"boxes": 2, "address_id": address}).json()
    assert review["boxes"] == 2 and review["goods_fen"] == 2 * 8800
    assert {line["quantity"] for line in review["lines"]} == {4}
    items_for_a_box = api.post(f"/campaigns/{box.pk}/review", _order(customer, dates))
    assert items_for_a_box.status_code == 422
    assert items_for_a_box.json()["field"] == "boxes"
    placed = api.post(
        f"/campaigns/{box.pk}/orders",
        {"boxes": 2, "address_id": address, "expected_total_fen": review["total_fen"]},
        key=new_key(),
    )
    assert placed.status_code == 201 and placed.json()["total_fen"] == review["total_fen"]
    assert CampaignOrder.objects.get().units == 2


def _refused(api, campaign, customer, sku, quantity=1):
    response = api.post(
        f"/campaigns/{campaign.pk}/orders",
        _order(customer, sku, quantity, expected_total_fen=1_000_000),
        key=new_key(),
    )
    assert 400 <= response.status_code < 500
    return response.json()


def test_each_refusal_is_a_4xx_with_the_campaigns_reason_and_nothing_placed(
    as_customer,
    make_customer,
    make_campaign,  # noqa: F811
    make_product,
):
    now = timezone.now()
    sku = make_product()
    customer = make_customer()
    api = as_customer(customer)
    soon = make_campaign(skus=[sku], starts_at=now + timedelta(days=1))
    refused = _refused(api, soon, customer, sku)
    assert refused["code"] == "campaign_closed"
    assert refused["message"].startswith("This campaign starts at ")
    review = api.post(f"/campaigns/{soon.pk}/review", _order(customer, sku))
    assert review.status_code == 400 and review.json()["message"] == refused["message"]

    over = make_campaign(
        skus=[sku], starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1)
    )
    assert _refused(api, over, customer, sku)["message"] == "This campaign has ended."

    small = make_campaign(skus=[sku], stock_units=2, per_customer_limit=2, target_units=2)
    other = make_customer()
    other_api = as_customer(other)
    review = other_api.post(f"/campaigns/{small.pk}/review", _order(other, sku, 2)).json()
    other_api.post(
        f"/campaigns/{small.pk}/orders",
        _order(other, sku, 2, expected_total_fen=review["total_fen"]),
        key=new_key(),
    )
    assert _refused(api, small, customer, sku) == {
        "code": "campaign_sold_out",
        "message": "This campaign is sold out.",
        "field": None,
    }
    assert api.get(f"/campaigns/{small.pk}").json()["refusal_code"] == "campaign_sold_out"
    limited = make_campaign(skus=[sku], per_customer_limit=1)
    assert _refused(api, limited, customer, sku, 2)["code"] == "campaign_limit"

    gold = MemberTier.objects.create(name="金卡", threshold_fen=100_000)
    MemberTier.objects.create(name="普通会员", threshold_fen=0)
    event = make_campaign(kind="members", skus=[sku], min_tier=gold)
    refused = _refused(api, event, customer, sku)
    assert refused == {
        "code": "campaign_tier",
        "message": "This event is for members from the 金卡 tier up.",
        "field": None,
    }
    shown = api.get(f"/campaigns/{event.pk}").json()
    assert not shown["tier_ok"] and shown["refusal_code"] == "campaign_tier"
    MemberStatus.objects.create(customer=customer, tier=gold, reviewed_at=now)
    assert api.get(f"/campaigns/{event.pk}").json()["may_join"]

    outside = api.post(f"/campaigns/{limited.pk}/review", _order(customer, make_product()))
    assert outside.status_code == 400
    assert outside.json()["message"] == "Choose what to buy from this campaign's offer."
    assert not Order.objects.filter(customer=customer).exists()
    for campaign in (soon, over, limited, event):
        campaign.refresh_from_db()
        assert campaign.units_taken == 0


def test_a_draft_or_missing_campaign_is_not_found(
    api,
    customer,
    sku,
    make_campaign,  # noqa: F811
):
    draft = make_campaign(skus=[sku], publish=False)
    for path in (f"/campaigns/{draft.pk}", "/campaigns/999999"):
        assert api.get(path).status_code == 404
    missing = api.post(f"/campaigns/{draft.pk}/review", _order(customer, sku))
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_a_campaign_answers_in_chinese(as_customer, customer, presale, sku):
    api = as_customer(customer, "zh-hans")
    shown = api.get(f"/campaigns/{presale.pk}").json()
    assert shown["kind_label"] == "预售"


def test_reviewing_or_placing_needs_a_signed_in_customer(anonymous, presale, customer, sku):
    assert (
        anonymous.post(f"/campaigns/{presale.pk}/review", _order(customer, sku)).status_code == 401
    )
    bad_token = anonymous.get(f"/campaigns/{presale.pk}", headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401


# Reseller prices ---------------------------------------------------------------------------------


def test_a_customer_a_reseller_brought_sees_and_is_charged_his_price(
    anonymous,
    as_customer,
    reseller,  # noqa: F811
    buyer,  # noqa: F811
    band,  # noqa: F811
    sku,
):
    band(sku, 3000, 6000)
    resellers.set_price(distributor=reseller, sku=sku, price_fen=4500)
    api = as_customer(buyer)
    key = sku.product.url_key

    listed = api.get("/products").json()["items"]
    assert [p["price_fen"] for p in listed] == [4500]
    detail = api.get(f"/products/{key}").json()
    assert detail["price_fen"] == 4500 and detail["skus"][0]["price_fen"] == 4500
    # A visitor sends no token and sees the brand's price.
    assert anonymous.get("/products").json()["items"][0]["price_fen"] == 3990
    assert anonymous.get(f"/products/{key}").json()["skus"][0]["price_fen"] == 3990

    order = _order(buyer, sku)
    review = api.post("/checkout/review", order).json()
    assert review["goods_fen"] == 4500
    placed = api.post("/orders", order | {"expected_total_fen": review["total_fen"]}, key=new_key())
    assert placed.status_code == 201
    assert OrderLine.objects.get().unit_price_fen == 4500


def test_a_signed_in_catalogue_stays_within_its_queries(
    as_customer,
    reseller,  # noqa: F811
    buyer,  # noqa: F811
    band,  # noqa: F811
    make_product,
    django_assert_max_num_queries,
):
    skus = [make_product() for _n in range(3)]
    for sku in skus:
        band(sku, 3000, 6000)
        resellers.set_price(distributor=reseller, sku=sku, price_fen=4000)
    api = as_customer(buyer)
    with django_assert_max_num_queries(12) as few:
        api.get("/products")
    for _n in range(5):
        make_product()
    with django_assert_max_num_queries(len(few)):
        assert len(api.get("/products").json()["items"]) == 8


def test_a_resellers_micro_store_shows_his_prices_to_a_visitor(
    anonymous,
    reseller,  # noqa: F811
    band,  # noqa: F811
    sku,
):
    band(sku, 3000, 6000)
    resellers.set_price(distributor=reseller, sku=sku, price_fen=4500)
    store = anonymous.get(f"/stores/{reseller.slug}").json()
    cards = store["featured"] + store["others"]
    assert [card["price_fen"] for card in cards] == [4500]
