"""Products offered for points (积分兑换): the brand's offers, each change audited. The order a
customer places for one is made in ``sales.services.redeem_product``."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.catalog.models import Product, Sku
from weishang.catalog.selectors import sku_price
from weishang.compliance import audit
from weishang.money import format_fen

from .errors import LoyaltyError
from .models import ProductRedemption

MAX_POINTS = 10_000_000


def check_terms(*, sku: Sku, points: int, cash_fen: int, now: datetime) -> int:
    """The fen the points pay per unit at today's price; refuses terms the price cannot carry."""
    if not 0 < points <= MAX_POINTS:
        raise LoyaltyError(_("A redemption costs from 1 to 10 000 000 points."))
    price = sku_price(sku, now).amount_fen
    if cash_fen >= price:
        raise LoyaltyError(
            _("The cash part must be less than the price (%(price)s): the points pay the rest.")
            % {"price": format_fen(price)},
            code="cash_above_price",
        )
    return price - cash_fen


@transaction.atomic
def offer_redemption(
    *, actor, sku_id: int, points: int, cash_fen: int, now: datetime | None = None
) -> ProductRedemption:
    now = now or timezone.now()
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None or not sku.is_active or sku.product.status != Product.Status.PUBLISHED:
        raise LoyaltyError(_("Choose a product that is for sale."))
    check_terms(sku=sku, points=points, cash_fen=cash_fen, now=now)
    redemption = ProductRedemption.objects.create(
        sku=sku, points=points, cash_fen=cash_fen, created_at=now
    )
    audit.record(
        actor=actor,
        action="redemption.offer",
        obj=redemption,
        after={"sku": sku.code, "points": points, "cash_fen": cash_fen},
    )
    return redemption


@transaction.atomic
def retire_redemption(*, actor, redemption_id: int) -> ProductRedemption:
    redemption = ProductRedemption.objects.select_for_update().filter(pk=redemption_id).first()
    if redemption is None or not redemption.active:
        raise LoyaltyError(_("This redemption is not offered."))
    redemption.active = False
    redemption.save(update_fields=["active"])
    audit.record(
        actor=actor,
        action="redemption.retire",
        obj=redemption,
        before={"active": True},
        after={"active": False},
    )
    return redemption


def offered_redemptions():
    return (
        ProductRedemption.objects.filter(
            active=True, sku__is_active=True, sku__product__status=Product.Status.PUBLISHED
        )
        .select_related("sku__product")
        .order_by("points", "pk")
    )
