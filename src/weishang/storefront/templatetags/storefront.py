"""Store template helpers: current prices and stock from prefetched rows, without extra queries."""

import re

from django import template
from django.core.exceptions import ObjectDoesNotExist

from weishang.catalog.rules import Price
from weishang.catalog.selectors import sku_price
from weishang.compliance.models import ComplaintStatus
from weishang.distribution.models import Application, Distributor
from weishang.loyalty.models import Coupon, CouponSource, TierChange
from weishang.orders.models import OrderStatus, ReturnStatus
from weishang.payments.models import Payment

register = template.Library()


def _price(sku, resales) -> Price:
    resale = (resales or {}).get(sku.pk)
    return resale.price if resale is not None else sku_price(sku)


@register.filter
def price_now(sku, resales=None) -> Price:
    """The SKU's current price, from its prefetched price periods; with ``resales`` (the
    visitor's reseller prices, ``storefront.resale``) his reseller's price where he has one."""
    return _price(sku, resales)


@register.filter
def lowest_price(product, resales=None) -> Price | None:
    """The cheapest current price among the product's prefetched active SKUs."""
    prices = [_price(sku, resales) for sku in product.skus.all()]
    return min(prices, key=lambda price: price.amount_fen) if prices else None


@register.filter
def available(sku) -> int:
    """Units the warehouse can still sell; 0 when the SKU has no stock row."""
    try:
        return max(sku.stock.available, 0)
    except ObjectDoesNotExist:
        return 0


@register.filter
def first_available(product) -> int | None:
    """The SKU to pre-select on the product page: the first one still in stock."""
    return next((sku.pk for sku in product.skus.all() if available(sku) > 0), None)


STATUSES = {
    "order": OrderStatus,
    "return": ReturnStatus,
    "payment": Payment.Status,
    "distributor": Distributor.Status,
    "application": Application.Status,
    "complaint": ComplaintStatus,
    "coupon": Coupon.Status,
    "coupon_source": CouponSource,
    "tier_change": TierChange.Reason,
}


@register.filter
def status_words(value: str, kind: str) -> str:
    """A status stored as its code (as in the data copy) by its label: ``o.status|status_words:
    "order"`` shows 部分退款, never ``partially_refunded``."""
    choices = STATUSES[kind]
    return choices(value).label if value in choices.values else value


_SECTION_TITLE = re.compile(r"【(.+?)】\s*")


@register.filter
def sections(description: str) -> list[tuple[str, str]]:
    """A description's paragraphs, each as (title, text): a paragraph whose first line is
    【产品参数】 is headed by it, as sellers write their product pages."""
    result = []
    for block in re.split(r"\n\s*\n", description.strip()):
        heading = _SECTION_TITLE.match(block)
        if heading:
            result.append((heading.group(1), block[heading.end() :]))
        else:
            result.append(("", block))
    return result
