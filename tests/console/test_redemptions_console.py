"""The console's products-for-points page: offers listed in a fixed number of queries, offered
and retired by operators, read by everyone else."""

import pytest
from django.urls import reverse

from tests.console.conftest import english
from tests.console.test_roles import member
from weishang.loyalty import redemptions
from weishang.loyalty.models import ProductRedemption

pytestmark = pytest.mark.django_db


def test_the_list_costs_the_same_queries_for_one_offer_or_five(
    client, staff, make_product, django_assert_max_num_queries
):
    client.force_login(staff)
    redemptions.offer_redemption(actor=staff, sku_id=make_product().pk, points=100, cash_fen=0)
    client.get(reverse("console:redemption_list"))
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("console:redemption_list"))
    for _ in range(4):
        redemptions.offer_redemption(actor=staff, sku_id=make_product().pk, points=100, cash_fen=0)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("console:redemption_list"))
    assert page.content.decode().count('name="redemption"') == 5


def test_an_operator_offers_a_product_and_cash_above_the_price_is_refused(
    client, make_product, django_user_model
):
    sku = make_product(price_fen=3_990)
    client = english(client)
    client.force_login(member(django_user_model, "operator"))
    refused = client.post(
        reverse("console:redemption_list"),
        {"sku": sku.pk, "points": "100", "cash": "39.90"},
        follow=True,
    )
    assert "less than the price" in refused.content.decode()
    assert not ProductRedemption.objects.exists()
    client.post(
        reverse("console:redemption_list"), {"sku": sku.pk, "points": "1000", "cash": "9.90"}
    )
    offer = ProductRedemption.objects.get()
    assert (offer.points, offer.cash_fen, offer.active) == (1_000, 990, True)


def test_finance_reads_the_offers_but_is_shown_no_form_to_submit(
    client, staff, sku, django_user_model
):
    redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=100, cash_fen=0)
    client.force_login(member(django_user_model, "finance"))
    html = client.get(reverse("console:redemption_list")).content.decode()
    assert "100" in html and 'name="redemption"' not in html
