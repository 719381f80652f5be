"""/admin/ only shows money, stock, programme and catalogue tables: no add, change or delete even
for a superuser, so every change goes through a service that audits it."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.helpers import pay
from weishang.catalog.models import Category, PricePeriod, Product, Sku
from weishang.commissions.models import Account, Commission, CommissionPlan, Transfer, Withdrawal
from weishang.distribution.models import ProgrammeSettings
from weishang.inventory.models import Stock, StockMovement
from weishang.payments.models import Payment, Refund
from weishang.sales import services as sales

READ_ONLY_MODELS = [
    Payment,
    Refund,
    Account,
    Transfer,
    Commission,
    CommissionPlan,
    Withdrawal,
    Stock,
    StockMovement,
    ProgrammeSettings,
    Product,
    Sku,
    PricePeriod,
    Category,
]


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="x", email="")


def _model_admin(model):
    """The admin a model is shown with: its own, or its product's inline for SKUs."""
    if model in admin.site._registry:
        return admin.site._registry[model]
    product_admin = admin.site._registry[Product]
    return next(
        inline(Product, admin.site) for inline in product_admin.inlines if inline.model is model
    )


@pytest.mark.django_db
@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda model: model._meta.label)
def test_no_superuser_may_add_change_or_delete(model, root):
    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = _model_admin(model)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request, None)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def _admin_url(obj, action):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=[obj.pk])


@pytest.mark.django_db
def test_a_superuser_posting_a_change_is_refused_and_nothing_moves(client, root, customer, sku):
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    )
    payment, stock = Payment.objects.get(order=order), Stock.objects.get(sku=sku)
    settings = ProgrammeSettings.objects.create()
    client.force_login(root)
    for obj, field, value in (
        (payment, "amount_fen", 1),
        (stock, "on_hand", 9999),
        (settings, "withdrawal_min_fen", 1),
        (sku.product, "name", "改名"),
    ):
        before = type(obj).objects.filter(pk=obj.pk).values().get()
        assert client.get(_admin_url(obj, "change")).status_code == 200  # can look
        assert client.post(_admin_url(obj, "change"), {field: value}).status_code == 403
        assert client.post(_admin_url(obj, "delete"), {"post": "yes"}).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).values().get() == before
    for model in (Payment, Refund, Stock, ProgrammeSettings, Transfer, Product):
        meta = model._meta
        assert (
            client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 403
        )
