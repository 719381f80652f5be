"""Reads for the reseller pages: his offer (the open bands and his prices), his markup, the
brand's bands per product, and the brand's report per reseller. Each a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, F, Q, Sum, When
from django.db.models.functions import Coalesce

from weishang.catalog.models import Sku
from weishang.commissions.models import Commission
from weishang.money import format_yuan
from weishang.orders.models import Order, OrderLine

from .models import Listing, Reseller, ResellerPricing

MARKUP = Commission.Kind.MARKUP
S = Commission.Status
# Orders that were paid for (whatever happened since): what his customers actually bought.
PAID = Q(paid_at__isnull=False)


def reseller_of(distributor) -> Reseller | None:
    return Reseller.objects.filter(distributor_id=distributor.pk).first()


def is_approved(reseller: Reseller | None) -> bool:
    """Whether the brand approved him: only then he sees the offer and sets his own prices."""
    return reseller is not None and reseller.status == Reseller.Status.APPROVED


@dataclass
class OfferRow:
    sku: Sku
    supply_fen: int
    ceiling_fen: int
    listing: Listing | None

    @property
    def price_yuan(self) -> str:
        """His price as the form field shows it back (12.34), empty when he has none."""
        return format_yuan(self.listing.price_fen) if self.listing is not None else ""

    @property
    def markup_fen(self) -> int | None:
        """What one unit sold at his price earns him now."""
        if self.listing is None or self.listing.status != Listing.Status.ACTIVE:
            return None
        return self.listing.price_fen - self.supply_fen


def offer_for(distributor) -> list[OfferRow]:
    """Every SKU the brand offers to resellers (open band, product on sale), with his listing of
    it if he has one, by product — two queries."""
    bands = (
        ResellerPricing.objects.filter(
            is_open=True, sku__is_active=True, sku__product__status="published"
        )
        .select_related("sku__product")
        .order_by("sku__product__position", "sku__product_id", "sku__position", "sku_id")
    )
    listings = {
        listing.sku_id: listing
        for listing in Listing.objects.filter(distributor_id=distributor.pk).exclude(
            status=Listing.Status.WITHDRAWN
        )
    }
    return [
        OfferRow(band.sku, band.supply_fen, band.ceiling_fen, listings.get(band.sku_id))
        for band in bands
    ]


def suspended_listings(distributor):
    """His listings the brand's band no longer admits (shown first, so he sets a new price)."""
    return (
        Listing.objects.filter(distributor_id=distributor.pk, status=Listing.Status.SUSPENDED)
        .select_related("sku__product")
        .order_by("sku_id")
    )


def markup_totals(distributor_ids) -> dict[int, dict[str, int]]:
    """``{distributor_id: {"pending", "available", "reversed", "earned"}}`` of markup, net of
    reversals — one query."""
    ids = list(distributor_ids)
    net = F("amount_fen") - F("reversed_fen")
    rows = (
        Commission.objects.filter(kind=MARKUP, distributor_id__in=ids)
        .exclude(status__in=[S.VOID, S.AWAITING_PAYMENT, S.REJECTED])
        .order_by()
        .values("distributor_id")
        .annotate(
            pending=Coalesce(Sum(net, filter=Q(status__in=[S.PENDING, S.HELD])), 0),
            available=Coalesce(Sum(net, filter=Q(status=S.AVAILABLE)), 0),
            reversed=Coalesce(Sum("reversed_fen"), 0),
            earned=Coalesce(Sum(net), 0),
        )
    )
    totals = {d: {"pending": 0, "available": 0, "reversed": 0, "earned": 0} for d in ids}
    for row in rows:
        totals[row.pop("distributor_id")] = row
    return totals


@dataclass
class BandRow:
    sku: Sku
    band: ResellerPricing | None
    listed: int

    @property
    def supply_yuan(self) -> str:
        return format_yuan(self.band.supply_fen) if self.band else ""

    @property
    def ceiling_yuan(self) -> str:
        return format_yuan(self.band.ceiling_fen) if self.band else ""


def skus_with_bands(product) -> list[BandRow]:
    """A row per SKU of the product: its band (if any) and how many resellers sell it at their
    own price now — one query."""
    skus = (
        Sku.objects.filter(product=product)
        .select_related("reseller_pricing")
        .annotate(listed=Count("pk", filter=Q(reseller_listings__status=Listing.Status.ACTIVE)))
        .order_by("position", "pk")
    )
    return [BandRow(sku, getattr(sku, "reseller_pricing", None), sku.listed) for sku in skus]


def resellers():
    """Every distributor who applied or was approved or revoked, applications first."""
    return (
        Reseller.objects.select_related("distributor", "decided_by")
        .annotate(
            listed=Count(
                "distributor__listings",
                filter=Q(distributor__listings__status=Listing.Status.ACTIVE),
            )
        )
        .order_by(
            # Applications to decide first, then the approved, then those revoked.
            Case(
                When(status=Reseller.Status.APPLIED, then=0),
                When(status=Reseller.Status.APPROVED, then=1),
                default=2,
            ),
            "pk",
        )
    )


@dataclass
class ResellerFigures:
    reseller: Reseller
    orders: int
    customers: int
    order_value_fen: int
    markup_fen: int

    @property
    def orders_per_customer(self) -> str:
        """Purchase frequency: paid orders per customer who bought, to one decimal."""
        if not self.customers:
            return "0.0"
        tenths = (self.orders * 10 + self.customers // 2) // self.customers
        return f"{tenths // 10}.{tenths % 10}"

    @property
    def average_order_fen(self) -> int:
        return self.order_value_fen // self.orders if self.orders else 0


def report(*, since: datetime) -> list[ResellerFigures]:
    """Per approved reseller, over the paid orders placed since ``since``: orders, customers,
    purchase frequency, order value and markup earned — three queries."""
    approved = list(
        Reseller.objects.filter(status=Reseller.Status.APPROVED)
        .select_related("distributor")
        .order_by("pk")
    )
    ids = [r.distributor_id for r in approved]
    orders = {
        row["distributor_id"]: row
        for row in Order.objects.filter(PAID, distributor_id__in=ids, placed_at__gte=since)
        .order_by()
        .values("distributor_id")
        .annotate(
            n=Count("pk"),
            customers=Count("customer_id", distinct=True),
            value=Coalesce(Sum(F("total_fen") - F("freight_fen") - F("refunded_fen")), 0),
        )
    }
    markup = markup_totals(ids)
    return [
        ResellerFigures(
            reseller=r,
            orders=orders.get(r.distributor_id, {}).get("n", 0),
            customers=orders.get(r.distributor_id, {}).get("customers", 0),
            order_value_fen=max(orders.get(r.distributor_id, {}).get("value", 0), 0),
            markup_fen=markup[r.distributor_id]["earned"],
        )
        for r in approved
    ]


def product_needs(distributor, *, since: datetime, limit: int = 10):
    """What his customers buy: products by units on their paid orders since ``since``, whatever
    the price (his own or the brand's) — one query."""
    return list(
        OrderLine.objects.filter(order__distributor_id=distributor.pk, order__placed_at__gte=since)
        .filter(order__paid_at__isnull=False)
        .order_by()
        .values("product_id", "product_name")
        .annotate(units=Sum("quantity"), value=Sum("line_total_fen"))
        .order_by("-units", "product_id")[:limit]
    )


@dataclass
class SellThrough:
    listing: Listing
    units: int
    orders: int


def sell_through(distributor, *, since: datetime) -> list[SellThrough]:
    """Each SKU he lists (or listed) and how much of it sold at his price since ``since``: units
    and orders of the lines his markup was earned on — two queries."""
    listings = list(
        Listing.objects.filter(distributor_id=distributor.pk)
        .select_related("sku__product")
        .order_by("sku_id")
    )
    sold = {
        row["order_line__sku_id"]: row
        for row in Commission.objects.filter(
            kind=MARKUP, distributor_id=distributor.pk, created_at__gte=since
        )
        .exclude(status__in=[S.VOID, S.AWAITING_PAYMENT])
        .order_by()
        .values("order_line__sku_id")
        .annotate(units=Sum("order_line__quantity"), orders=Count("order_id", distinct=True))
    }
    return [
        SellThrough(
            listing,
            sold.get(listing.sku_id, {}).get("units", 0),
            sold.get(listing.sku_id, {}).get("orders", 0),
        )
        for listing in listings
    ]
