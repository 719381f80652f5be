from datetime import UTC, datetime, timedelta

import pytest

from weishang.catalog.errors import CatalogError
from weishang.catalog.models import PricePeriod, Product
from weishang.catalog.rules import Period, price_at
from weishang.catalog.selectors import sku_price
from weishang.catalog.services import publish_product, schedule_price_period

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_price_is_the_active_periods_and_the_list_price_outside_it():
    periods = [Period(T0, T0 + timedelta(days=7), 2990)]
    assert price_at(3990, periods, T0 - timedelta(seconds=1)).amount_fen == 3990
    inside = price_at(3990, periods, T0)
    assert (inside.amount_fen, inside.period_ends_at, inside.is_discounted) == (
        2990,
        T0 + timedelta(days=7),
        True,
    )
    assert price_at(3990, periods, T0 + timedelta(days=7)).amount_fen == 3990


@pytest.mark.django_db
def test_overlapping_price_periods_are_refused(sku):
    schedule_price_period(
        actor=None, sku=sku, starts_at=T0, ends_at=T0 + timedelta(days=7), price_fen=2990
    )
    with pytest.raises(CatalogError, match="overlaps"):
        schedule_price_period(
            actor=None,
            sku=sku,
            starts_at=T0 + timedelta(days=6),
            ends_at=T0 + timedelta(days=9),
            price_fen=1990,
        )
    schedule_price_period(
        actor=None,
        sku=sku,
        starts_at=T0 + timedelta(days=7),
        ends_at=T0 + timedelta(days=9),
        price_fen=1990,
    )
    assert PricePeriod.objects.filter(sku=sku).count() == 2
    assert sku_price(sku, T0 + timedelta(days=8)).amount_fen == 1990


@pytest.mark.django_db
@pytest.mark.parametrize("price", [0, -5, 19.9])
def test_a_price_must_be_positive_whole_fen(sku, price):
    with pytest.raises(CatalogError):
        schedule_price_period(
            actor=None, sku=sku, starts_at=T0, ends_at=T0 + timedelta(days=1), price_fen=price
        )
    assert not PricePeriod.objects.exists()


@pytest.mark.django_db
def test_food_without_licence_cannot_be_published(make_product):
    sku = make_product(is_food=True, food_licence_no="SC1")
    product = sku.product
    Product.objects.filter(pk=product.pk).update(status="draft", food_licence_no="")
    with pytest.raises(CatalogError, match="Art. 35"):
        publish_product(actor=None, product=product)
    product.refresh_from_db()
    assert product.status == "draft"
    Product.objects.filter(pk=product.pk).update(food_licence_no="SC11265010200123")
    assert publish_product(actor=None, product=product).status == "published"
