"""Row locks for reseller writes. A SKU's band and every reseller price for it change under the
SKU's row lock, so a price set while the brand moves the band is checked against one band or the
other, never half of each."""

from django.db.models import QuerySet

from weishang.catalog.models import Sku

from .models import Listing, Reseller


def sku_for_update(sku_id: int) -> QuerySet[Sku]:
    return Sku.objects.filter(pk=sku_id).order_by("pk").select_for_update()


def listings_for_update(**filters) -> QuerySet[Listing]:
    return Listing.objects.filter(**filters).order_by("pk").select_for_update()


def reseller_for_update(distributor_id: int) -> QuerySet[Reseller]:
    return Reseller.objects.filter(distributor_id=distributor_id).order_by("pk").select_for_update()
