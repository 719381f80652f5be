"""Every write to the catalogue."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import CatalogError
from .models import PricePeriod, Product, Sku
from .rules import overlaps


@transaction.atomic
def publish_product(*, product: Product) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.is_food and not product.food_licence_no.strip():
        raise CatalogError(
            _(
                "A food product cannot be published without the brand's food licence or filing "
                "number (Food Safety Law Art. 35)."
            ),
            code="food_licence_missing",
        )
    if not product.skus.filter(is_active=True).exists():
        raise CatalogError(_("A product needs at least one active SKU before it is published."))
    product.status = Product.Status.PUBLISHED
    product.save(update_fields=["status"])
    return product


@transaction.atomic
def unpublish_product(*, product: Product) -> Product:
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DRAFT)
    product.refresh_from_db()
    return product


@transaction.atomic
def schedule_price_period(
    *, sku: Sku, starts_at: datetime, ends_at: datetime, price_fen: int, label: str = ""
) -> PricePeriod:
    """Adds a lifecycle price; refuses a period that overlaps another of the same SKU."""
    if not isinstance(price_fen, int) or price_fen <= 0:
        raise CatalogError(_("A price must be a positive whole number of fen."))
    if ends_at <= starts_at:
        raise CatalogError(_("A price period must end after it starts."))
    # Lock the SKU so two operators cannot add overlapping periods at the same time.
    Sku.objects.select_for_update().get(pk=sku.pk)
    for other in PricePeriod.objects.filter(sku=sku):
        if overlaps(starts_at, ends_at, other.starts_at, other.ends_at):
            raise CatalogError(
                _("This period overlaps the period from %(start)s to %(end)s.")
                % {
                    # In the brand's local time, as the operator entered it (not UTC).
                    "start": f"{timezone.localtime(other.starts_at):%Y-%m-%d %H:%M}",
                    "end": f"{timezone.localtime(other.ends_at):%Y-%m-%d %H:%M}",
                },
                code="price_period_overlap",
            )
    return PricePeriod.objects.create(
        sku=sku, starts_at=starts_at, ends_at=ends_at, price_fen=price_fen, label=label
    )


@transaction.atomic
def delete_price_period(*, period: PricePeriod) -> None:
    period.delete()
