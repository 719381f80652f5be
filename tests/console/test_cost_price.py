"""A SKU's cost price: set by the roles that edit the catalogue, audited, never shown to customers
or distributors, and re-checked against the commission plan in force whenever it or a price
changes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from weishang.catalog.models import Sku
from weishang.commissions.plans import active_plan, save_plan
from weishang.commissions.rules import PlanDraft
from weishang.compliance.models import AuditEntry

from .conftest import english, messages_of
from .test_roles import CATALOGUE, EVERYONE, member, signed_in

COST = "27.13"  # a figure that appears nowhere else on the pages below


def set_cost(client, sku, cost):
    return client.post(reverse("console:sku_cost", args=[sku.pk]), {"cost": cost}, follow=True)


@pytest.mark.django_db
def test_staff_who_edit_the_catalogue_set_the_cost_and_it_is_audited(console, staff, sku):
    response = set_cost(console, sku, COST)
    assert f"The cost price of SKU {sku.code} is saved." in messages_of(response)
    sku.refresh_from_db()
    assert sku.cost_fen == 2713
    assert f'value="{COST}"' in response.content.decode()
    entry = AuditEntry.objects.get(action="sku.set_cost")
    assert entry.actor == staff and entry.after == {"cost_fen": 2713}
    assert entry.before == {"cost_fen": None}
    set_cost(console, sku, "")
    sku.refresh_from_db()
    assert sku.cost_fen is None


@pytest.mark.django_db
@pytest.mark.parametrize("cost", ["-1", "abc", "1.234", "１２"])
def test_a_bad_cost_is_a_message_and_changes_nothing(console, sku, cost):
    response = set_cost(console, sku, cost)
    assert any(m.startswith("Cost price (yuan):") for m in messages_of(response))
    assert Sku.objects.get(pk=sku.pk).cost_fen is None
    assert not AuditEntry.objects.filter(action="sku.set_cost").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(EVERYONE - CATALOGUE[1]))
def test_roles_without_catalogue_write_access_cannot_set_a_cost(
    client, django_user_model, brand, sku, role
):
    signed_in(client, member(django_user_model, role))
    response = client.post(reverse("console:sku_cost", args=[sku.pk]), {"cost": COST})
    assert response.status_code == 403
    assert Sku.objects.get(pk=sku.pk).cost_fen is None
    page = client.get(reverse("console:product_edit", args=[sku.product_id])).content.decode()
    assert reverse("console:sku_cost", args=[sku.pk]) not in page


@pytest.mark.django_db
def test_a_cost_that_leaves_less_than_the_plan_pays_warns_without_changing_the_plan(
    console, staff, sku
):
    save_plan(draft=PlanDraft(default_rate_bp=1000), actor=staff)
    assert "Edit the plan" not in " ".join(messages_of(set_cost(console, sku, "30")))
    response = set_cost(console, sku, "37")  # ¥2.90 of ¥39.90 is a 7.26 % margin, under 10 %
    warning = [m for m in messages_of(response) if "pays above margin" in m]
    assert warning and sku.product.name in warning[0] and "第二条" in warning[0]
    assert active_plan().version == 1 and active_plan().default_rate_bp == 1000
    page = console.get(reverse("console:plan_list")).content.decode()
    assert 'id="above-margin"' in page and sku.product.name in page and "7.26 %" in page


@pytest.mark.django_db
def test_a_lower_price_period_scheduled_warns_too(console, staff, sku):
    save_plan(draft=PlanDraft(default_rate_bp=1000), actor=staff)
    set_cost(console, sku, "30")
    start = timezone.localtime() + timedelta(days=2)
    response = console.post(
        reverse("console:price_periods", args=[sku.product_id]),
        {
            "sku": sku.pk,
            "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "ends_at": f"{start + timedelta(days=5):%Y-%m-%dT%H:%M}",
            "price": "32",
            "label": "双十一",
        },
        follow=True,
    )
    assert "Price period added." in messages_of(response)
    assert any("pays above margin" in m and sku.product.name in m for m in messages_of(response))
    assert active_plan().version == 1


@pytest.mark.django_db
def test_the_store_and_the_distributor_console_never_show_the_cost(
    client, brand, sku, make_distributor
):
    Sku.objects.filter(pk=sku.pk).update(cost_fen=2713)
    distributor = make_distributor()
    english(client)
    product = sku.product
    store_pages = [
        reverse("storefront:product_list"),
        reverse("storefront:product_detail", args=[product.slug]),
        reverse("storefront:microstore", args=[distributor.slug]),
    ]
    client.force_login(distributor.customer.user)
    distributor_pages = ["/d/", "/d/share/", "/d/store/"]
    for url in store_pages + distributor_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert product.name in page or url == "/d/", url
        assert COST not in page and "2713" not in page, url
