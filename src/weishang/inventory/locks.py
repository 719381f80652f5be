"""Row locks on stock, always taken in primary-key order so concurrent checkouts cannot deadlock."""

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Stock


def lock_stock(sku_ids: Iterable[int]) -> QuerySet[Stock]:
    return Stock.objects.filter(sku_id__in=sorted(set(sku_ids))).order_by("pk").select_for_update()
