"""Stock reads shared by the console and reports."""

from django.core.exceptions import ObjectDoesNotExist

from .models import Stock


def stock_of(sku) -> Stock:
    """The SKU's stock row (select_related "stock" first), or an unsaved zero row if none."""
    try:
        return sku.stock
    except ObjectDoesNotExist:
        return Stock(sku=sku, on_hand=0, reserved=0)
