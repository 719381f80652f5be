"""The store's campaigns (微活动) over JSON: the campaigns open now, one campaign with its offer,
terms and whether the caller may join, the review of a purchase at the campaign's prices and
placing it. Each endpoint calls the selectors and services the store's campaign pages call
(``storefront.campaigns``); the order placed then pays like any other (``/orders/{number}/pay``).
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from weishang.campaigns import selectors as campaign_reads
from weishang.campaigns import services as campaigns
from weishang.campaigns.models import Campaign, CampaignKind, CampaignStatus
from weishang.orders import services as orders
from weishang.sales import checkout as sales_checkout
from weishang.sales import services as sales

from . import idempotency, store
from .errors import ERRORS, ApiError, not_found
from .pagination import PageParams, page
from .schemas import Id, Text

router = Router(tags=["store"])


class CampaignOut(Schema):
    id: int
    name: str
    kind: str = Field(description="presale, gift_box or members.")
    kind_label: str
    status: str
    status_label: str
    starts_at: datetime
    ends_at: datetime
    per_customer_limit: int = Field(description="Units (boxes of a gift box) one may buy.")
    left: int = Field(description="Units (boxes for a gift box) the campaign still sells.")
    box_price_fen: int | None = Field(description="A gift box's price.")
    target_units: int | None = Field(description="The units a pre-sale must sell to ship.")
    min_tier: str | None = Field(description="A member-only event's lowest tier.")


class CampaignPage(Schema):
    items: list[CampaignOut]
    next_cursor: str | None


class OfferLineOut(Schema):
    sku_id: int
    product_key: str
    product_name: str
    sku_name: str
    price_fen: int = Field(description="The campaign's unit price (a gift box: its share).")
    list_price_fen: int
    per_box: int = Field(description="Units of it in one gift box (1 otherwise).")


class CampaignDetail(CampaignOut):
    description: str
    items: list[OfferLineOut]
    presale_sold: int | None = Field(description="A pre-sale's units paid for so far.")
    closed_reason: str | None = Field(description="Why it takes no order now, if so.")
    tier_ok: bool = Field(description="His tier may join (always true for a visitor).")
    bought: int = Field(description="Units he holds in it (0 for a visitor).")
    may_join: bool = Field(description="He (a visitor: anyone) may buy at least one unit now.")
    refusal_code: str | None
    refusal: str | None = Field(description="Why he may not, as placing would refuse.")


class CampaignItemIn(Schema):
    sku_id: Id
    quantity: int = Field(ge=1, le=orders.MAX_QUANTITY)


class CampaignChoice(Schema):
    items: list[CampaignItemIn] | None = Field(
        None, max_length=50, description="The SKUs and quantities (not for a gift box)."
    )
    boxes: int | None = Field(
        None, ge=1, le=orders.MAX_QUANTITY, description="The number of boxes of a gift box."
    )
    address_id: Id | None = Field(None, description="Left out, his default address.")


class NewCampaignOrder(CampaignChoice):
    address_id: Id
    expected_total_fen: int = Field(
        ge=0, le=2**31 - 1, description="The total the review showed; a different one refuses."
    )
    buyer_note: Text(orders.BUYER_NOTE_LENGTH) = ""
    confirm_return_exclusion: bool = Field(
        False, description="He confirms that some products are excluded from 7-day returns."
    )


class ReviewLine(Schema):
    sku_id: int
    product_name: str
    sku_name: str
    unit_price_fen: int
    quantity: int
    total_fen: int


class CampaignReviewOut(Schema):
    campaign_id: int
    lines: list[ReviewLine]
    boxes: int | None
    goods_fen: int
    freight_fen: int
    total_fen: int = Field(description="What placing charges; send it as expected_total_fen.")
    address_id: int | None
    needs_confirmation: bool = Field(
        description="Some goods are excluded from 7-day returns: placing needs his confirmation."
    )


def _campaign(campaign_id: int) -> Campaign:
    campaign = campaign_reads.store_campaign(campaign_id)
    if campaign is None:
        raise not_found()
    return campaign


def _summary(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "kind": campaign.kind,
        "kind_label": str(campaign.get_kind_display()),
        "status": campaign.status,
        "status_label": str(CampaignStatus(campaign.status).label),
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "per_customer_limit": campaign.per_customer_limit,
        "left": campaign.stock_units - campaign.units_taken,
        "box_price_fen": campaign.box_price_fen,
        "target_units": campaign.target_units,
        "min_tier": campaign.min_tier.name if campaign.min_tier else None,
    }


@router.get("/campaigns", response={200: CampaignPage, **ERRORS}, auth=store.customer_or_anonymous)
def campaign_list(request, params: PageParams):
    """The campaigns open in the store, soonest ending first (those not started yet included)."""
    return page(
        campaign_reads.store_campaigns(timezone.now()),
        params,
        ordering=("ends_at", "pk"),
        row=_summary,
    )


@router.get(
    "/campaigns/{campaign_id}",
    response={200: CampaignDetail, **ERRORS},
    auth=store.customer_or_anonymous,
)
def campaign_detail(request, campaign_id: Id):
    """A campaign with its offer at the campaign's prices, its terms, a pre-sale's progress and,
    for a signed-in customer, what he holds in it and whether he may join."""
    campaign = _campaign(campaign_id)
    now = timezone.now()
    customer = request.customer
    refusal = campaigns.join_refusal(campaign, customer.pk if customer else None, now)
    return {
        **_summary(campaign),
        "description": campaign.description,
        "items": [
            {
                "sku_id": line.item.sku_id,
                "product_key": line.item.sku.product.url_key,
                "product_name": line.item.sku.product.name,
                "sku_name": line.item.sku.name,
                "price_fen": line.unit_price_fen,
                "list_price_fen": line.item.sku.list_price_fen,
                "per_box": line.quantity,
            }
            for line in campaign_reads.offer(campaign)
        ],
        "presale_sold": campaign_reads.presale_progress(campaign),
        "closed_reason": campaigns.open_refusal(campaign, now),
        "tier_ok": customer is None or campaigns.tier_allows(campaign, customer.pk),
        "bought": campaigns.customer_units(campaign.pk, customer.pk) if customer else 0,
        "may_join": refusal is None,
        "refusal_code": refusal.code if refusal else None,
        "refusal": refusal.message if refusal else None,
    }


def _quantities(campaign: Campaign, payload: CampaignChoice) -> dict[int, int]:
    """``{sku_id: quantity}``: the items chosen, or a gift box's number of boxes."""
    if campaign.kind == CampaignKind.GIFT_BOX:
        if payload.boxes is None or payload.items:
            raise ApiError(
                _("Choose how many to buy."), code="invalid_input", status=422, field="boxes"
            )
        return campaign_reads.box_quantities(campaign, payload.boxes)
    if not payload.items or payload.boxes is not None:
        raise ApiError(
            _("Choose how many to buy."), code="invalid_input", status=422, field="items"
        )
    quantities = {}
    for item in payload.items:
        if item.sku_id in quantities:
            raise ApiError(
                _("Each specification may appear once in the order."),
                code="duplicate_item",
                status=422,
                field="items",
            )
        quantities[item.sku_id] = item.quantity
    return quantities


def _address(customer, address_id: int | None):
    if address_id is None:
        return customer.addresses.first()
    return store._own_address(customer, address_id)


def _review(campaign: Campaign, quantities: dict[int, int], address) -> dict:
    review = sales_checkout.campaign_review(campaign, quantities, address)
    return {
        "campaign_id": campaign.pk,
        "lines": [
            {
                "sku_id": line.item.sku_id,
                "product_name": line.item.sku.product.name,
                "sku_name": line.item.sku.name,
                "unit_price_fen": line.unit_price_fen,
                "quantity": line.quantity,
                "total_fen": line.total_fen,
            }
            for line in review.lines
        ],
        "boxes": review.boxes,
        "goods_fen": review.goods_fen,
        "freight_fen": review.freight_fen,
        "total_fen": review.total_fen,
        "address_id": address.pk if address else None,
        "needs_confirmation": review.needs_confirmation,
    }


@router.post("/campaigns/{campaign_id}/review", response={200: CampaignReviewOut, **ERRORS})
def campaign_review(request, campaign_id: Id, payload: CampaignChoice):
    """What buying these items (or boxes) in the campaign charges, as the store's review shows
    it: the campaign's prices (no member discount, coupons, points, wallet or reseller price on
    top) and the freight to the address."""
    campaign = _campaign(campaign_id)
    quantities = _quantities(campaign, payload)
    sales_checkout.check_campaign_choice(campaign, quantities, timezone.now())
    return _review(campaign, quantities, _address(request.customer, payload.address_id))


@router.post("/campaigns/{campaign_id}/orders", response={201: store.OrderDetail, **ERRORS})
def campaign_place_order(
    request,
    campaign_id: Id,
    payload: NewCampaignOrder,
    idempotency_key: idempotency.IdempotencyKey,
):
    """Places the reviewed campaign order, within the campaign's stock and his limit; refused
    (400, with the campaign's reason and a ``campaign_*`` code) when it is sold out, beyond his
    limit, not started, ended or above his tier. Pay it with ``/orders/{number}/pay``."""

    def act():
        customer = request.customer
        campaign = _campaign(campaign_id)
        order = sales.place_order(
            customer=customer,
            items=_quantities(campaign, payload),
            address=store._own_address(customer, payload.address_id),
            campaign_id=campaign.pk,
            confirm_return_exclusion=payload.confirm_return_exclusion,
            expected_total_fen=payload.expected_total_fen,
            buyer_note=payload.buyer_note,
            clear_cart=False,
        )
        return 201, store._detail(store._own_order(request, order.number))

    return idempotency.run(
        request, principal=store._principal(request), key=idempotency_key, act=act
    )
