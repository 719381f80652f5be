"""The customer's coupons over the API: "my coupons" by tab and the coupon centre, claimed with
the store's limits and refusals, in a bounded number of queries."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from weishang.loyalty import coupons
from weishang.loyalty.models import Coupon

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def template(**overrides):
    terms = {
        "name": "满100减20",
        "kind": "amount_off",
        "amount_off_fen": 2000,
        "threshold_fen": 10000,
        "scope": "all",
        "valid_days": 30,
        "per_customer_limit": 1,
        "claimable": True,
    } | overrides
    products = terms.pop("products", ())
    return coupons.save_coupon_template(actor=None, terms=terms, product_ids=products, now=NOW)


def give_coupon(tpl, customer, key, now=NOW):
    with transaction.atomic():
        return coupons.issue_coupon(
            template_id=tpl.pk, customer_id=customer.pk, source="by_hand", key=key, now=now
        )


def test_my_coupons_come_by_tab_with_their_terms_in_words(
    api, customer, make_customer, django_assert_max_num_queries
):
    for n in range(3):
        give_coupon(template(name=f"券{n}"), customer, f"a{n}")
    give_coupon(template(name="旧券"), customer, "old", now=NOW - timedelta(days=40))
    used = give_coupon(template(name="已用"), customer, "used")
    Coupon.objects.filter(pk=used.pk).update(used_at=NOW, order_number="WS1")
    give_coupon(template(name="别人的"), make_customer(), "other")
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        with django_assert_max_num_queries(6):
            got = api.get("/coupons", params).json()
        seen += got["items"]
        if not (cursor := got["next_cursor"]):
            break
    assert [c["name"] for c in seen] == ["券0", "券1", "券2"]
    assert seen[0]["gives"] == "¥20.00 off on a spend of ¥100.00 or more"
    assert seen[0]["status"] == "available" and seen[0]["status_label"] == "available"
    used_tab = api.get("/coupons", {"tab": "used"}).json()["items"]
    assert [(c["name"], c["order_number"]) for c in used_tab] == [("已用", "WS1")]
    assert [c["name"] for c in api.get("/coupons", {"tab": "expired"}).json()["items"]] == ["旧券"]
    bad = api.get("/coupons", {"tab": "bogus"})
    assert bad.status_code == 422 and bad.json()["field"] == "tab"


def test_the_coupon_centre_offers_claims_once_and_refuses_the_second(api, customer):
    offered = template(per_customer_limit=1)
    template(name="不可领", claimable=False)
    centre = api.get("/coupon-centre").json()
    assert [(c["id"], c["held"], c["can_claim"]) for c in centre] == [(offered.pk, 0, True)]
    assert centre[0]["lasts"] == "Valid for 30 days from issue"
    claimed = api.post(f"/coupon-centre/{offered.pk}/claim")
    assert claimed.status_code == 201
    assert claimed.json()["name"] == "满100减20" and claimed.json()["status"] == "available"
    assert Coupon.objects.get(customer=customer).source == "claimed"
    again = api.post(f"/coupon-centre/{offered.pk}/claim")
    assert again.status_code == 400
    assert again.json()["code"] == "coupon_limit"
    assert api.get("/coupon-centre").json()[0]["can_claim"] is False
    assert Coupon.objects.filter(customer=customer).count() == 1


def test_the_coupon_centre_costs_the_same_queries_however_many_coupons(
    api, customer, sku, django_assert_max_num_queries
):
    template(scope="products", products=[sku.product_id])
    with django_assert_max_num_queries(6) as one:
        api.get("/coupon-centre")
    for n in range(4):
        template(name=f"券{n}", scope="products", products=[sku.product_id])
    with django_assert_max_num_queries(len(one)):
        assert len(api.get("/coupon-centre").json()) == 5


def test_a_coupon_not_offered_cannot_be_claimed_and_bad_ids_are_clear(api, customer):
    hidden = template(claimable=False)
    refused = api.post(f"/coupon-centre/{hidden.pk}/claim")
    assert refused.status_code == 400 and not Coupon.objects.exists()
    assert refused.json()["message"] == "This coupon cannot be claimed."
    assert api.post("/coupon-centre/0/claim").status_code == 422
    assert api.post("/coupon-centre/abc/claim").json()["code"] == "invalid_input"


def test_coupons_need_a_signed_in_customer(anonymous):
    assert anonymous.get("/coupons").status_code == 401
    assert anonymous.get("/coupon-centre").status_code == 401


def test_a_chinese_client_reads_the_words_and_labels_in_chinese(as_customer, customer):
    give_coupon(template(), customer, "a")
    chinese = as_customer(customer, language="zh-hans")
    assert chinese.get("/coupon-centre").json()[0]["gives"] == "满 ¥100.00 可用，减 ¥20.00"
    mine = chinese.get("/coupons").json()["items"][0]
    assert mine["status"] == "available" and mine["status_label"] != "available"
