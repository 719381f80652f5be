"""What the checkout takes off an order besides its price, decided above the domains that hold
it: the member discount (``loyalty`` tiers), coupons, points and the wallet. The review page and
placing the order call the same ``benefits``, so what the customer saw is what he pays; placing
then spends the points, wallet money and coupons under their locks (``spend_benefits``), and a
cancelled order or a refund gives them back (``give_back``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from weishang.campaigns import selectors as campaign_reads
from weishang.campaigns import services as campaigns
from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product, Sku
from weishang.catalog.rules import Price
from weishang.distribution.binding import attributed_distributor
from weishang.loyalty import coupons, tiers, wallet
from weishang.loyalty import points as loyalty_points
from weishang.loyalty.coupon_rules import (
    CouponLine,
    CouponTerms,
    apply_coupons,
    best_coupons,
    coupon_discount,
    stacking_order,
)
from weishang.loyalty.coupons import UsableCoupon
from weishang.loyalty.models import LoyaltySettings
from weishang.orders import freight
from weishang.orders import selectors as order_reads
from weishang.orders.errors import OrderError
from weishang.orders.models import Order
from weishang.orders.pricing import (
    Deductions,
    PricedLine,
    after_member_discount,
    points_usable,
)
from weishang.reseller import pricing as reseller_pricing
from weishang.reseller.pricing import Resale


@dataclass(frozen=True)
class Choice:
    """What the customer chose on the review page: which coupons (None: the best combination),
    and to pay with points and with his wallet, each as much as the order and his balance allow."""

    coupon_ids: tuple[int, ...] | None = None
    use_points: bool = False
    use_wallet: bool = False


@dataclass(frozen=True)
class CouponOffer:
    """One of his usable coupons on the review page: what it would take off alone (0: it does not
    apply to these goods) and whether it is in the chosen combination."""

    coupon: UsableCoupon
    alone_fen: int
    chosen: bool


@dataclass(frozen=True)
class Benefits:
    """What the review page shows and placing takes off."""

    deductions: Deductions
    member_discount_fen: int
    coupon_ids: tuple[int, ...]
    coupon_offers: tuple[CouponOffer, ...]
    spendable_points: int
    points_usable: int
    fen_per_point: int
    wallet_balance_fen: int
    wallet_usable_fen: int

    @property
    def points_usable_fen(self) -> int:
        return self.points_usable * self.fen_per_point

    @property
    def coupon_fen(self) -> int:
        return sum((self.deductions.coupon_fen or {}).values())

    @property
    def taken_fen(self) -> int:
        """All the steps take off the goods together."""
        d = self.deductions
        return self.member_discount_fen + self.coupon_fen + d.points_fen + d.wallet_fen


def _chosen_coupons(usable: list[CouponTerms], lines: list[CouponLine], choice: Choice):
    if choice.coupon_ids is None:
        return best_coupons(usable, lines)
    by_id = {terms.coupon_id: terms for terms in usable}
    chosen = [by_id[i] for i in dict.fromkeys(choice.coupon_ids) if i in by_id]
    chosen = [terms for terms in chosen if coupon_discount(terms, lines)]
    if len(chosen) > 1 and not all(terms.stackable for terms in chosen):
        raise OrderError(
            _("One of the coupons chosen cannot be combined with another; choose it alone."),
            code="coupon_not_stackable",
        )
    return stacking_order(chosen)


def benefits(
    *,
    customer_id: int,
    lines: list[PricedLine],
    choice: Choice,
    now: datetime,
    balances: bool = True,
) -> Benefits:
    """Steps 2–5 of the pricing rule for these lines: the tier's member discount, the chosen (or
    best) coupons on what it leaves, points worth at most the brand's share of what is left after
    the discounts, then the wallet at most what is left after the points. ``balances=False``
    skips reading the points and wallet the customer chose not to use (placing an order is a hot
    path)."""
    discount_bp = tiers.member_discount_bp(customer_id)
    totals = {line.sku_id: line.total_fen for line in lines}
    after = after_member_discount(totals, discount_bp)
    coupon_lines = [
        CouponLine(line.sku_id, line.product_id, line.category_id, after[line.sku_id])
        for line in lines
    ]
    # The review page shows each coupon in words; placing needs only their terms.
    usable = coupons.usable_coupons_described(customer_id=customer_id, now=now) if balances else ()
    terms = (
        [u.terms for u in usable]
        if balances
        else coupons.usable_coupons(customer_id=customer_id, now=now)
    )
    chosen = _chosen_coupons(terms, coupon_lines, choice)
    coupon_fen = apply_coupons(chosen, coupon_lines)
    chosen_ids = tuple(terms.coupon_id for terms in chosen)
    left = sum(after.values()) - sum(coupon_fen.values())

    reads_points = balances or choice.use_points
    settings = LoyaltySettings.current() if reads_points else LoyaltySettings()
    fen_per_point = settings.fen_per_point
    spendable = loyalty_points.spendable_points(customer_id, now) if reads_points else 0
    points_allowed = points_usable(
        spendable=spendable,
        left_fen=left,
        max_share_bp=settings.points_max_share_bp,
        fen_per_point=fen_per_point,
    )
    points = points_allowed if choice.use_points else 0
    points_fen = points * fen_per_point
    balance = wallet.wallet_balance(customer_id) if balances or choice.use_wallet else 0
    wallet_usable = min(balance, left - points_fen)
    return Benefits(
        deductions=Deductions(
            discount_bp=discount_bp,
            coupon_fen=coupon_fen,
            points=points,
            points_fen=points_fen,
            wallet_fen=wallet_usable if choice.use_wallet else 0,
        ),
        member_discount_fen=sum(totals.values()) - sum(after.values()),
        coupon_ids=chosen_ids,
        coupon_offers=tuple(
            CouponOffer(
                coupon=u,
                alone_fen=sum(coupon_discount(u.terms, coupon_lines).values()),
                chosen=u.terms.coupon_id in chosen_ids,
            )
            for u in usable
        ),
        spendable_points=spendable,
        points_usable=points_allowed,
        fen_per_point=fen_per_point,
        wallet_balance_fen=balance,
        wallet_usable_fen=wallet_usable,
    )


@dataclass
class Line:
    """A cart or review line priced at one moment; ``quantity_input`` is the quantity as the
    customer typed it (a page shows it back)."""

    sku: Sku
    quantity: int
    price: Price
    quantity_input: str = ""
    for_sale: bool = True

    @property
    def total_fen(self) -> int:
        return self.price.amount_fen * self.quantity


def resales_for_customer(customer, now: datetime, sku_ids=None) -> dict[int, Resale]:
    """The SKUs this customer buys at his reseller's own price: those the distributor an order
    placed now is attributed to sells at a price in the band (what ``sales.place_order``
    charges), so the cart and the review show what placing charges (E-commerce Law Art. 49)."""
    if customer is None:
        return {}
    return reseller_pricing.resales_for(attributed_distributor(customer, now), sku_ids)


def price_of(sku: Sku, now: datetime, resales: dict[int, Resale] | None = None) -> Price:
    """The unit price the buyer pays: his reseller's, or the catalogue's at ``now``."""
    resale = (resales or {}).get(sku.pk)
    return resale.price if resale is not None else catalog.sku_price(sku, now)


def priced_line(
    sku: Sku,
    quantity: int,
    now: datetime,
    quantity_input: str = "",
    resales: dict[int, Resale] | None = None,
) -> Line:
    for_sale = sku.is_active and sku.product.status == Product.Status.PUBLISHED
    return Line(sku, quantity, price_of(sku, now, resales), quantity_input, for_sale)


def freight_for(goods_fen: int, address) -> int:
    """The freight for the goods to the address's province; the default rule without one."""
    return freight.freight_fen(
        goods_fen=goods_fen,
        province_code=address.province_code if address else freight.DEFAULT,
        rules=order_reads.freight_rules(),
    )


@dataclass(frozen=True)
class CampaignReview:
    """What buying ``{sku_id: quantity}`` in a campaign charges: its prices (no member discount,
    coupons, points, wallet or reseller price, as ``sales.place_order`` charges a campaign
    order) and the freight to the address."""

    lines: list[campaign_reads.OfferLine]
    boxes: int | None
    goods_fen: int
    freight_fen: int
    needs_confirmation: bool

    @property
    def total_fen(self) -> int:
        return self.goods_fen + self.freight_fen


def check_campaign_choice(campaign, quantities: dict[int, int], now: datetime) -> None:
    """OrderError unless something of the campaign's offer is chosen (whole boxes of a gift
    box) and the campaign takes orders now."""
    if not any(quantities.values()):
        raise OrderError(_("Choose how many to buy."))
    if refusal := campaigns.open_refusal(campaign, now):
        raise OrderError(refusal)
    if campaigns.units_wanted(campaign, quantities) is None:
        raise OrderError(_("Choose what to buy from this campaign's offer."))


def campaign_review(campaign, quantities: dict[int, int], address) -> CampaignReview:
    lines = campaign_reads.quote(campaign, quantities)
    goods_fen = sum(line.total_fen for line in lines)
    return CampaignReview(
        lines=lines,
        boxes=campaign_reads.boxes_in(campaign, lines),
        goods_fen=goods_fen,
        freight_fen=freight_for(goods_fen, address),
        needs_confirmation=any(line.item.sku.product.needs_return_confirmation for line in lines),
    )


@dataclass(frozen=True)
class Review:
    """What the review shows and placing the order charges (E-commerce Law Art. 49–51)."""

    goods_fen: int
    freight_fen: int
    benefits: Benefits

    @property
    def total_fen(self) -> int:
        return self.goods_fen - self.benefits.taken_fen + self.freight_fen


def review(*, customer_id: int, lines: list[Line], address, choice: Choice, now) -> Review:
    """The goods, the freight to the address and the benefits chosen, for the lines in review."""
    goods_fen = sum(line.total_fen for line in lines)
    return Review(
        goods_fen=goods_fen,
        freight_fen=freight_for(goods_fen, address),
        benefits=benefits(
            customer_id=customer_id,
            lines=[
                PricedLine(line.sku.pk, line.sku.product_id, line.sku.product.category_id, fen)
                for line in lines
                if line.for_sale and (fen := line.total_fen)
            ],
            choice=choice,
            now=now,
        ),
    )


class Pricer:
    """What ``orders.place_order`` calls to decide the deductions on the lines it priced; keeps
    the benefits so that placing can then spend them."""

    def __init__(self, *, customer_id: int, choice: Choice, now: datetime):
        self.customer_id, self.choice, self.now = customer_id, choice, now
        self.benefits: Benefits | None = None

    def __call__(self, lines: list[PricedLine]) -> Deductions:
        self.benefits = benefits(
            customer_id=self.customer_id,
            lines=lines,
            choice=self.choice,
            now=self.now,
            balances=False,
        )
        return self.benefits.deductions


def spend_benefits(*, order: Order, coupon_ids: tuple[int, ...] = (), now: datetime) -> None:
    """Spends what the order's deductions took, under the locks of the coupons and accounts: a
    second checkout that counted on the same coupon, points or money is refused and its order is
    not placed."""
    reason = _("order %(number)s") % {"number": order.number}
    if coupon_ids:
        coupons.use_coupons(
            customer_id=order.customer_id,
            coupon_ids=coupon_ids,
            order_number=order.number,
            now=now,
        )
    if order.points:
        loyalty_points.spend_points(
            customer_id=order.customer_id,
            points=order.points,
            key=f"order:{order.number}",
            reason=reason,
            now=now,
        )
    if order.wallet_fen:
        wallet.spend_wallet(
            customer_id=order.customer_id,
            amount_fen=order.wallet_fen,
            key=f"order:{order.number}",
            reason=reason,
            now=now,
        )


def give_back(*, order: Order, key: str, wallet_fen: int, points: int, now: datetime) -> None:
    """Returns a refund's or cancellation's wallet money and points, once per ``key``."""
    reason = _("order %(number)s") % {"number": order.number}
    if wallet_fen:
        wallet.refund_to_wallet(
            customer_id=order.customer_id, amount_fen=wallet_fen, key=key, reason=reason, now=now
        )
    if points:
        loyalty_points.return_points(
            customer_id=order.customer_id,
            spent_key=f"order:{order.number}",
            points=points,
            key=key,
            reason=reason,
            now=now,
        )
