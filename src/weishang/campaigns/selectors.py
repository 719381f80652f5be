"""Reads the store and the console share: the campaigns on show, one campaign's offer priced as
placing will price it, a pre-sale's progress, and a campaign's results."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from weishang.orders.models import Order, OrderStatus

from .models import Campaign, CampaignItem, CampaignKind, CampaignOrder, CampaignStatus
from .services import paid_units, unit_prices


def store_campaigns(now: datetime):
    """Published campaigns not yet over, soonest ending first."""
    return (
        Campaign.objects.filter(status=CampaignStatus.PUBLISHED, ends_at__gt=now)
        .select_related("min_tier")
        .order_by("ends_at", "pk")
    )


def store_campaign(campaign_id: int) -> Campaign | None:
    """A campaign the store may show (published or over, never a draft)."""
    return (
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .select_related("min_tier")
        .filter(pk=campaign_id)
        .first()
    )


@dataclass(frozen=True)
class OfferLine:
    item: CampaignItem
    unit_price_fen: int
    quantity: int

    @property
    def total_fen(self) -> int:
        return self.unit_price_fen * self.quantity


def offer(campaign: Campaign) -> list[OfferLine]:
    """Each SKU at its campaign price (a gift box: its share of the box price, per unit), with
    the quantity of it in one box (1 otherwise)."""
    items = list(campaign.items.select_related("sku__product"))
    prices = unit_prices(campaign, items)
    return [OfferLine(item, prices[item.sku_id], item.quantity) for item in items]


def quote(campaign: Campaign, quantities: dict[int, int]) -> list[OfferLine]:
    """The offer's lines for ``{sku_id: quantity}``, at the prices placing charges."""
    return [
        OfferLine(line.item, line.unit_price_fen, quantities[line.item.sku_id])
        for line in offer(campaign)
        if quantities.get(line.item.sku_id)
    ]


def box_quantities(campaign: Campaign, boxes: int) -> dict[int, int]:
    """``{sku_id: quantity}`` of ``boxes`` gift boxes of the campaign."""
    return {item.sku_id: item.quantity * boxes for item in campaign.items.all()}


def boxes_in(campaign: Campaign, lines: list[OfferLine]) -> int | None:
    """How many boxes a gift box's quoted lines make; None for another kind (or no lines)."""
    if campaign.kind != CampaignKind.GIFT_BOX or not lines:
        return None
    return lines[0].quantity // lines[0].item.quantity


def presale_progress(campaign: Campaign) -> int | None:
    return paid_units(campaign.pk) if campaign.kind == CampaignKind.PRESALE else None


def console_campaigns():
    return (
        Campaign.objects.select_related("min_tier")
        .annotate(order_count=Count("orders", filter=Q(orders__order__paid_at__isnull=False)))
        .order_by("-starts_at", "-pk")
    )


@dataclass(frozen=True)
class Results:
    orders: int
    gmv_fen: int
    new_customers: int
    distributors: list
    waiting: int


def results(campaign: Campaign) -> Results:
    """Paid orders, their GMV (what was paid less refunds), customers for whom it was their
    first paid order, the distributors whose customers bought, and orders waiting to ship for
    the pre-sale."""
    paid = Order.objects.filter(campaign_entry__campaign=campaign, paid_at__isnull=False)
    earlier = Order.objects.filter(
        customer_id=OuterRef("customer_id"), paid_at__lt=OuterRef("paid_at")
    )
    figures = paid.aggregate(
        orders=Count("pk"),
        gmv=Sum(F("total_fen") - F("refunded_fen")),
        waiting=Count("pk", filter=Q(awaiting_presale=True, status=OrderStatus.PAID)),
    )
    new = paid.annotate(before=Exists(earlier)).filter(before=False)
    distributors = list(
        paid.filter(distributor__isnull=False)
        .values("distributor_id", "distributor__store_name")
        .annotate(orders=Count("pk"), gmv=Sum(F("total_fen") - F("refunded_fen")))
        .order_by("-gmv", "distributor_id")
    )
    return Results(
        orders=figures["orders"],
        gmv_fen=figures["gmv"] or 0,
        new_customers=new.values("customer_id").distinct().count(),
        distributors=distributors,
        waiting=figures["waiting"],
    )


def campaign_orders(campaign: Campaign):
    return (
        CampaignOrder.objects.filter(campaign=campaign)
        .select_related("order", "order__customer")
        .order_by("-placed_at", "-pk")
    )


def excluded_from_commission(order_ids) -> dict[int, str]:
    """{order_id: campaign name} for the orders bought in a campaign excluded from commission,
    so that a distributor's page can say why they earned him nothing (one query)."""
    if not order_ids:
        return {}
    return dict(
        CampaignOrder.objects.filter(
            order_id__in=list(order_ids), campaign__exclude_from_commission=True
        ).values_list("order_id", "campaign__name")
    )
