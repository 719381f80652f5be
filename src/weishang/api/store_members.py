"""The customer's membership over JSON: his member tier, his points and wallet with their
history, the redeem centre and his city station. Each endpoint calls the services and selectors
the store's pages call (``storefront.members``, ``storefront.stations``); his coupons are in
``store_coupons``."""

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from weishang.commissions.models import Account
from weishang.community import selectors as community_reads
from weishang.community import services as community
from weishang.loyalty import points as loyalty_points
from weishang.loyalty import redemptions, redpackets
from weishang.loyalty import selectors as loyalty
from weishang.sales import services as sales

from . import idempotency, store
from .errors import ERRORS
from .pagination import PageParams, page
from .schemas import Id

router = Router(tags=["store"])

# Membership --------------------------------------------------------------------------------------


class TierOut(Schema):
    id: int
    name: str
    threshold_fen: int = Field(description="The qualifying spend that reaches it.")
    discount_bp: int = Field(description="Member discount, basis points (500 = 5 %).")
    multiplier_bp: int = Field(description="Points multiplier, basis points (10000 = ×1).")


class TierCreditOut(Schema):
    granted_at: datetime
    reference: str = Field(description="The friend's order number.")
    counting_fen: int = Field(description="What still counts after refunds.")
    revoked_fen: int
    counts_until: datetime


class MembershipOut(Schema):
    tier: TierOut | None = Field(description="None while the brand has no tiers.")
    tiers: list[TierOut]
    spend_fen: int = Field(description="Qualifying spend over the last window_days days.")
    window_days: int
    next_tier: TierOut | None = Field(description="None at the highest tier.")
    needed_fen: int = Field(description="Still to spend to reach the next tier.")
    progress_pc: int = Field(description="Progress to the next tier, 0 to 100.")
    credits: list[TierCreditOut] = Field(description="The latest tier progress share rewards gave.")


class TierChangeOut(Schema):
    at: datetime
    from_tier: str
    to_tier: str
    spend_fen: int
    reason: str
    reason_label: str
    reference: str


class TierChangePage(Schema):
    items: list[TierChangeOut]
    next_cursor: str | None


CREDITS_SHOWN = 20  # as the membership page


def _tier(tier) -> dict | None:
    if tier is None:
        return None
    return {
        name: getattr(tier, name)
        for name in ("id", "name", "threshold_fen", "discount_bp", "multiplier_bp")
    }


@router.get("/membership", response={200: MembershipOut, **ERRORS})
def membership(request):
    """His member tier, its benefits, his qualifying spend and what is left to the next tier."""
    customer_id = request.customer.pk
    member = loyalty.membership(customer_id, timezone.now())
    credits = loyalty.with_windows(
        loyalty.tier_credits(customer_id)[:CREDITS_SHOWN], member.window_days
    )
    return {
        "tier": _tier(member.tier),
        "tiers": [_tier(tier) for tier in member.tiers],
        "spend_fen": member.spend_fen,
        "window_days": member.window_days,
        "next_tier": _tier(member.next_tier),
        "needed_fen": member.needed_fen,
        "progress_pc": member.progress_pc,
        "credits": [
            {
                name: getattr(credit, name)
                for name in ("granted_at", "reference", "counting_fen", "revoked_fen")
            }
            | {"counts_until": credit.counts_until}
            for credit in credits
        ],
    }


@router.get("/membership/changes", response={200: TierChangePage, **ERRORS})
def tier_changes(request, params: PageParams):
    """The history of his tier, newest first."""
    return page(
        loyalty.tier_changes(request.customer.pk),
        params,
        ordering=("-at", "-pk"),
        row=lambda change: {
            "at": change.at,
            "from_tier": change.from_tier.name,
            "to_tier": change.to_tier.name,
            "spend_fen": change.spend_fen,
            "reason": change.reason,
            "reason_label": str(change.get_reason_display()),
            "reference": change.reference,
        },
    )


# Points and the wallet ---------------------------------------------------------------------------


class Movement(Schema):
    id: int
    at: datetime
    change: int = Field(description="Points (or fen for the wallet): positive in, negative out.")
    reason: str = Field(description="What it was, in words.")


class MovementPage(Schema):
    items: list[Movement]
    next_cursor: str | None


class Expiry(Schema):
    points: int
    at: datetime


class PointsOut(Schema):
    balance: int
    spendable: int = Field(description="What he may spend now (expired lots left out).")
    next_expiry: Expiry | None = Field(description="The points that expire first, and when.")


class WalletOut(Schema):
    balance_fen: int


def _movements(customer_id: int, kind: str, params) -> dict:
    return page(
        loyalty.history(customer_id, kind),
        params,
        ordering=("-created_at", "-pk"),
        row=lambda transfer: {
            "id": transfer.pk,
            "at": transfer.created_at,
            "change": transfer.change,
            "reason": loyalty.describe([transfer])[0].reason,
        },
    )


@router.get("/points", response={200: PointsOut, **ERRORS})
def points(request):
    customer_id = request.customer.pk
    now = timezone.now()
    return {
        "balance": loyalty.balances(customer_id)["points"],
        "spendable": loyalty_points.spendable_points(customer_id, now),
        "next_expiry": loyalty.next_expiry(customer_id, now),
    }


@router.get("/points/history", response={200: MovementPage, **ERRORS})
def points_history(request, params: PageParams):
    """His points' movements, newest first, each in words."""
    return _movements(request.customer.pk, Account.Kind.CUSTOMER_POINTS, params)


@router.get("/wallet", response={200: WalletOut, **ERRORS})
def wallet(request):
    """His cash-back wallet."""
    return {"balance_fen": loyalty.balances(request.customer.pk)["wallet_fen"]}


@router.get("/wallet/history", response={200: MovementPage, **ERRORS})
def wallet_history(request, params: PageParams):
    """His wallet's movements, newest first, each in words."""
    return _movements(request.customer.pk, Account.Kind.CUSTOMER_WALLET, params)


# The redeem centre -------------------------------------------------------------------------------


class RedPacketOut(Schema):
    id: int
    name: str
    points_cost: int
    amount_fen: int = Field(description="Credited to his wallet.")


class RedemptionOut(Schema):
    id: int
    product_key: str
    product_name: str
    sku_id: int
    sku_name: str
    points: int = Field(description="Points per unit.")
    cash_fen: int = Field(description="Cash per unit, paid with the freight.")


class RedeemCentre(Schema):
    spendable: int
    red_packets: list[RedPacketOut]
    products: list[RedemptionOut]


class RedPacketRequest(Schema):
    offer_id: Id


class RedPacketRedeemed(Schema):
    id: int
    name: str
    points: int
    amount_fen: int
    at: datetime
    wallet_balance_fen: int


class RedeemProductRequest(Schema):
    redemption_id: Id
    quantity: int = Field(ge=1, le=99)
    address_id: Id
    confirm_return_exclusion: bool = Field(
        False, description="He confirms that the product is excluded from 7-day returns."
    )


@router.get("/redeem", response={200: RedeemCentre, **ERRORS})
def redeem_centre(request):
    """What his points may buy: cash-back red packets and products (积分兑换)."""
    return {
        "spendable": loyalty_points.spendable_points(request.customer.pk, timezone.now()),
        "red_packets": [
            {name: getattr(offer, name) for name in ("id", "name", "points_cost", "amount_fen")}
            for offer in redpackets.active_offers()
        ],
        "products": [
            {
                "id": redemption.pk,
                "product_key": redemption.sku.product.url_key,
                "product_name": redemption.sku.product.name,
                "sku_id": redemption.sku_id,
                "sku_name": redemption.sku.name,
                "points": redemption.points,
                "cash_fen": redemption.cash_fen,
            }
            for redemption in redemptions.offered_redemptions()
        ],
    }


@router.post("/redeem/red-packets", response={201: RedPacketRedeemed, **ERRORS})
def redeem_red_packet(
    request, payload: RedPacketRequest, idempotency_key: idempotency.IdempotencyKey
):
    """Spends the red packet's points and credits its cash-back to his wallet."""
    customer_id = request.customer.pk

    def act():
        redemption = redpackets.redeem_red_packet(
            customer_id=customer_id,
            offer_id=payload.offer_id,
            request_key=idempotency_key,
            now=timezone.now(),
        )
        return 201, {
            "id": redemption.pk,
            "name": redemption.offer.name,
            "points": redemption.points,
            "amount_fen": redemption.amount_fen,
            "at": redemption.at.isoformat(),
            "wallet_balance_fen": loyalty.balances(customer_id)["wallet_fen"],
        }

    return idempotency.run(
        request, principal=store._principal(request), key=idempotency_key, act=act
    )


@router.post("/redeem/products", response={201: store.OrderDetail, **ERRORS})
def redeem_product(
    request, payload: RedeemProductRequest, idempotency_key: idempotency.IdempotencyKey
):
    """Orders a product offered for points; what points do not pay (the cash and the freight)
    is paid with ``/orders/{number}/pay``, unless the order is paid already."""

    def act():
        customer = request.customer
        order = sales.redeem_product(
            customer=customer,
            redemption_id=payload.redemption_id,
            quantity=payload.quantity,
            address=store._own_address(customer, payload.address_id),
            confirm_return_exclusion=payload.confirm_return_exclusion,
        )
        return 201, store._detail(store._own_order(request, order.number))

    return idempotency.run(
        request, principal=store._principal(request), key=idempotency_key, act=act
    )


# His city station --------------------------------------------------------------------------------


class StationOut(Schema):
    id: int
    name: str
    province: str
    city: str
    intro: str


class LeaderOut(Schema):
    name: str = Field(description="His public name (the mobile masked).")
    title: str


class StationChoiceOut(Schema):
    station: StationOut | None = Field(description="His station, if he chose one.")
    station_is_open: bool
    leaders: list[LeaderOut]
    open_stations: list[StationOut]
    suggested_id: int | None = Field(description="The station his default address suggests.")
    preselected_id: int | None


class StationRequest(Schema):
    station_id: Id


def _station(station) -> dict | None:
    if station is None:
        return None
    return {name: getattr(station, name) for name in ("id", "name", "province", "city", "intro")}


def _station_choice(customer) -> dict:
    choice = community_reads.station_choice(customer)
    return {
        "station": _station(choice.station),
        "station_is_open": bool(choice.station and choice.station.is_open),
        "leaders": [{"name": name, "title": title} for name, title in choice.leaders],
        "open_stations": [_station(station) for station in choice.open_stations],
        "suggested_id": choice.suggested.pk if choice.suggested else None,
        "preselected_id": choice.preselected_id,
    }


@router.get("/station", response={200: StationChoiceOut, **ERRORS})
def station(request):
    """His city station (城市站点) and the open ones he may choose."""
    return _station_choice(request.customer)


@router.post("/station", response={200: StationChoiceOut, **ERRORS})
def choose_station(request, payload: StationRequest):
    """Joins an open station, or moves to it from another."""
    community.join_station(
        customer=request.customer, station_id=payload.station_id, now=timezone.now()
    )
    return _station_choice(request.customer)


@router.post("/station/leave", response={200: StationChoiceOut, **ERRORS})
def leave_station(request):
    community.leave_station(customer=request.customer)
    return _station_choice(request.customer)
