"""Catalogue reads shared by the store, the console and checkout."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import Brand, Category, PricePeriod, Product, ProductImage, Sku
from .rules import PRODUCT_ID, Period, Price, price_at


def brand() -> Brand | None:
    return Brand.objects.first()


def _periods(sku: Sku) -> list[Period]:
    return [Period(p.starts_at, p.ends_at, p.price_fen) for p in sku.price_periods.all()]


def sku_price(sku: Sku, at: datetime | None = None) -> Price:
    """The SKU's price at a moment; uses prefetched periods when present."""
    return price_at(sku.list_price_fen, _periods(sku), at or timezone.now())


def skus_with_periods(sku_ids: Iterable[int]) -> dict[int, Sku]:
    skus = (
        Sku.objects.filter(pk__in=list(sku_ids))
        .select_related("product")
        .prefetch_related("price_periods")
    )
    return {sku.pk: sku for sku in skus}


def _product_prefetches():
    return [
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
        Prefetch(
            "skus",
            queryset=Sku.objects.filter(is_active=True)
            .order_by("position", "pk")
            .prefetch_related(
                Prefetch("price_periods", queryset=PricePeriod.objects.order_by("starts_at"))
            )
            .select_related("stock"),
        ),
    ]


def published_products(category_slug: str | None = None) -> QuerySet[Product]:
    qs = Product.objects.filter(status=Product.Status.PUBLISHED).select_related("category")
    if category_slug:
        qs = qs.filter(category__slug=category_slug)
    return qs.prefetch_related(*_product_prefetches())


def all_products() -> QuerySet[Product]:
    return Product.objects.select_related("category").prefetch_related(*_product_prefetches())


def published_product(key: str) -> Product:
    """By the key in its address (``Product.url_key``): its slug, or its id if it has none."""
    if PRODUCT_ID.fullmatch(key):
        return published_products().get(pk=int(key), slug="")
    return published_products().get(slug=key)


# Brand console ----------------------------------------------------------------------------------


def products_for_console() -> QuerySet[Product]:
    """Every product, draft or published, with all its SKUs (inactive too), stock and periods."""
    return Product.objects.select_related("category").prefetch_related(
        Prefetch(
            "skus",
            queryset=Sku.objects.order_by("position", "pk")
            .select_related("stock")
            .prefetch_related(
                Prefetch("price_periods", queryset=PricePeriod.objects.order_by("starts_at"))
            ),
        )
    )


def skus_for_console() -> QuerySet[Sku]:
    """Every SKU, inactive too, with its product and its stock row (when it has one): the
    stock column of the console's product list, one SKU a row."""
    return Sku.objects.select_related("product", "stock")


def product_with_price_periods(product_id: int) -> Product:
    """One product for its price-period page; raises Product.DoesNotExist."""
    return products_for_console().get(pk=product_id)


def product_for_editing(product_id: int) -> Product:
    """One product for its edit page, with every SKU, its stock and periods, and its images."""
    return (
        products_for_console()
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
        .get(pk=product_id)
    )


def categories() -> QuerySet[Category]:
    return Category.objects.order_by("position", "pk")


# Storefront -------------------------------------------------------------------------------------


def categories_with_published_products() -> QuerySet:
    """The store's category filter: only categories that have something to buy."""
    published = Category.objects.filter(products__status=Product.Status.PUBLISHED)
    return published.distinct().order_by("position", "pk")
